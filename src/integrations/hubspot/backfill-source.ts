/**
 * HubSpot's history, read through the CRM search API for a backfill
 * (https://developers.hubspot.com/docs/api/crm/search):
 *
 * - `POST /crm/v3/objects/{deals|contacts|calls|meetings|emails|tasks}/search`, 200 records a page
 *   (`limit` at most 200), the next page at `paging.next.after`, filtered to a time slice and sorted
 *   ascending on the same property. A query returns at most 10,000 results (asking past them is a
 *   400), so the window is read in time slices: a slice whose `total` exceeds 10,000 is narrowed in
 *   proportion and asked again; the next slice starts as wide as the last one that fit.
 * - Search requests are limited to 5 a second per account; the pacer keeps under that. Other
 *   requests (batch reads, associations) are paced under the burst limit of the smallest plans,
 *   100 per 10 s (https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details).
 * - Deals: those modified in the window (open and closed), with their stage history from
 *   `POST /crm/v3/objects/deals/batch/read` with `propertiesWithHistory=dealstage` (at most 50 ids
 *   a request with history), as one deal.upsert at each stage's time plus the deal as it is now.
 * - Leads: contacts created in the window, as lead.create.
 * - Activities: calls, meetings, emails and tasks whose `hs_timestamp` is in the window, read with
 *   the properties webhooks' API reads use, and linked to their first contact and deal through
 *   `POST /crm/v4/associations/{type}/{contacts|deals}/batch/read`
 *   (https://developers.hubspot.com/docs/api/crm/associations), 1,000 ids a read: a backfill page
 *   of engagements is five search pages, so the association reads stay well under their limit.
 * - A page is listed by its searches alone (`listPage`); its history or association reads come
 *   after, in `events()`, so the engine lists the next pages meanwhile and the search limit, not the
 *   other one, sets the pace: ten seconds of deal searches need twenty of history reads.
 *
 * A 429 throws `CrmApiUnavailableError` with `Retry-After`, which the engine waits out.
 */
import { z } from 'zod';
import { Pacer } from '../../delivery/pacer.js';
import { RollingWindow } from '../../lib/rolling-window.js';
import type {
  BackfillCursor,
  BackfillPage,
  BackfillSource,
  BackfillStage,
  BackfillWindow,
  ListedPage,
} from '../backfill/contract.js';
import { backfillEventId } from '../backfill/event-id.js';
import type { CrmEvent } from '../crm-event.js';
import {
  ACTIVITY_PROPERTIES,
  activityFieldsFromProperties,
  ENGAGEMENT_PATHS,
  type EngagementType,
  engagementActivityId,
  readHubSpotTime,
} from './activity-properties.js';
import { type HubSpotApiOptions, hubspotRequests } from './api.js';
import { DEAL_PROPERTIES, dealFieldsFromProperties } from './deal-properties.js';

export interface HubSpotBackfillOptions extends HubSpotApiOptions {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** HubSpot's documented limits for search. */
export const SEARCH_PAGE_SIZE = 200;
export const SEARCH_RESULT_CAP = 10_000;
const SEARCH_PER_SECOND = 5;
/** 90 of the 100 a rolling 10 s allows. */
const OTHER_PER_10_SECONDS = 90;
/** How much later than our send HubSpot may count a search (a busy network or server). */
const SEND_JITTER_MS = 50;
const HISTORY_BATCH_SIZE = 50;
const ASSOCIATION_BATCH_SIZE = 1000;
/** Search pages per backfill page of engagements: as many records as one association read takes. */
const SEARCHES_PER_ENGAGEMENT_PAGE = ASSOCIATION_BATCH_SIZE / SEARCH_PAGE_SIZE;
/** A slice is narrowed to hold this share of the cap, so a slightly denser stretch still fits. */
const SLICE_FILL = 0.9;

interface SearchObject {
  /** The search path segment. */
  path: string;
  /** The property the window filters and sorts on. */
  timeProperty: string;
  /** The property that says when the record last changed (the event id's time). */
  modifiedProperty: string;
  properties: readonly string[];
  engagement?: EngagementType;
}

const ENGAGEMENT_TYPES: readonly EngagementType[] = ['call', 'meeting', 'email', 'task'];

const STAGE_OBJECTS: Record<BackfillStage, readonly SearchObject[]> = {
  deals: [
    {
      path: 'deals',
      timeProperty: 'hs_lastmodifieddate',
      modifiedProperty: 'hs_lastmodifieddate',
      properties: [...DEAL_PROPERTIES, 'hs_lastmodifieddate'],
    },
  ],
  leads: [
    {
      path: 'contacts',
      timeProperty: 'createdate',
      modifiedProperty: 'lastmodifieddate',
      properties: ['createdate', 'lastmodifieddate', 'hubspot_owner_id', 'hs_analytics_source'],
    },
  ],
  activities: ENGAGEMENT_TYPES.map((type) => ({
    path: ENGAGEMENT_PATHS[type],
    timeProperty: 'hs_timestamp',
    modifiedProperty: 'hs_lastmodifieddate',
    properties: [...ACTIVITY_PROPERTIES[type], 'hs_lastmodifieddate'],
    engagement: type,
  })),
};

const Properties = z.record(z.string(), z.string().nullable());
const SearchResponse = z.object({
  total: z.number(),
  results: z.array(z.object({ id: z.string(), properties: Properties, updatedAt: z.string().optional() })),
  paging: z.object({ next: z.object({ after: z.string() }) }).optional(),
});
type SearchResult = z.infer<typeof SearchResponse>['results'][number];

const HistoryResponse = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      propertiesWithHistory: z
        .record(z.string(), z.array(z.object({ value: z.string().nullable(), timestamp: z.string() })))
        .optional(),
    }),
  ),
});

const AssociationsResponse = z.object({
  results: z.array(
    z.object({
      from: z.object({ id: z.string() }),
      to: z.array(z.object({ toObjectId: z.union([z.number(), z.string()]) })),
    }),
  ),
});

/**
 * Where a stage goes on: which of its objects, the time slice `[from, to)` in epoch ms, the
 * `after` inside the slice, the slice width to try next, and the stage's estimated total.
 */
interface Position {
  object: number;
  from: number;
  to: number;
  after: string | null;
  estimate: number | null;
}

function readPosition(cursor: BackfillCursor): Position {
  const number = (key: string) => {
    const value = cursor[key];
    if (typeof value !== 'number') throw new Error(`the backfill cursor has no ${key}`);
    return value;
  };
  const after = cursor.after;
  const estimate = cursor.estimate;
  return {
    object: number('object'),
    from: number('from'),
    to: number('to'),
    after: typeof after === 'string' ? after : null,
    estimate: typeof estimate === 'number' ? estimate : null,
  };
}

const toCursor = (p: Position): BackfillCursor => ({ ...p });

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

const eventTime = (result: SearchResult, property: string): Date =>
  readHubSpotTime(result.properties[property] ?? null) ?? (result.updatedAt ? new Date(result.updatedAt) : new Date(0));

export function createHubSpotBackfillSource(opts: HubSpotBackfillOptions): BackfillSource {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const requests = hubspotRequests(opts);
  const pacer = new Pacer({
    perChannelPerSecond: 0,
    perMethodPerSecond: { search: SEARCH_PER_SECOND, other: OTHER_PER_10_SECONDS / 10 },
  });

  // The limits' own windows, counted by send: a slot the pacer gave, sent late by a busy process,
  // must not put one request too many in a window. Search's second gets a margin for the jitter
  // between our sending and HubSpot's counting; the other limit is kept at 90 of its 100.
  const windows = {
    search: new RollingWindow(SEARCH_PER_SECOND, 1000 + SEND_JITTER_MS),
    other: new RollingWindow(OTHER_PER_10_SECONDS, 10_000),
  };

  /** Waits for the next free slot of `key` and for room in its window, then sends. */
  async function paced<T>(key: 'search' | 'other', send: () => Promise<T>): Promise<T> {
    const slot = pacer.reserve([key], now().getTime());
    const wait = slot - now().getTime();
    if (wait > 0) await sleep(wait);
    for (let full = windows[key].take(now().getTime()); full > 0; full = windows[key].take(now().getTime())) {
      await sleep(full);
    }
    return send();
  }

  async function search(object: SearchObject, from: number, to: number, after: string | null, limit: number) {
    const body = {
      filterGroups: [
        {
          filters: [
            { propertyName: object.timeProperty, operator: 'GTE', value: String(from) },
            { propertyName: object.timeProperty, operator: 'LT', value: String(to) },
          ],
        },
      ],
      sorts: [{ propertyName: object.timeProperty, direction: 'ASCENDING' }],
      properties: object.properties,
      limit,
      ...(after === null ? {} : { after }),
    };
    return paced('search', () =>
      requests.postJson(`/crm/v3/objects/${object.path}/search`, body, SearchResponse, 'a search'),
    );
  }

  /** Each deal's stage history, oldest first. */
  async function stageHistories(ids: readonly string[]) {
    const histories = new Map<string, { value: string | null; timestamp: string }[]>();
    for (const batch of chunks(ids, HISTORY_BATCH_SIZE)) {
      const { results } = await paced('other', () =>
        requests.postJson(
          '/crm/v3/objects/deals/batch/read',
          { inputs: batch.map((id) => ({ id })), properties: [], propertiesWithHistory: ['dealstage'] },
          HistoryResponse,
          'a deal history read',
        ),
      );
      for (const deal of results) {
        const history = [...(deal.propertiesWithHistory?.dealstage ?? [])];
        history.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
        histories.set(deal.id, history);
      }
    }
    return histories;
  }

  /** The first associated record of each id, of one type. */
  async function firstAssociated(from: string, to: string, ids: readonly string[]) {
    const first = new Map<string, string>();
    for (const batch of chunks(ids, ASSOCIATION_BATCH_SIZE)) {
      const { results } = await paced('other', () =>
        requests.postJson(
          `/crm/v4/associations/${from}/${to}/batch/read`,
          { inputs: batch.map((id) => ({ id })) },
          AssociationsResponse,
          'an association read',
        ),
      );
      for (const result of results) {
        const target = result.to[0];
        if (target) first.set(result.from.id, String(target.toObjectId));
      }
    }
    return first;
  }

  async function dealEvents(results: SearchResult[]): Promise<CrmEvent[]> {
    const histories = await stageHistories(results.map((r) => r.id));
    return results.flatMap((deal): CrmEvent[] => {
      const modified = eventTime(deal, 'hs_lastmodifieddate');
      const stages = (histories.get(deal.id) ?? []).flatMap((entry): CrmEvent[] => {
        const at = readHubSpotTime(entry.timestamp);
        if (!at || entry.value === null) return [];
        return [
          {
            type: 'deal.upsert',
            eventId: backfillEventId('deal-stage', deal.id, at),
            occurredAt: at,
            backfilled: true,
            dealId: deal.id,
            fields: { stage: entry.value },
          },
        ];
      });
      const current: CrmEvent = {
        type: 'deal.upsert',
        eventId: backfillEventId('deal', deal.id, modified),
        occurredAt: modified,
        backfilled: true,
        dealId: deal.id,
        fields: dealFieldsFromProperties(deal.properties).fields,
      };
      return [...stages, current];
    });
  }

  function leadEvents(results: SearchResult[]): CrmEvent[] {
    return results.map((contact) => ({
      type: 'lead.create',
      eventId: backfillEventId('contact', contact.id, eventTime(contact, 'lastmodifieddate')),
      occurredAt: eventTime(contact, 'createdate'),
      backfilled: true,
      leadId: contact.id,
      ownerId: contact.properties.hubspot_owner_id || null,
      leadSource: contact.properties.hs_analytics_source || null,
    }));
  }

  async function activityEvents(type: EngagementType, results: SearchResult[]): Promise<CrmEvent[]> {
    const ids = results.map((r) => r.id);
    const path = ENGAGEMENT_PATHS[type];
    const contacts = ids.length > 0 ? await firstAssociated(path, 'contacts', ids) : new Map();
    const deals = ids.length > 0 ? await firstAssociated(path, 'deals', ids) : new Map();
    return results.map((record) => {
      const modified = eventTime(record, 'hs_lastmodifieddate');
      return {
        type: 'activity.upsert',
        eventId: backfillEventId(type, record.id, modified),
        occurredAt: modified,
        backfilled: true,
        activityId: engagementActivityId(type, record.id),
        fields: {
          ...activityFieldsFromProperties(type, record.properties),
          dealId: deals.get(record.id) ?? null,
          leadId: contacts.get(record.id) ?? null,
        },
      };
    });
  }

  function eventsOf(stage: BackfillStage, object: SearchObject, results: SearchResult[]) {
    if (stage === 'deals') return dealEvents(results);
    if (stage === 'leads') return Promise.resolve(leadEvents(results));
    if (!object.engagement) throw new Error(`${object.path} is not an engagement`);
    return activityEvents(object.engagement, results);
  }

  /** Each object's count over the whole window, one result asked for: the stage's estimate. */
  async function estimateOf(objects: readonly SearchObject[], window: BackfillWindow) {
    let total = 0;
    for (const object of objects) {
      total += (await search(object, window.since.getTime(), window.until.getTime(), null, 1)).total;
    }
    return total;
  }

  /** A page's searches; its batch reads are left to `events()`, for the engine to list on meanwhile. */
  async function listPage(
    stage: BackfillStage,
    window: BackfillWindow,
    cursor: BackfillCursor | null,
  ): Promise<ListedPage> {
    const objects = STAGE_OBJECTS[stage];
    const since = window.since.getTime();
    const until = window.until.getTime();
    const at: Position = cursor
      ? readPosition(cursor)
      : { object: 0, from: since, to: until, after: null, estimate: await estimateOf(objects, window) };
    const object = objects[at.object];
    const estimatedTotal = at.estimate;
    if (!object) return { events: async () => [], records: 0, next: null, estimatedTotal };
    let page = await search(object, at.from, at.to, at.after, SEARCH_PAGE_SIZE);
    // A slice past the cap is narrowed in proportion to how far past it is, and asked again.
    while (page.total > SEARCH_RESULT_CAP) {
      const width = at.to - at.from;
      if (width <= 1) throw new Error(`HubSpot holds more than ${SEARCH_RESULT_CAP} ${object.path} in one millisecond`);
      at.to = at.from + Math.max(1, Math.floor((width * SEARCH_RESULT_CAP * SLICE_FILL) / page.total));
      at.after = null;
      page = await search(object, at.from, at.to, null, SEARCH_PAGE_SIZE);
    }
    // Engagements are read several search pages at a time, so one association read covers them all.
    const results = [...page.results];
    for (let more = 1; object.engagement && more < SEARCHES_PER_ENGAGEMENT_PAGE && page.paging; more++) {
      page = await search(object, at.from, at.to, page.paging.next.after, SEARCH_PAGE_SIZE);
      results.push(...page.results);
    }
    const listed = { events: () => eventsOf(stage, object, results), records: results.length, estimatedTotal };
    const after = page.paging?.next.after;
    if (after !== undefined) return { ...listed, next: toCursor({ ...at, after }) };
    if (at.to < until) {
      // The next slice as wide as this one (twice as wide after a sparse one); narrowed again if it holds more.
      const width = (at.to - at.from) * (page.total < SEARCH_RESULT_CAP / 2 ? 2 : 1);
      const next = { ...at, from: at.to, to: Math.min(until, at.to + width), after: null };
      return { ...listed, next: toCursor(next) };
    }
    if (at.object + 1 < objects.length) {
      const next = { ...at, object: at.object + 1, from: since, to: until, after: null };
      return { ...listed, next: toCursor(next) };
    }
    return { ...listed, next: null };
  }

  return {
    source: 'hubspot',
    listPage,
    async readPage(stage, window, cursor) {
      const listed = await listPage(stage, window, cursor);
      return { ...listed, events: await listed.events() };
    },
  };
}
