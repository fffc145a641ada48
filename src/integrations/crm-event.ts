import type { ActivityKind } from '../kpi/activity-kinds.js';
import type { CrmSource } from './crm-config.js';

/**
 * What every CRM's webhooks are turned into. Each adapter (HubSpot, Salesforce, Pipedrive, the
 * generic format) parses its own payloads into these; the inbox stores them and the processor
 * folds them into deal state, stage changes and activities, whatever CRM they came from.
 */

// Defined with the CRM configuration, which the entry parses below every domain.
export { CRM_SOURCES, type CrmSource } from './crm-config.js';

/** Each CRM's name, as admins read it. */
export const CRM_LABEL: Record<CrmSource, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  pipedrive: 'Pipedrive',
  generic: 'Generic webhook',
};

/** What each CRM calls the account a connection is bound to. */
export const CRM_ACCOUNT_NOUN: Record<CrmSource, string> = {
  hubspot: 'portal',
  salesforce: 'organization',
  pipedrive: 'company',
  generic: 'account',
};

/**
 * A deal's fields as far as one event knows them. Absent (undefined) means "this event says
 * nothing about it"; null means "the CRM cleared it". HubSpot's property-change events carry one
 * field; Salesforce and Pipedrive carry the whole record.
 */
export interface DealFields {
  name?: string | null;
  amountCents?: number | null;
  /** ISO 4217, upper case; null or absent means the workspace currency. */
  currency?: string | null;
  /** The CRM's own stage id or name (HubSpot `closedwon`, Salesforce `Closed Won`, Pipedrive stage id). */
  stage?: string | null;
  /** Won/lost/open when the CRM says it outright (Pipedrive `status`, Salesforce `IsWon`/`IsClosed`). */
  status?: 'open' | 'won' | 'lost' | null;
  /** The CRM user who owns the deal, in the CRM's own ids. */
  ownerId?: string | null;
  ownerEmail?: string | null;
  createdAt?: Date | null;
  closedAt?: Date | null;
  leadSource?: string | null;
  dealType?: 'new_business' | 'upsell' | 'renewal' | null;
  /** The CRM's id of the customer (company / account / organization). */
  customerId?: string | null;
}

/**
 * A CRM activity record (call, meeting, email, task) as far as one event or API read knows it,
 * CRM-neutral so one mapping turns it into activity kinds. Absent (undefined) means "not said";
 * null means "empty in the CRM". Webhooks and a backfill's API reads produce the same shape.
 */
export interface ActivityFields {
  /** What the CRM calls it: `call`, `meeting`, `email`, `task` (HubSpot, Salesforce) or Pipedrive's type key. */
  type?: string | null;
  /** What sets it apart within its type, lower case: a call's disposition, a meeting's outcome, an email's direction, a task's type. */
  outcome?: string | null;
  /** False while not done (an open task, a planned Pipedrive activity): it counts once done. */
  done?: boolean | null;
  /** When it happened (or is planned): the entry's time in the log. */
  doneAt?: Date | null;
  ownerId?: string | null;
  ownerEmail?: string | null;
  /** The CRM's ids of the deal and of the lead (or contact) it was done for. */
  dealId?: string | null;
  leadId?: string | null;
  subject?: string | null;
}

interface EventBase {
  /** The CRM's own id of this event, or a stable hash of it: retries and replays share it. */
  eventId: string;
  /** When it happened in the CRM (not when it reached us): events are applied in this order. */
  occurredAt: Date;
  /** Read by a backfill: applied like any event, announced nowhere (no celebration, contest or badge post). */
  backfilled?: true;
}

export type CrmEvent =
  | (EventBase & { type: 'deal.upsert'; dealId: string; fields: DealFields })
  | (EventBase & { type: 'deal.delete'; dealId: string })
  | (EventBase & {
      type: 'lead.create';
      leadId: string;
      ownerId?: string | null;
      ownerEmail?: string | null;
      leadSource?: string | null;
      /** Funnel milestones, where the CRM sends them. */
      mqlAt?: Date | null;
      qualifiedAt?: Date | null;
    })
  | (EventBase & { type: 'activity.upsert'; activityId: string; fields: ActivityFields })
  | (EventBase & { type: 'activity.delete'; activityId: string })
  | (EventBase & {
      type: 'activity';
      /** Who did it: a Slack user id, an email, or a CRM owner id; at least one. */
      rep: { slackUserId?: string; email?: string; ownerId?: string };
      kind: ActivityKind;
      quantity: number;
      amountCents: number;
      note?: string | null;
      dealId?: string | null;
      /** The lead it was done for: the first such activity is the lead's first response. */
      leadId?: string | null;
    });

/** An event of a batch that could not be used, with why; the rest of the batch is still stored. */
export interface RejectedEvent {
  index: number;
  reason: string;
}

export interface ParsedBatch {
  events: CrmEvent[];
  rejected: RejectedEvent[];
  /** The CRM account the batch belongs to (HubSpot portalId, Salesforce OrganizationId, Pipedrive company id). */
  accountId: string | null;
}

/** The request as the adapter sees it: the raw bytes, since signatures are over them. */
export interface WebhookRequest {
  method: string;
  /** The full URL the CRM called, as it would have computed it (HubSpot signs it). */
  url: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

export type Verification = { ok: true } | { ok: false; reason: string };
export type ParseResult = { ok: true; batch: ParsedBatch } | { ok: false; reason: string };

/** What the CRM gets back; most want any 2xx, Salesforce wants its SOAP acknowledgement. */
export interface WebhookReply {
  status: number;
  contentType: string;
  body: string;
}
