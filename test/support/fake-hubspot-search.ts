/**
 * The fake HubSpot's search, association and property-history reads, as a backfill uses them. Each
 * behaviour is HubSpot's as documented on the page named beside it:
 *
 * - `POST /crm/v3/objects/{object}/search` (https://developers.hubspot.com/docs/api/crm/search):
 *   `filterGroups[].filters[]` with `GTE`/`GT`/`LTE`/`LT`/`EQ` on a property (dates as epoch ms or ISO),
 *   one `sorts` entry, `properties`, `limit` (default 10, more than 200 is a 400), `after` (the next
 *   page's offset as a string, given back in `paging.next.after` while more remain). At most 10,000
 *   results per query: a request whose `after` reaches 10,000 is a 400. Results carry the requested
 *   properties plus `hs_object_id`, `createdate`/`hs_createdate` and the last-modified date.
 * - Search is limited to 5 requests a second per account ("Limitations" on the same page): a 6th
 *   within one second (by the fake's clock) is a 429 `RATE_LIMITS`, with `Retry-After` when asked.
 * - Every other request (batch reads, associations, owners, engagements) counts against the burst
 *   limit of the smallest plans, 100 per rolling 10 seconds per token
 *   (https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details): the 101st is a 429.
 * - `POST /crm/v4/associations/{from}/{to}/batch/read`
 *   (https://developers.hubspot.com/docs/api/crm/associations): at most 1,000 inputs (the 2025 limit,
 *   https://developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api);
 *   `results[]` of `{ from: { id }, to: [{ toObjectId, associationTypes }] }`; ids with no
 *   association come back as errors in a 207.
 * - `propertiesWithHistory` on `POST /crm/v3/objects/deals/batch/read`
 *   (https://developers.hubspot.com/docs/api/crm/understanding-the-crm, "property history"):
 *   at most 50 inputs, each property's versions newest first.
 */

/** One record as search returns it. */
export interface SearchRecord {
  id: string;
  properties: Record<string, string | null>;
}

export interface StageVersion {
  value: string;
  /** ISO 8601. */
  timestamp: string;
}

/**
 * What the fake searches. The in-memory one holds what tests put in; the bench generates records on
 * demand, so a hundred thousand of them never sit in memory.
 */
export interface FakeHubSpotRecords {
  /** Records of `object` whose `property` is in `[from, to)` (epoch ms), ascending by it then by id: `[offset, offset + limit)`, and how many match. */
  search(
    object: string,
    property: string,
    range: { from: number; to: number },
    offset: number,
    limit: number,
  ): { total: number; results: SearchRecord[] };
  /** The ids of `to` records associated with a `from` record. */
  associated(from: string, id: string, to: string): string[];
  /** A deal's stage versions, oldest first. */
  stageHistory(dealId: string): StageVersion[];
  /** One record's properties, for batch reads; undefined when there is no such record. */
  record(object: string, id: string): Record<string, string | null> | undefined;
}

export const MAX_SEARCH_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
export const SEARCHES_PER_SECOND = 5;
export const OTHER_REQUESTS_PER_10_SECONDS = 100;
export const MAX_ASSOCIATION_INPUTS = 1000;
export const MAX_HISTORY_INPUTS = 50;

/** Epoch ms from a HubSpot datetime value (epoch ms text or ISO), or NaN. */
export function timeOf(value: string | null | undefined): number {
  if (value === null || value === undefined || value === '') return Number.NaN;
  return /^\d+$/.test(value) ? Number(value) : Date.parse(value);
}

const byTimeThenId = (property: string) => (a: SearchRecord, b: SearchRecord) =>
  timeOf(a.properties[property]) - timeOf(b.properties[property]) || Number(a.id) - Number(b.id);

/** Records the tests put in, searched by filtering and sorting them. */
export class MemoryRecords implements FakeHubSpotRecords {
  readonly objects = new Map<string, Map<string, Record<string, string | null>>>();
  readonly associations = new Map<string, string[]>();
  readonly histories = new Map<string, StageVersion[]>();

  put(object: string, id: string, properties: Record<string, string | null>): void {
    let records = this.objects.get(object);
    if (!records) {
      records = new Map();
      this.objects.set(object, records);
    }
    records.set(id, { ...properties });
  }

  remove(object: string, id: string): void {
    this.objects.get(object)?.delete(id);
  }

  search(object: string, property: string, range: { from: number; to: number }, offset: number, limit: number) {
    const matching = [...(this.objects.get(object) ?? new Map<string, Record<string, string | null>>())]
      .map(([id, properties]) => ({ id, properties }))
      .filter((r) => {
        const t = timeOf(r.properties[property]);
        return t >= range.from && t < range.to;
      })
      .sort(byTimeThenId(property));
    return { total: matching.length, results: matching.slice(offset, offset + limit) };
  }

  associated(from: string, id: string, to: string): string[] {
    return this.associations.get(`${from}/${id}/${to}`) ?? [];
  }

  stageHistory(dealId: string): StageVersion[] {
    return this.histories.get(dealId) ?? [];
  }

  record(object: string, id: string): Record<string, string | null> | undefined {
    return this.objects.get(object)?.get(id);
  }
}

export interface SearchAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const error = (status: number, category: string, message: string): SearchAnswer => ({
  status,
  body: { status: 'error', message, correlationId: '00000000-0000-4000-8000-000000000001', category },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The properties every search result carries, whatever was asked for. */
const ALWAYS = ['hs_object_id', 'createdate', 'hs_createdate', 'hs_lastmodifieddate', 'lastmodifieddate'];

interface Range {
  property: string;
  from: number;
  to: number;
}

/** The one filter group's time range; HubSpot takes more, the fake refuses what a backfill never sends. */
function readRange(body: Record<string, unknown>): Range | string {
  const groups = body.filterGroups;
  if (!Array.isArray(groups) || groups.length !== 1 || !isRecord(groups[0])) return 'one filter group expected';
  const filters = groups[0].filters;
  if (!Array.isArray(filters)) return 'filters must be a list';
  const range: Range = { property: '', from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
  for (const filter of filters) {
    if (!isRecord(filter) || typeof filter.propertyName !== 'string' || typeof filter.value !== 'string') {
      return 'each filter needs propertyName, operator and value';
    }
    if (range.property !== '' && range.property !== filter.propertyName) return 'filters on one property only';
    range.property = filter.propertyName;
    const t = timeOf(filter.value);
    if (Number.isNaN(t)) return `${filter.value} is not a valid datetime`;
    if (filter.operator === 'GTE') range.from = Math.max(range.from, t);
    else if (filter.operator === 'GT') range.from = Math.max(range.from, t + 1);
    else if (filter.operator === 'LT') range.to = Math.min(range.to, t);
    else if (filter.operator === 'LTE') range.to = Math.min(range.to, t + 1);
    else if (filter.operator === 'EQ') {
      range.from = t;
      range.to = t + 1;
    } else return `operator ${String(filter.operator)} is not supported here`;
  }
  return range.property === '' ? 'a filter is required' : range;
}

export class FakeSearch {
  /** Request times per limit and token: search's 5 a second, and the 100 per 10 s of the rest. */
  private readonly recent = new Map<string, number[]>();
  /** Seconds sent as `Retry-After` with the search limit's 429; none by default, as HubSpot. */
  rateLimitRetryAfter: number | null = null;

  constructor(
    readonly records: FakeHubSpotRecords,
    private readonly now: () => Date,
  ) {}

  /** Counts the request against the token's window; the 429 when the window is full. */
  private overLimit(limit: { name: string; requests: number; ms: number }, token: string): boolean {
    const t = this.now().getTime();
    const key = `${limit.name}:${token}`;
    const times = (this.recent.get(key) ?? []).filter((at) => at > t - limit.ms);
    const over = times.length >= limit.requests;
    if (!over) times.push(t);
    this.recent.set(key, times);
    return over;
  }

  /** The search limit's 429, when this search is the 6th within a second. */
  private searchLimited(token: string): SearchAnswer | null {
    if (!this.overLimit({ name: 'search', requests: SEARCHES_PER_SECOND, ms: 1000 }, token)) return null;
    const answer = error(429, 'RATE_LIMITS', 'You have reached your secondly limit.');
    return this.rateLimitRetryAfter === null
      ? answer
      : { ...answer, headers: { 'retry-after': String(this.rateLimitRetryAfter) } };
  }

  /** The burst limit's 429 for any other request, when it is the 101st within 10 seconds. */
  burstLimited(token: string): SearchAnswer | null {
    const burst = { name: 'burst', requests: OTHER_REQUESTS_PER_10_SECONDS, ms: 10_000 };
    return this.overLimit(burst, token)
      ? error(429, 'RATE_LIMITS', 'You have reached your ten_secondly_rolling limit.')
      : null;
  }

  search(object: string, body: unknown, token: string): SearchAnswer {
    const limited = this.searchLimited(token);
    if (limited) return limited;
    if (!isRecord(body)) return error(400, 'VALIDATION_ERROR', 'Invalid input JSON');
    const limit = body.limit ?? 10;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      return error(400, 'VALIDATION_ERROR', 'limit must be a positive integer');
    }
    if (limit > MAX_SEARCH_LIMIT) {
      return error(400, 'VALIDATION_ERROR', `limit must be at most ${MAX_SEARCH_LIMIT}`);
    }
    const after = body.after === undefined ? 0 : Number(body.after);
    if (!Number.isInteger(after) || after < 0) return error(400, 'VALIDATION_ERROR', 'after must be an offset');
    if (after >= SEARCH_RESULT_CAP) {
      return error(400, 'VALIDATION_ERROR', `Search results are limited to ${SEARCH_RESULT_CAP} records`);
    }
    const range = readRange(body);
    if (typeof range === 'string') return error(400, 'VALIDATION_ERROR', range);
    const sorts = body.sorts;
    const sort = Array.isArray(sorts) && isRecord(sorts[0]) ? sorts[0] : null;
    if (sort && (sort.propertyName !== range.property || sort.direction !== 'ASCENDING')) {
      return error(400, 'VALIDATION_ERROR', 'the fake sorts ascending on the filtered property only');
    }
    const asked = Array.isArray(body.properties) ? body.properties.filter((p) => typeof p === 'string') : [];
    const page = this.records.search(object, range.property, range, after, Math.min(limit, SEARCH_RESULT_CAP - after));
    const results = page.results.map((r) => ({
      id: r.id,
      properties: Object.fromEntries(
        [...new Set([...ALWAYS, ...asked])].map((name) => [
          name,
          name === 'hs_object_id' ? r.id : (r.properties[name] ?? null),
        ]),
      ),
      createdAt: r.properties.createdate ?? r.properties.hs_createdate ?? null,
      updatedAt: r.properties.hs_lastmodifieddate ?? r.properties.lastmodifieddate ?? null,
      archived: false,
    }));
    const next = after + results.length;
    const more = next < Math.min(page.total, SEARCH_RESULT_CAP) && results.length > 0;
    return {
      status: 200,
      body: { total: page.total, results, ...(more ? { paging: { next: { after: String(next) } } } : {}) },
    };
  }

  associations(from: string, to: string, body: unknown): SearchAnswer {
    const inputs = isRecord(body) && Array.isArray(body.inputs) ? body.inputs : null;
    const ids = inputs?.map((input) => (isRecord(input) && typeof input.id === 'string' ? input.id : null));
    if (!ids || !ids.every((id): id is string => id !== null)) {
      return error(400, 'VALIDATION_ERROR', 'inputs must be a list of { "id": string }');
    }
    if (ids.length > MAX_ASSOCIATION_INPUTS) {
      return error(400, 'VALIDATION_ERROR', `Batch read is limited to ${MAX_ASSOCIATION_INPUTS} inputs`);
    }
    const results = [];
    const without: string[] = [];
    for (const id of ids) {
      const targets = this.records.associated(from, id, to);
      if (targets.length === 0) without.push(id);
      else
        results.push({
          from: { id },
          to: targets.map((target) => ({
            toObjectId: Number(target),
            associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: null }],
          })),
        });
    }
    const at = this.now().toISOString();
    if (without.length === 0)
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: at, completedAt: at } };
    const errors = without.map((id) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `No ${to} is associated with ${from} ${id}.`,
      context: { fromObjectId: [id], toObjectType: [to] },
    }));
    return {
      status: 207,
      body: { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt: at, completedAt: at },
    };
  }

  /** `propertiesWithHistory` of a deal batch read: only `dealstage` has history in the fake. */
  history(ids: readonly string[], properties: readonly string[]): SearchAnswer | Map<string, unknown> {
    if (ids.length > MAX_HISTORY_INPUTS) {
      return error(
        400,
        'VALIDATION_ERROR',
        `The maximum number of inputs supported in a batch request for property histories is ${MAX_HISTORY_INPUTS}`,
      );
    }
    const histories = new Map<string, unknown>();
    for (const id of ids) {
      const entries = Object.fromEntries(
        properties.map((name) => [
          name,
          name === 'dealstage'
            ? this.records
                .stageHistory(id)
                .map((v) => ({ value: v.value, timestamp: v.timestamp, sourceType: 'CRM_UI' }))
                .reverse()
            : [],
        ]),
      );
      histories.set(id, entries);
    }
    return histories;
  }
}
