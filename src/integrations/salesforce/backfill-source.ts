/**
 * Salesforce's history for a backfill, read with SOQL through the REST query resource and
 * `queryMore` (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm):
 *
 * - deals: Opportunities modified, or closed, within the window, each with its stage history from
 *   `OpportunityHistory` (the `OpportunityHistories` child relationship, one query for both): a
 *   `deal.upsert` carrying the stage at each time it changed, then the whole record at its
 *   `LastModifiedDate`, as an outbound message would carry it;
 * - leads: Leads created within the window, as `lead.create` the way outbound messages make them;
 * - activities: Tasks (calls, emails, tasks) then Events (meetings) modified or happening within the
 *   window, read by the same field readers as outbound messages (activity-fields.ts).
 *
 * Plain `query` leaves deleted records out, so none is read. Each query is ordered by Id, and the
 * cursor keeps the last Id read beside the `nextRecordsUrl`: a query locator is good for 15 minutes
 * and used once, so a run resuming later (or reading a page again after a failure) asks again for
 * the records after that Id, and reads no page twice.
 *
 * Salesforce counts the org's API requests over 24 hours, and the backfill shares that allowance
 * with everything else the org runs: once the `Sforce-Limit-Info` header says 90% is used, or
 * Salesforce refuses with REQUEST_LIMIT_EXCEEDED, the source waits an hour
 * (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
 */
import { z } from 'zod';
import { CrmApiUnavailableError } from '../adapter.js';
import type {
  BackfillCursor,
  BackfillPage,
  BackfillSource,
  BackfillStage,
  BackfillWindow,
} from '../backfill/contract.js';
import { backfillEventId } from '../backfill/event-id.js';
import type { CrmEvent } from '../crm-event.js';
import { EVENT_FIELDS, eventFields, TASK_FIELDS, taskFields } from './activity-fields.js';
import {
  CURRENCY_FIELD,
  InvalidRecordError,
  OPPORTUNITY_FIELDS,
  opportunityFields,
  readDateTime,
  readId,
  type SalesforceRecord,
} from './fields.js';
import { isSalesforceId } from './ids.js';
import {
  checkApiVersion,
  DEFAULT_API_VERSION,
  jsonRecord,
  NEXT_RECORDS_PATH,
  parseAnswer,
  REQUEST_LIMIT_RETRY_SECONDS,
  type SalesforceCredentials,
  SalesforceRequestError,
  salesforceGet,
  sessionOf,
} from './rest.js';

export type SalesforceBackfillOptions = SalesforceCredentials & {
  fetch?: typeof fetch;
  /** Default DEFAULT_API_VERSION, as the API client. */
  apiVersion?: string;
  /** Only organizations with multiple currencies have `CurrencyIsoCode`; asking others for it is refused. */
  multiCurrency?: boolean;
};

type SObject = 'Opportunity' | 'Lead' | 'Task' | 'Event';

/** What each stage reads, in order. */
const STAGE_OBJECTS: Record<BackfillStage, readonly SObject[]> = {
  deals: ['Opportunity'],
  leads: ['Lead'],
  activities: ['Task', 'Event'],
};

/** Share of the org's daily API requests past which the backfill leaves the rest to the org's other uses. */
const API_USAGE_CEILING = 0.9;
const HISTORY_RELATIONSHIP = 'OpportunityHistories';

const QueryAnswer = z.object({
  totalSize: z.number().int().nonnegative(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
type QueryAnswer = z.infer<typeof QueryAnswer>;

/** Where a stage goes on: the object being read, its next page, the last Id read, the stage's count. */
interface Position {
  object: SObject;
  next: string | null;
  lastId: string | null;
  total: number | null;
}

function positionOf(stage: BackfillStage, cursor: BackfillCursor | null): Position {
  const objects = STAGE_OBJECTS[stage];
  if (cursor === null) return { object: objects[0] as SObject, next: null, lastId: null, total: null };
  const object = objects.find((o) => o === cursor.object);
  const { next, lastId, total } = cursor;
  if (
    !object ||
    (next !== null && (typeof next !== 'string' || !NEXT_RECORDS_PATH.test(next))) ||
    (lastId !== null && !isSalesforceId(lastId)) ||
    (total !== null && typeof total !== 'number')
  )
    throw new Error(`not a Salesforce ${stage} backfill cursor: ${JSON.stringify(cursor)}`);
  return { object, next, lastId, total };
}

/** SOQL date-times have no fraction; the window's end is rounded up so that nothing in it is left out. */
function soqlDateTime(date: Date, roundUp = false): string {
  const seconds = (roundUp ? Math.ceil : Math.floor)(date.getTime() / 1000);
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

const soqlDate = (date: Date) => date.toISOString().slice(0, 10);

/** Records of the object that belong in the window: touched in it, or (closed, due, held) in it. */
function windowFilter(object: SObject, { since, until }: BackfillWindow): string {
  const from = soqlDateTime(since);
  const to = soqlDateTime(until, true);
  const modified = `(LastModifiedDate >= ${from} AND LastModifiedDate < ${to})`;
  const days = `>= ${soqlDate(since)} AND`;
  switch (object) {
    case 'Opportunity':
      return `(${modified} OR (IsClosed = true AND CloseDate ${days} CloseDate <= ${soqlDate(until)}))`;
    case 'Lead':
      return `(CreatedDate >= ${from} AND CreatedDate < ${to})`;
    case 'Task':
      return `(${modified} OR (ActivityDate ${days} ActivityDate <= ${soqlDate(until)}))`;
    case 'Event':
      return `(${modified} OR (StartDateTime >= ${from} AND StartDateTime < ${to}))`;
  }
}

/**
 * Keeps the `LastModifiedDate` (the event id and time) and what the readers read; Lead reads what
 * outbound messages carry for it.
 */
function selectList(object: SObject, multiCurrency: boolean): string {
  switch (object) {
    case 'Opportunity': {
      const fields = [...OPPORTUNITY_FIELDS, 'LastModifiedDate', ...(multiCurrency ? [CURRENCY_FIELD] : [])];
      const history = `(SELECT Id, StageName, CreatedDate FROM ${HISTORY_RELATIONSHIP} ORDER BY CreatedDate)`;
      return `${fields.join(', ')}, ${history}`;
    }
    case 'Lead':
      return 'Id, OwnerId, LeadSource, CreatedDate, LastModifiedDate';
    case 'Task':
      return TASK_FIELDS.join(', ');
    case 'Event':
      return EVENT_FIELDS.join(', ');
  }
}

function recordTime(record: SalesforceRecord, name: string): Date {
  const time = readDateTime(record, name);
  if (!time) throw new InvalidRecordError(`${name} is missing`);
  return time;
}

function recordId(record: SalesforceRecord): string {
  const id = readId(record, 'Id');
  if (!id) throw new InvalidRecordError('the record has no Id');
  return id;
}

/** The stage at each time it changed, from the history rows (which also record amount and date changes). */
function stageEvents(dealId: string, rows: readonly Record<string, unknown>[]): CrmEvent[] {
  const events: CrmEvent[] = [];
  let stage: string | null | undefined;
  for (const row of rows.map(jsonRecord)) {
    const next = row.get('StageName');
    if (!next || next === stage) continue;
    stage = next;
    const at = recordTime(row, 'CreatedDate');
    events.push({
      type: 'deal.upsert',
      eventId: backfillEventId('OpportunityHistory', recordId(row), at),
      occurredAt: at,
      dealId,
      fields: { stage: next },
      backfilled: true,
    });
  }
  return events;
}

function recordEvent(object: SObject, record: SalesforceRecord): CrmEvent {
  const id = recordId(record);
  const changedAt = recordTime(record, 'LastModifiedDate');
  const base = { eventId: backfillEventId(object, id, changedAt), backfilled: true } as const;
  switch (object) {
    case 'Opportunity':
      return { ...base, type: 'deal.upsert', occurredAt: changedAt, dealId: id, fields: opportunityFields(record) };
    case 'Lead':
      return {
        ...base,
        type: 'lead.create',
        occurredAt: recordTime(record, 'CreatedDate'),
        leadId: id,
        ownerId: readId(record, 'OwnerId'),
        leadSource: record.get('LeadSource'),
      };
    case 'Task':
      return { ...base, type: 'activity.upsert', occurredAt: changedAt, activityId: id, fields: taskFields(record) };
    case 'Event':
      return { ...base, type: 'activity.upsert', occurredAt: changedAt, activityId: id, fields: eventFields(record) };
  }
}

/** The org's API usage from `Sforce-Limit-Info: api-usage=25/5000`; null when not sent. */
function apiUsage(headers: Headers): { used: number; limit: number } | null {
  const match = /api-usage=(\d+)\/(\d+)/.exec(headers.get('sforce-limit-info') ?? '');
  return match ? { used: Number(match[1]), limit: Number(match[2]) } : null;
}

export function createSalesforceBackfillSource(options: SalesforceBackfillOptions): BackfillSource {
  const base = `/services/data/${checkApiVersion(options.apiVersion ?? DEFAULT_API_VERSION)}`;
  const fetchImpl = options.fetch ?? fetch;
  const multiCurrency = options.multiCurrency ?? false;

  async function get(path: string): Promise<QueryAnswer> {
    const { body, headers } = await salesforceGet(fetchImpl, await sessionOf(options), path);
    const usage = apiUsage(headers);
    if (usage && usage.used >= usage.limit * API_USAGE_CEILING) {
      throw new CrmApiUnavailableError(
        `Salesforce: ${usage.used} of the org's ${usage.limit} daily API requests are used; the backfill leaves the rest to the org's other uses`,
        REQUEST_LIMIT_RETRY_SECONDS,
      );
    }
    return parseAnswer(QueryAnswer, body);
  }

  const query = (soql: string) => get(`${base}/query?${new URLSearchParams({ q: soql })}`);

  /** The records after `lastId`, from the start of a fresh query. */
  function ask(object: SObject, window: BackfillWindow, lastId: string | null): Promise<QueryAnswer> {
    const after = lastId === null ? '' : ` AND Id > '${lastId}'`;
    return query(
      `SELECT ${selectList(object, multiCurrency)} FROM ${object} WHERE ${windowFilter(object, window)}${after} ORDER BY Id`,
    );
  }

  /** The next page behind the locator; a locator Salesforce no longer has means asking again after the last Id. */
  async function page(at: Position, window: BackfillWindow): Promise<QueryAnswer> {
    if (at.next === null) return ask(at.object, window, at.lastId);
    try {
      return await get(at.next);
    } catch (error) {
      if (!(error instanceof SalesforceRequestError) || error.errorCode !== 'INVALID_QUERY_LOCATOR') throw error;
      return ask(at.object, window, at.lastId);
    }
  }

  /** A child relationship's rows, following its own nextRecordsUrl when Salesforce split them. */
  async function childRows(value: unknown): Promise<Record<string, unknown>[]> {
    if (value === null || value === undefined) return [];
    let answer = parseAnswer(QueryAnswer, value);
    const rows = [...answer.records];
    while (!answer.done) {
      if (!answer.nextRecordsUrl || !NEXT_RECORDS_PATH.test(answer.nextRecordsUrl))
        throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer (nextRecordsUrl)');
      answer = await get(answer.nextRecordsUrl);
      rows.push(...answer.records);
    }
    return rows;
  }

  /**
   * A record's events; none for one the outbound-message readers would refuse too (a field present
   * but unreadable), which counts as read.
   */
  async function eventsOf(object: SObject, json: Record<string, unknown>): Promise<CrmEvent[]> {
    try {
      const record = jsonRecord(json);
      const history =
        object === 'Opportunity' ? stageEvents(recordId(record), await childRows(json[HISTORY_RELATIONSHIP])) : [];
      return [...history, recordEvent(object, record)];
    } catch (error) {
      if (error instanceof InvalidRecordError) return [];
      throw error;
    }
  }

  /** How many records of the stage's later objects are in the window (`COUNT()` answers only a total). */
  async function laterTotal(stage: BackfillStage, window: BackfillWindow): Promise<number> {
    let total = 0;
    for (const object of STAGE_OBJECTS[stage].slice(1))
      total += (await query(`SELECT COUNT() FROM ${object} WHERE ${windowFilter(object, window)}`)).totalSize;
    return total;
  }

  return {
    source: 'salesforce',
    async readPage(stage, window, cursor): Promise<BackfillPage> {
      const at = positionOf(stage, cursor);
      const answer = await page(at, window);
      const total = at.total ?? answer.totalSize + (await laterTotal(stage, window));
      const events: CrmEvent[] = [];
      for (const json of answer.records) events.push(...(await eventsOf(at.object, json)));
      const lastId = answer.records.length > 0 ? answer.records.at(-1)?.Id : at.lastId;
      // It goes into the next query's SOQL: only an id may.
      if (lastId !== null && !isSalesforceId(lastId))
        throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer (a record without an Id)');
      const following = STAGE_OBJECTS[stage][STAGE_OBJECTS[stage].indexOf(at.object) + 1];
      let next: BackfillCursor | null = null;
      if (!answer.done) {
        if (!answer.nextRecordsUrl || !NEXT_RECORDS_PATH.test(answer.nextRecordsUrl))
          throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer (nextRecordsUrl)');
        next = { object: at.object, next: answer.nextRecordsUrl, lastId, total };
      } else if (following) next = { object: following, next: null, lastId: null, total };
      return { events, records: answer.records.length, next, estimatedTotal: total };
    },
  };
}
