/**
 * Pipedrive's REST API, for what webhooks leave out, authenticated by a user's API token in the
 * `x-api-token` header (the documented way for API-token integrations).
 *
 * - Deals: API v2 `GET /api/v2/deals?ids=…`, at most 100 ids a call; deleted or unknown deals are not
 *   returned, so they are absent from the map. Records go through the same mapping as webhooks.
 * - Owners: API v1 `GET /api/v1/users/{id}`, one call per id: a batch of events names few owners, and the
 *   list endpoint would return every user of the company.
 *
 * Failures that may pass (network, timeouts, 429, 5xx, an answer that is not JSON) throw
 * `CrmApiUnavailableError`; a refused token (401) throws `CrmApiAuthError`.
 */
import { z } from 'zod';
import { type CrmApi, CrmApiAuthError, CrmApiUnavailableError } from '../adapter.js';
import type { DealFields } from '../crm-event.js';
import { describeIssues, PipedriveDeal, toDealFields } from './records.js';

/** A user's API token (the environment's, one workspace), or a workspace's OAuth grant. */
export type PipedriveCredentials =
  | {
      /** A user's personal API token; it sees what that user may see. */
      apiToken: string;
      /** `https://{company}.pipedrive.com`. */
      baseUrl: string;
    }
  | {
      /** A workspace's OAuth grant: a current access token, and the company's `api_domain`. */
      grant: () => Promise<{ accessToken: string; apiUrl: string }>;
    };

export type PipedriveApiOptions = { fetch?: typeof fetch } & PipedriveCredentials;

/** Where to send a request, and how it authenticates: the API token's header, or the grant's bearer token. */
export async function requestTarget(
  credentials: PipedriveCredentials,
): Promise<{ baseUrl: string; auth: Record<string, string> }> {
  if ('apiToken' in credentials)
    return { baseUrl: credentials.baseUrl.replace(/\/+$/, ''), auth: { 'x-api-token': credentials.apiToken } };
  const { accessToken, apiUrl } = await credentials.grant();
  return { baseUrl: apiUrl, auth: { authorization: `Bearer ${accessToken}` } };
}

/** API v2 `GET /deals` takes "up to 100 entity ids". */
export const MAX_IDS_PER_REQUEST = 100;
const TIMEOUT_MS = 10_000;

const UserResponse = z.object({
  data: z.object({ email: z.string().nullish(), name: z.string().nullish() }),
});
const ErrorResponse = z.object({ error: z.string() });
/** Records are read one by one, so that one unreadable deal (left out of the map) does not hide the others. */
const DealsResponse = z.object({ data: z.array(z.unknown()).nullable() });

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Seconds to wait: `Retry-After` (seconds or a date), else Pipedrive's `x-ratelimit-reset` (seconds left in the window). */
export function retryAfterSeconds(headers: Headers): number | null {
  const retryAfter = headers.get('retry-after') ?? headers.get('x-ratelimit-reset');
  if (retryAfter === null) return null;
  if (/^\d+$/.test(retryAfter.trim())) return Number(retryAfter);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Pipedrive deal and user ids are integers: anything else cannot exist, so it is not asked for. */
function integerIds(ids: readonly string[]): string[] {
  return [...new Set(ids)].filter((id) => /^\d+$/.test(id));
}

export function createPipedriveApi(opts: PipedriveApiOptions): CrmApi {
  const doFetch = opts.fetch ?? fetch;

  /** GETs a path; null for 404. Throws the errors `CrmApi` callers know how to wait on or report. */
  async function get(path: string): Promise<unknown> {
    const { baseUrl, auth } = await requestTarget(opts);
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        headers: { ...auth, accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new CrmApiUnavailableError(`Pipedrive could not be reached: ${why}`);
    }
    if (response.status === 401) throw new CrmApiAuthError('Pipedrive refused the API token (401)', 401);
    if (response.status === 429 || response.status >= 500) {
      throw new CrmApiUnavailableError(`Pipedrive answered ${response.status}.`, retryAfterSeconds(response.headers));
    }
    if (response.status === 404) return null;
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = ErrorResponse.safeParse(body).data?.error ?? 'no details';
      throw new Error(`Pipedrive answered ${response.status} to GET ${path.split('?')[0]}: ${error}`);
    }
    // Not JSON with a 2xx is a proxy's or maintenance page, not Pipedrive's answer: it passes, like a 5xx.
    if (body === undefined) throw new CrmApiUnavailableError(`Pipedrive's answer to GET ${path} is not JSON.`);
    return body;
  }

  async function getJson<T extends z.ZodType>(path: string, schema: T): Promise<z.output<T> | null> {
    const body = await get(path);
    if (body === null) return null;
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new Error(`Pipedrive's answer to GET ${path} is unexpected: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  async function fetchDealBatch(ids: readonly string[], into: Map<string, DealFields>): Promise<void> {
    // Without a status filter, deleted deals are left out: the map has no entry for them.
    const body = await getJson(`/api/v2/deals?ids=${ids.join(',')}&limit=${ids.length}`, DealsResponse);
    for (const record of body?.data ?? []) {
      const deal = PipedriveDeal.safeParse(record);
      if (deal.success) into.set(deal.data.id, toDealFields(deal.data, 'v2'));
    }
  }

  return {
    async fetchDeals(ids) {
      const deals = new Map<string, DealFields>();
      // One batch after another: Pipedrive's burst limit is per token, shared with the rest of the app.
      for (const batch of chunks(integerIds(ids), MAX_IDS_PER_REQUEST)) await fetchDealBatch(batch, deals);
      return deals;
    },

    async fetchOwners(ids) {
      const owners = new Map<string, { email: string | null; name: string | null }>();
      for (const id of integerIds(ids)) {
        const user = await getJson(`/api/v1/users/${id}`, UserResponse);
        if (user) owners.set(id, { email: user.data.email || null, name: user.data.name || null });
      }
      return owners;
    },
  };
}
