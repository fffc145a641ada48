/**
 * HubSpot's REST API, for what webhooks leave out: a deal's other properties and its owner's email.
 *
 * - Deals: `POST /crm/v3/objects/deals/batch/read`, at most 100 ids a call. Ids HubSpot does not know
 *   (deleted, or never existed) come back under `errors` with status 207; they are simply absent.
 * - Owners: `GET /crm/v3/owners/{ownerId}`, one call per id, a few at a time. The list endpoint would
 *   page through every owner of the portal to find the handful a batch of events mentions.
 * - Engagements: `GET /crm/v3/objects/{calls|meetings|emails|tasks}/{id}?properties=…&associations=contacts,deals`,
 *   the only read that returns an engagement's links with its properties; 404 when it was deleted.
 *
 * Failures that may pass (network, timeouts, 429, 5xx, an unreadable answer) throw `CrmApiUnavailableError`
 * so the event waits and is retried; a refused token (401/403) throws `CrmApiAuthError`, which no retry fixes;
 * any other status (a 400: a bug on our side) throws a plain `Error`.
 */
import { z } from 'zod';
import { type CrmApi, CrmApiAuthError, CrmApiUnavailableError } from '../adapter.js';
import type { ActivityFields, DealFields } from '../crm-event.js';
import {
  ACTIVITY_PROPERTIES,
  activityFieldsFromProperties,
  ENGAGEMENT_PATHS,
  readEngagementActivityId,
} from './activity-properties.js';
import { DEAL_PROPERTIES, dealFieldsFromProperties } from './deal-properties.js';

export interface HubSpotApiOptions {
  /** A fixed token (the environment's), or how to get a current one (an OAuth grant, refreshed as it expires). */
  accessToken: string | (() => Promise<string>);
  /** Default https://api.hubapi.com; tests point it at a fake. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

const DEFAULT_BASE_URL = 'https://api.hubapi.com';
const DEALS_BATCH_READ = '/crm/v3/objects/deals/batch/read';
/** HubSpot's limit for batch reads. */
const BATCH_READ_SIZE = 100;
/** Owner look-ups in flight at once, well under HubSpot's burst limit (about 100 requests per 10 s on small plans). */
const OWNER_LOOKUPS_AT_ONCE = 5;
const REQUEST_TIMEOUT_MS = 15_000;

const BatchReadResponse = z.object({
  results: z.array(z.object({ id: z.string(), properties: z.record(z.string(), z.string().nullable()) })),
});

const OwnerResponse = z.object({
  email: z.string().nullish(),
  firstName: z.string().nullish(),
  lastName: z.string().nullish(),
});

type Owner = { email: string | null; name: string | null };

const AssociationList = z.object({ results: z.array(z.object({ id: z.string() })) });
const EngagementResponse = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  associations: z.object({ contacts: AssociationList.optional(), deals: AssociationList.optional() }).optional(),
});

/** The first associated record, or null: an engagement on several deals counts for the first. */
const firstId = (list: z.infer<typeof AssociationList> | undefined) => list?.results[0]?.id ?? null;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** `Retry-After` as seconds: HTTP allows a number of seconds or a date. */
function retryAfterSeconds(value: string | null): number | null {
  if (value === null) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function ownerFrom(owner: z.infer<typeof OwnerResponse>): Owner {
  const name = [owner.firstName, owner.lastName].filter(Boolean).join(' ').trim();
  return { email: owner.email || null, name: name || null };
}

/**
 * HubSpot requests with the token and the error mapping above: `send` answers the response if 2xx,
 * null if 404, else throws; `postJson` sends a JSON body and reads an answer of the expected shape.
 */
export function hubspotRequests(opts: HubSpotApiOptions) {
  const fetchImpl = opts.fetch ?? fetch;
  const baseUrl = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');

  /** One call: the response if 2xx, null if 404, else a throw. Error texts never include the token. */
  async function send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response | null> {
    const what = `HubSpot ${method} ${path}`;
    const token = typeof opts.accessToken === 'string' ? opts.accessToken : await opts.accessToken();
    let response: Response;
    try {
      response = await fetchImpl(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CrmApiUnavailableError(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const { status } = response;
    if (response.ok) return response;
    // Frees the connection; the error body adds nothing we act on.
    await response.body?.cancel().catch(() => undefined);
    if (status === 404) return null;
    if (status === 401 || status === 403) {
      throw new CrmApiAuthError(`${what} refused the access token (${status})`, status);
    }
    if (status === 429 || status >= 500) {
      const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
      throw new CrmApiUnavailableError(`${what} answered ${status}`, retryAfter);
    }
    throw new Error(`${what} answered ${status}`);
  }

  /** A 2xx body of the expected shape; anything else is treated as HubSpot having a bad moment. */
  async function readJson<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    try {
      return schema.parse(await response.json());
    } catch {
      throw new CrmApiUnavailableError(`HubSpot answered ${what} with an unexpected body`);
    }
  }

  /** A POST whose URL must exist: a 404 is a bug on our side, not a missing record. */
  async function postJson<T>(path: string, body: unknown, schema: z.ZodType<T>, what: string): Promise<T> {
    const response = await send('POST', path, body);
    if (response === null) throw new Error(`HubSpot POST ${path} answered 404`);
    return readJson(response, schema, what);
  }

  return { send, readJson, postJson };
}

export function createHubSpotApi(opts: HubSpotApiOptions): CrmApi {
  const { send, readJson, postJson } = hubspotRequests(opts);

  async function fetchDealBatch(ids: string[], deals: Map<string, DealFields>): Promise<void> {
    // Unknown ids are reported inside a 207, so a 404 means the URL itself is wrong.
    const body = { inputs: ids.map((id) => ({ id })), properties: DEAL_PROPERTIES };
    const { results } = await postJson(DEALS_BATCH_READ, body, BatchReadResponse, 'a deal batch read');
    // A value that cannot be read is left out: the deal's other fields are still worth having.
    for (const deal of results) deals.set(deal.id, dealFieldsFromProperties(deal.properties).fields);
  }

  async function fetchOwner(id: string): Promise<Owner | null> {
    const response = await send('GET', `/crm/v3/owners/${encodeURIComponent(id)}`);
    return response === null ? null : ownerFrom(await readJson(response, OwnerResponse, 'an owner look-up'));
  }

  async function fetchActivity(activityId: string): Promise<ActivityFields | null> {
    const engagement = readEngagementActivityId(activityId);
    if (!engagement) throw new Error(`${activityId} is not a HubSpot engagement id`);
    const query = new URLSearchParams({
      properties: ACTIVITY_PROPERTIES[engagement.type].join(','),
      associations: 'contacts,deals',
    });
    const path = `/crm/v3/objects/${ENGAGEMENT_PATHS[engagement.type]}/${encodeURIComponent(engagement.objectId)}`;
    const response = await send('GET', `${path}?${query}`);
    if (response === null) return null;
    const { properties, associations } = await readJson(response, EngagementResponse, 'an engagement read');
    return {
      ...activityFieldsFromProperties(engagement.type, properties),
      dealId: firstId(associations?.deals),
      leadId: firstId(associations?.contacts),
    };
  }

  return {
    fetchActivity,

    async fetchDeals(ids) {
      const deals = new Map<string, DealFields>();
      for (const batch of chunks([...new Set(ids)], BATCH_READ_SIZE)) await fetchDealBatch(batch, deals);
      return deals;
    },

    async fetchOwners(ids) {
      const owners = new Map<string, Owner>();
      for (const group of chunks([...new Set(ids)], OWNER_LOOKUPS_AT_ONCE)) {
        const found = await Promise.all(group.map(async (id) => [id, await fetchOwner(id)] as const));
        for (const [id, owner] of found) if (owner !== null) owners.set(id, owner);
      }
      return owners;
    },
  };
}
