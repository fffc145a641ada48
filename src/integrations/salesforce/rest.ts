/**
 * One GET on Salesforce's REST API, shared by the API client (api.ts) and the backfill source: the
 * bearer token, a timeout, and failures turned into the errors CRM callers know how to handle.
 *
 * Failures that may pass (network, timeouts, 429, 5xx, the org's API request limit, an unreadable
 * answer) throw `CrmApiUnavailableError`; a refused token (401, or 403 other than the API limit)
 * throws `CrmApiAuthError`, which no retry fixes. Any other answer (a 400: a malformed query, an
 * unknown field, a dead query locator) throws `SalesforceRequestError` with Salesforce's error code.
 */
import { z } from 'zod';
import { CrmApiAuthError, CrmApiUnavailableError } from '../adapter.js';
import type { SalesforceRecord } from './fields.js';

export const DEFAULT_API_VERSION = 'v60.0';
const REQUEST_TIMEOUT_MS = 30_000;
/**
 * The org's API request limit counts the last 24 hours, and Salesforce says nothing of when calls
 * free up (no Retry-After): an hour lets older calls age out without hammering the spent limit.
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 */
export const REQUEST_LIMIT_RETRY_SECONDS = 3600;

export interface SalesforceSession {
  instanceUrl: string;
  accessToken: string;
}

/** The environment's token for one org, or a workspace's OAuth grant. */
export type SalesforceCredentials =
  | {
      /** Where the token was issued, e.g. `https://MyDomainName.my.salesforce.com`. */
      instanceUrl: string;
      accessToken: string;
    }
  | {
      /** A workspace's OAuth grant: a current access token, and the org's instance URL. */
      grant: () => Promise<{ accessToken: string; apiUrl: string }>;
    };

/** The instance and token as they are now. */
export async function sessionOf(credentials: SalesforceCredentials): Promise<SalesforceSession> {
  if ('accessToken' in credentials) return credentials;
  const { accessToken, apiUrl } = await credentials.grant();
  return { accessToken, instanceUrl: apiUrl };
}

/** A refusal that is neither passing nor about credentials, with Salesforce's `errorCode`. */
export class SalesforceRequestError extends Error {
  constructor(
    message: string,
    readonly errorCode: string | null,
  ) {
    super(message);
  }
}

const ErrorBody = z.array(z.object({ errorCode: z.string().optional(), message: z.string().optional() }));

/** The next page of a query is a path on the same instance; anything else would send the token elsewhere. */
export const NEXT_RECORDS_PATH = /^\/services\/data\/v\d+\.\d+\/query\/[\w-]+$/;

export function checkApiVersion(apiVersion: string): string {
  if (!/^v\d+\.\d+$/.test(apiVersion))
    throw new Error(`Salesforce API version must look like v60.0, not ${apiVersion}`);
  return apiVersion;
}

/**
 * A REST record as the text an outbound message would carry, so that one reader serves both.
 * `String` of a JSON number is its shortest exact decimal (12500.5 → "12500.5"), so cents stay exact.
 */
export function jsonRecord(json: Record<string, unknown>): SalesforceRecord {
  const record = new Map<string, string | null>();
  for (const [name, value] of Object.entries(json)) {
    if (value === null) record.set(name, null);
    else if (['string', 'number', 'boolean'].includes(typeof value)) record.set(name, String(value));
  }
  return record;
}

function retryAfterSeconds(header: string | null): number | null {
  return header !== null && /^\d+$/.test(header) ? Number(header) : null;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Salesforce answers errors as `[{ "message": …, "errorCode": … }]`. */
function failure(response: Response, body: unknown): Error {
  const first = ErrorBody.safeParse(body).data?.[0];
  const detail = [first?.errorCode, first?.message?.slice(0, 200)].filter(Boolean).join(': ');
  const what = `Salesforce API answered ${response.status}${detail ? ` (${detail})` : ''}`;
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  if (first?.errorCode === 'REQUEST_LIMIT_EXCEEDED')
    return new CrmApiUnavailableError(what, retryAfter ?? REQUEST_LIMIT_RETRY_SECONDS);
  if (response.status === 429 || response.status >= 500) return new CrmApiUnavailableError(what, retryAfter);
  if (response.status === 401 || response.status === 403) return new CrmApiAuthError(what, response.status);
  return new SalesforceRequestError(what, first?.errorCode ?? null);
}

export function parseAnswer<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer');
  return parsed.data;
}

/** GETs a path on the session's instance: the JSON answer, and its headers (the API usage, for one). */
export async function salesforceGet(
  fetchImpl: typeof fetch,
  { instanceUrl, accessToken }: SalesforceSession,
  path: string,
): Promise<{ body: unknown; headers: Headers }> {
  let response: Response;
  try {
    response = await fetchImpl(new URL(path, instanceUrl), {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CrmApiUnavailableError(`Salesforce API unreachable: ${(error as Error).message}`);
  }
  const body = await readJson(response);
  if (!response.ok) throw failure(response, body);
  if (body === undefined) throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer');
  return { body, headers: response.headers };
}
