/**
 * Pipedrive's history for a backfill:
 *
 * - deals: API v2 `GET /api/v2/deals` updated within the window (`updated_since`, `updated_until`), of
 *   every status (without a status filter Pipedrive returns all but deleted ones), as the whole record
 *   a webhook carries, at its `update_time`. Stage history: Pipedrive gives only the deal's flow, one
 *   request per deal (`GET /api/v1/deals/{id}/flow`), too costly for thousands of deals; what the
 *   record says cheaply is when the deal entered its current stage (`stage_change_time`, else when it
 *   was added), and that is read as a `deal.upsert` of the stage at that time.
 * - leads: API v1 `GET /api/v1/leads` (leads have no v2 list with a time filter), newest first, offset
 *   pagination: the cursor keeps the offset; reading stops at the first lead added before the window.
 * - activities: API v2 `GET /api/v2/activities` updated within the window, through the same mapping as
 *   webhooks (records.ts).
 *
 * v2 collections are cursor-paginated (`cursor`, `limit` up to 500, `additional_data.next_cursor`):
 * the cursor keeps Pipedrive's. Requests are paced under the token's burst limit, which Pipedrive
 * counts per 2-second window and shares with the app's other reads: at most one every
 * MIN_INTERVAL_MS, and none while the window's `x-ratelimit-remaining` is at RESERVE_REQUESTS until
 * `x-ratelimit-reset` (https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting). A 429
 * throws `CrmApiUnavailableError` with `Retry-After` (else `x-ratelimit-reset`).
 */
import { z } from 'zod';
import { CrmApiAuthError, CrmApiUnavailableError } from '../adapter.js';
import type { BackfillCursor, BackfillSource, BackfillStage, BackfillWindow } from '../backfill/contract.js';
import { backfillEventId } from '../backfill/event-id.js';
import type { CrmEvent } from '../crm-event.js';
import { type PipedriveCredentials, requestTarget, retryAfterSeconds } from './api.js';
import {
  describeIssues,
  isDeletedDeal,
  leadSourceOf,
  PipedriveActivity,
  PipedriveDeal,
  PipedriveLead,
  parsePipedriveTime,
  toActivityFields,
  toDealFields,
} from './records.js';

export type PipedriveBackfillOptions = PipedriveCredentials & {
  fetch?: typeof fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Records a page, 1 to 500 (Pipedrive's most); default 500. */
  pageSize?: number;
};

export const MAX_PAGE_SIZE = 500;
/**
 * An Essential plan's API token may make 20 requests per 2 seconds (its OAuth token 80), the least of
 * any plan; the backfill takes at most half of that (10 per 2 seconds), so live reads keep the rest.
 */
export const MIN_INTERVAL_MS = 200;
/** Requests of the window left to the app's live reads: the backfill waits for the next window first. */
const RESERVE_REQUESTS = 5;
const TIMEOUT_MS = 30_000;

const V2Page = z.object({
  data: z.array(z.unknown()).nullable(),
  additional_data: z.object({ next_cursor: z.string().nullish() }).nullish(),
});
const LeadsPage = z.object({
  data: z.array(z.unknown()).nullable(),
  additional_data: z
    .object({
      pagination: z
        .object({ more_items_in_collection: z.boolean(), next_start: z.number().int().nonnegative().optional() })
        .optional(),
    })
    .nullish(),
});
const Timestamp = z.string().transform((text, ctx) => {
  const time = parsePipedriveTime(text);
  if (time) return time;
  ctx.addIssue({ code: 'custom', message: `"${text}" is not a date-time` });
  return z.NEVER;
});
/** What the event's id and time, and the stage's time, are read from. */
const Changed = z.object({
  update_time: Timestamp,
  add_time: Timestamp.nullish(),
  stage_change_time: Timestamp.nullish(),
});

function dealEvents(record: unknown): CrmEvent[] {
  const deal = PipedriveDeal.safeParse(record);
  const changed = Changed.safeParse(record);
  if (!deal.success || !changed.success || isDeletedDeal(deal.data)) return [];
  const { update_time: updatedAt, stage_change_time: stageChangedAt, add_time: addedAt } = changed.data;
  const dealId = deal.data.id;
  const events: CrmEvent[] = [];
  const enteredStageAt = stageChangedAt ?? addedAt;
  const stage = deal.data.stage_id;
  if (stage && enteredStageAt && enteredStageAt < updatedAt) {
    events.push({
      type: 'deal.upsert',
      eventId: backfillEventId('deal-stage', dealId, enteredStageAt),
      occurredAt: enteredStageAt,
      dealId,
      fields: { stage },
      backfilled: true,
    });
  }
  events.push({
    type: 'deal.upsert',
    eventId: backfillEventId('deal', dealId, updatedAt),
    occurredAt: updatedAt,
    dealId,
    fields: toDealFields(deal.data, 'v2'),
    backfilled: true,
  });
  return events;
}

function activityEvents(record: unknown): CrmEvent[] {
  const activity = PipedriveActivity.safeParse(record);
  const changed = Changed.safeParse(record);
  if (!activity.success || !changed.success || activity.data.is_deleted === true) return [];
  const { id } = activity.data;
  return [
    {
      type: 'activity.upsert',
      eventId: backfillEventId('activity', id, changed.data.update_time),
      occurredAt: changed.data.update_time,
      activityId: id,
      fields: toActivityFields(activity.data, 'v2'),
      backfilled: true,
    },
  ];
}

function leadEvent(lead: z.output<typeof PipedriveLead>, addedAt: Date, updatedAt: Date): CrmEvent {
  return {
    type: 'lead.create',
    eventId: backfillEventId('lead', lead.id, updatedAt),
    occurredAt: addedAt,
    leadId: lead.id,
    ownerId: lead.owner_id ?? null,
    leadSource: leadSourceOf(lead) ?? null,
    backfilled: true,
  };
}

function readCursor(stage: BackfillStage, cursor: BackfillCursor | null): { cursor: string | null; start: number } {
  if (cursor === null) return { cursor: null, start: 0 };
  const { cursor: next, start } = cursor;
  if (stage === 'leads' && typeof start === 'number' && Number.isInteger(start) && start >= 0)
    return { cursor: null, start };
  if (stage !== 'leads' && typeof next === 'string' && next !== '') return { cursor: next, start: 0 };
  throw new Error(`not a Pipedrive ${stage} backfill cursor: ${JSON.stringify(cursor)}`);
}

export function createPipedriveBackfillSource(options: PipedriveBackfillOptions): BackfillSource {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)
    throw new Error(`Pipedrive pages hold 1 to ${MAX_PAGE_SIZE} records, not ${pageSize}`);
  /** When the next request may go: pacing only, nothing a resumed run needs. */
  let notBefore = 0;

  async function get(path: string, params: Record<string, string>): Promise<unknown> {
    const wait = notBefore - now().getTime();
    if (wait > 0) await sleep(wait);
    const { baseUrl, auth } = await requestTarget(options);
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}?${new URLSearchParams(params)}`, {
        headers: { ...auth, accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new CrmApiUnavailableError(`Pipedrive could not be reached: ${(error as Error).message}`);
    } finally {
      notBefore = now().getTime() + MIN_INTERVAL_MS;
    }
    const remaining = Number(response.headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const reset = Number(response.headers.get('x-ratelimit-reset') ?? Number.NaN);
    if (remaining <= RESERVE_REQUESTS && reset > 0) notBefore = Math.max(notBefore, now().getTime() + reset * 1000);
    if (response.status === 401) throw new CrmApiAuthError('Pipedrive refused the token (401)', 401);
    if (response.status === 429 || response.status >= 500)
      throw new CrmApiUnavailableError(`Pipedrive answered ${response.status}.`, retryAfterSeconds(response.headers));
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw new Error(`Pipedrive answered ${response.status} to GET ${path}`);
    if (body === undefined) throw new CrmApiUnavailableError(`Pipedrive's answer to GET ${path} is not JSON.`);
    return body;
  }

  function parse<T extends z.ZodType>(schema: T, body: unknown, path: string): z.output<T> {
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      throw new Error(`Pipedrive's answer to GET ${path} is unexpected: ${describeIssues(parsed.error)}`);
    return parsed.data;
  }

  async function v2Page(
    path: string,
    window: BackfillWindow,
    cursor: string | null,
    toEvents: (record: unknown) => CrmEvent[],
  ): ReturnType<BackfillSource['readPage']> {
    const params: Record<string, string> = {
      updated_since: window.since.toISOString(),
      updated_until: window.until.toISOString(),
      limit: String(pageSize),
      ...(cursor && { cursor }),
    };
    const body = parse(V2Page, await get(path, params), path);
    const records = body.data ?? [];
    const next = body.additional_data?.next_cursor;
    return {
      events: records.flatMap(toEvents),
      records: records.length,
      next: next ? { cursor: next } : null,
      estimatedTotal: null,
    };
  }

  async function leadsPage(window: BackfillWindow, start: number): ReturnType<BackfillSource['readPage']> {
    const path = '/api/v1/leads';
    const params = { start: String(start), limit: String(pageSize), archived_status: 'all', sort: 'add_time DESC' };
    const body = parse(LeadsPage, await get(path, params), path);
    const records = body.data ?? [];
    const events: CrmEvent[] = [];
    let older = false;
    for (const record of records) {
      const lead = PipedriveLead.safeParse(record);
      const changed = Changed.safeParse(record);
      const addedAt = changed.data?.add_time;
      if (!lead.success || !changed.success || !addedAt) continue;
      if (addedAt < window.since) older = true;
      else if (addedAt < window.until) events.push(leadEvent(lead.data, addedAt, changed.data.update_time));
    }
    const pagination = body.additional_data?.pagination;
    const more = !older && pagination?.more_items_in_collection === true;
    const next = more ? { start: pagination?.next_start ?? start + records.length } : null;
    return { events, records: records.length, next, estimatedTotal: null };
  }

  return {
    source: 'pipedrive',
    async readPage(stage, window, cursor) {
      const at = readCursor(stage, cursor);
      switch (stage) {
        case 'deals':
          return v2Page('/api/v2/deals', window, at.cursor, dealEvents);
        case 'activities':
          return v2Page('/api/v2/activities', window, at.cursor, activityEvents);
        case 'leads':
          return leadsPage(window, at.start);
      }
    },
  };
}
