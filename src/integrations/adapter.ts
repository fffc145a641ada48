import { CodedError, ErrorCode } from '../lib/errors.js';
import type {
  ActivityFields,
  DealFields,
  ParseResult,
  RejectedEvent,
  Verification,
  WebhookReply,
  WebhookRequest,
} from './crm-event.js';

/** What the router tells the adapter after the batch is committed. */
export interface StoredOutcome {
  stored: number;
  duplicates: number;
  rejected: RejectedEvent[];
}

/**
 * One CRM's webhook contract. `verify` runs before anything is parsed or stored; `parse` turns the
 * raw body into normalised events, rejecting single bad events rather than the whole batch.
 */
export interface CrmAdapter<Secrets> {
  verify(req: WebhookRequest, secrets: Secrets, now: Date): Verification;
  parse(req: WebhookRequest): ParseResult;
  /** The success answer, sent only after the batch is committed. */
  reply(outcome: StoredOutcome): WebhookReply;
  /** An error answer in the CRM's own format (Salesforce wants a SOAP fault). */
  errorReply(status: number, reason: string): WebhookReply;
}

/** A CRM's REST API, to fill in what webhooks leave out. Calls are batched; callers cache. */
export interface CrmApi {
  /** The current fields of these deals; ids the CRM does not know are absent from the map. */
  fetchDeals(ids: readonly string[]): Promise<Map<string, DealFields>>;
  /** Owners (CRM users) by id, for their email: how they are matched to Slack users. */
  fetchOwners(ids: readonly string[]): Promise<Map<string, { email: string | null; name: string | null }>>;
  /**
   * An activity record (the id as its events name it) as the CRM has it now, links included; null
   * when the CRM no longer has it. Only CRMs whose webhooks leave fields out have it. A cache may
   * answer only with a copy read after `changedAt` (the newest event's time).
   */
  fetchActivity?(activityId: string, changedAt?: Date): Promise<ActivityFields | null>;
}

/** A CRM API failure that may pass (network, 5xx, 429): the event waits and is retried. */
export class CrmApiUnavailableError extends CodedError {
  readonly code = ErrorCode.CrmApiUnavailable;
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

/** The CRM refused our API credentials (401/403): an operator must fix the token; retrying will not help. */
export class CrmApiAuthError extends CodedError {
  readonly code = ErrorCode.CrmApiAuth;
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The default JSON answer of CRMs that only look at the status code. */
export function jsonReply(status: number, body: unknown): WebhookReply {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}
