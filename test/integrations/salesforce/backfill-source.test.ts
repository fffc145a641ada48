import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmApiAuthError, CrmApiUnavailableError } from '../../../src/integrations/adapter.js';
import type { CrmEvent } from '../../../src/integrations/crm-event.js';
import { createSalesforceBackfillSource } from '../../../src/integrations/salesforce/backfill-source.js';
import { parseOutboundMessage } from '../../../src/integrations/salesforce/parse.js';
import { NINETY_DAYS, objectIdOf, readAll, readStage } from '../../support/backfill-read.js';
import {
  type FakeObject,
  type FakeRecord,
  type FakeSalesforce,
  outboundMessage,
  startFakeSalesforce,
} from '../../support/fake-salesforce.js';
import { rejection } from '../../support/refusal.js';

/**
 * Records in the shapes of the object reference
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm,
 * …_lead.htm, …_task.htm, …_event.htm, …_opportunityhistory.htm), with every field the backfill
 * selects, as the REST query resource answers them (date-times `2026-09-02T18:00:00.000+0000`).
 */

const WINDOW = NINETY_DAYS;
const UNTIL = WINDOW.until;
const BATCH = 25;

/** An 18-character id with the object's key prefix. */
const sfId = (prefix: string, n: number) => `${prefix}5w00000${String(n).padStart(5, '0')}AAA`;
const opp = (n: number) => sfId('006', n);
const lead = (n: number) => sfId('00Q', n);
const task = (n: number) => sfId('00T', n);
const meeting = (n: number) => sfId('00U', n);
const OWNERS = [sfId('005', 1), sfId('005', 2)];
/** A time `hours` after the window opens, as REST writes it. */
const at = (hours: number) => new Date(WINDOW.since.getTime() + hours * 3_600_000).toISOString().replace('Z', '+0000');
const BEFORE_WINDOW = at(-24 * 10);

function opportunity(n: number, fields: Partial<FakeRecord> = {}): FakeRecord {
  const kind = n % 3;
  return {
    Id: opp(n),
    Name: `Deal ${n}`,
    Amount: n * 1000 + 0.5,
    StageName: ['Prospecting', 'Closed Won', 'Closed Lost'][kind] ?? null,
    IsClosed: kind !== 0,
    IsWon: kind === 1,
    CloseDate: at(n * 18).slice(0, 10),
    CreatedDate: at(n * 18 - 200),
    OwnerId: OWNERS[n % 2] ?? null,
    AccountId: sfId('001', n),
    LeadSource: n % 4 === 0 ? 'Web' : null,
    Type: n % 5 === 0 ? 'Existing Customer - Upgrade' : 'New Customer',
    LastModifiedDate: at(n * 18),
    IsDeleted: false,
    ...fields,
  };
}

function leadRecord(n: number, fields: Partial<FakeRecord> = {}): FakeRecord {
  return {
    Id: lead(n),
    OwnerId: OWNERS[n % 2] ?? null,
    LeadSource: n % 2 ? 'Web' : 'Partner Referral',
    CreatedDate: at(n * 30),
    LastModifiedDate: at(n * 30 + 5),
    IsDeleted: false,
    ...fields,
  };
}

/** Calls that connected, calls that did not, emails, and open follow-up tasks, in turn. */
function taskRecord(n: number, fields: Partial<FakeRecord> = {}): FakeRecord {
  const kind = n % 4;
  const closed = kind !== 3;
  return {
    Id: task(n),
    OwnerId: OWNERS[n % 2] ?? null,
    WhoId: lead((n % 60) + 1),
    WhatId: n % 3 ? opp((n % 110) + 1) : sfId('001', n),
    Subject: `Task ${n}`,
    IsDeleted: false,
    LastModifiedDate: at(n * 15),
    TaskSubtype: ['Call', 'Call', 'Email', 'Task'][kind] ?? null,
    CallDisposition: kind === 0 ? 'Connected' : kind === 1 ? 'Left voicemail' : null,
    Type: kind === 3 ? 'Follow-up' : null,
    Status: closed ? 'Completed' : 'Not Started',
    IsClosed: closed,
    CompletedDateTime: closed ? at(n * 15) : null,
    ActivityDate: at(n * 15).slice(0, 10),
    ...fields,
  };
}

function eventRecord(n: number, fields: Partial<FakeRecord> = {}): FakeRecord {
  return {
    Id: meeting(n),
    OwnerId: OWNERS[n % 2] ?? null,
    WhoId: lead((n % 60) + 1),
    WhatId: opp((n % 110) + 1),
    Subject: `Meeting ${n}`,
    IsDeleted: false,
    // Half were booked before the window: they are read for when they are held.
    LastModifiedDate: n % 2 ? BEFORE_WINDOW : at(n * 25),
    StartDateTime: at(n * 25),
    ActivityDateTime: at(n * 25),
    ...fields,
  };
}

/** What an outbound message with the same fields makes of the record: the backfill must make the same. */
function webhookEvent(type: string, record: FakeRecord): CrmEvent {
  const { IsDeleted: _, ...fields } = record;
  const xml = outboundMessage({
    organizationId: '00D5w000004qGTOEA2',
    notifications: [{ id: '04l5w0000528001AAQ', sObject: { type, fields: { ...fields, IsDeleted: false } } }],
  });
  const parsed = parseOutboundMessage(Buffer.from(xml));
  if (!parsed.ok || !parsed.batch.events[0]) throw new Error(`fixture ${record.Id} does not parse`);
  return parsed.batch.events[0];
}

/** The webhook's event under the contract's backfill id. */
function backfillEvent(type: string, record: FakeRecord): CrmEvent {
  const changed = new Date(String(record.LastModifiedDate).replace('+0000', 'Z')).toISOString();
  return { ...webhookEvent(type, record), eventId: `backfill:${type}:${record.Id}:${changed}`, backfilled: true };
}

let fake: FakeSalesforce;
let clock: Date;
const grant =
  (accessToken = fake.accessToken) =>
  async () => ({ accessToken, apiUrl: fake.instanceUrl });
const source = (accessToken?: string) => createSalesforceBackfillSource({ grant: grant(accessToken) });

const expected = {
  opportunities: [] as FakeRecord[],
  leads: [] as FakeRecord[],
  tasks: [] as FakeRecord[],
  events: [] as FakeRecord[],
};

beforeEach(async () => {
  clock = new Date(UNTIL);
  fake = await startFakeSalesforce({ queryBatchSize: BATCH, now: () => clock });
  const add = (type: FakeObject | 'Opportunity', record: FakeRecord, into?: FakeRecord[]) => {
    if (type === 'Opportunity') fake.addOpportunity(record);
    else fake.addRecord(type, record);
    into?.push(record);
  };
  expected.opportunities = [];
  expected.leads = [];
  expected.tasks = [];
  expected.events = [];
  for (let n = 1; n <= 110; n++) add('Opportunity', opportunity(n), expected.opportunities);
  // Closed in the window though last modified before it: read. Untouched in the window: not. Deleted: not.
  add(
    'Opportunity',
    opportunity(901, { LastModifiedDate: BEFORE_WINDOW, CloseDate: at(100).slice(0, 10) }),
    expected.opportunities,
  );
  add('Opportunity', opportunity(900, { LastModifiedDate: BEFORE_WINDOW, CloseDate: BEFORE_WINDOW.slice(0, 10) }));
  add('Opportunity', opportunity(902, { IsDeleted: true }));
  for (let n = 1; n <= 60; n++) add('Lead', leadRecord(n), expected.leads);
  add('Lead', leadRecord(950, { CreatedDate: BEFORE_WINDOW }));
  add('Lead', leadRecord(951, { IsDeleted: true }));
  for (let n = 1; n <= 130; n++) add('Task', taskRecord(n), expected.tasks);
  // Due in the window though last modified before it: read.
  add('Task', taskRecord(990, { LastModifiedDate: BEFORE_WINDOW, ActivityDate: at(100).slice(0, 10) }), expected.tasks);
  add('Task', taskRecord(991, { IsDeleted: true }));
  add('Task', taskRecord(992, { LastModifiedDate: BEFORE_WINDOW, ActivityDate: BEFORE_WINDOW.slice(0, 10) }));
  for (let n = 1; n <= 70; n++) add('Event', eventRecord(n), expected.events);
  add('Event', eventRecord(993, { IsDeleted: true }));
  add('Event', eventRecord(994, { LastModifiedDate: BEFORE_WINDOW, StartDateTime: BEFORE_WINDOW }));
});

afterEach(async () => {
  await fake.close();
});

const ofType = (events: CrmEvent[], prefix: string) =>
  events.filter((e) => e.eventId.startsWith(`backfill:${prefix}:`));
const ids = (events: CrmEvent[]) => events.map(objectIdOf).sort();

describe('reading a 90-day window', () => {
  it('reads every stage, page by page, into the events outbound messages make, deleted and outside records left out', async () => {
    const { events, pages } = await readAll(source(), WINDOW);

    expect(ofType(events, 'Opportunity')).toEqual(
      expected.opportunities
        .map((r) => backfillEvent('Opportunity', r))
        .sort((a, b) => (a.eventId < b.eventId ? -1 : 1)),
    );
    expect(ofType(events, 'Lead')).toEqual(expected.leads.map((r) => backfillEvent('Lead', r)));
    expect(ofType(events, 'Task')).toEqual(
      expected.tasks.map((r) => backfillEvent('Task', r)).sort((a, b) => (a.eventId < b.eventId ? -1 : 1)),
    );
    expect(ofType(events, 'Event')).toEqual(expected.events.map((r) => backfillEvent('Event', r)));
    expect(events.every((e) => e.backfilled === true)).toBe(true);

    // Pages of 25 records; the count Salesforce gives (Tasks and Events together) on every page.
    expect(pages.deals.map((p) => p.records)).toEqual([25, 25, 25, 25, 11]);
    expect(pages.leads.map((p) => p.records)).toEqual([25, 25, 10]);
    expect(pages.activities.map((p) => p.records)).toEqual([25, 25, 25, 25, 25, 6, 25, 25, 20]);
    expect(pages.deals.map((p) => p.estimatedTotal)).toEqual([111, 111, 111, 111, 111]);
    expect(new Set(pages.activities.map((p) => p.estimatedTotal))).toEqual(new Set([201]));
    expect(pages.activities.at(-1)?.next).toBeNull();
  });

  it('maps calls, emails, open tasks and meetings with their owner, deal and lead', async () => {
    const { events } = await readAll(source(), WINDOW);
    const byId = new Map(events.map((e) => [objectIdOf(e), e]));
    expect(byId.get(task(4))).toMatchObject({
      type: 'activity.upsert',
      fields: { type: 'call', outcome: 'Connected', done: true, ownerId: OWNERS[0], dealId: opp(5), leadId: lead(5) },
    });
    expect(byId.get(task(6))).toMatchObject({ fields: { type: 'email', done: true, dealId: null } });
    expect(byId.get(task(7))).toMatchObject({ fields: { type: 'task', outcome: 'Follow-up', done: false } });
    expect(byId.get(meeting(3))).toMatchObject({
      fields: { type: 'meeting', done: true, doneAt: new Date(at(75).replace('+0000', 'Z')), dealId: opp(4) },
    });
    expect(byId.get(opp(2))).toMatchObject({ fields: { status: 'lost', amountCents: 200_050, ownerId: OWNERS[0] } });
  });

  it('reads each deal’s stage history as a deal.upsert at each stage’s time, before the deal itself', async () => {
    const history = (n: number, stage: string, hours: number): FakeRecord => ({
      Id: sfId('008', n),
      OpportunityId: opp(4),
      StageName: stage,
      Amount: 4000.5,
      CloseDate: null,
      Probability: null,
      CreatedDate: at(hours),
      IsDeleted: false,
    });
    fake.addRecord('OpportunityHistory', history(1, 'Prospecting', 10));
    fake.addRecord('OpportunityHistory', history(2, 'Prospecting', 20)); // the amount changed, not the stage
    fake.addRecord('OpportunityHistory', history(3, 'Negotiation/Review', 30));
    fake.addRecord('OpportunityHistory', history(4, 'Closed Won', 40));
    const { events } = await readAll(source(), WINDOW);
    const deal = events.filter((e) => e.type === 'deal.upsert' && e.dealId === opp(4));
    expect(deal.map((e) => [e.eventId, e.type === 'deal.upsert' && e.fields.stage])).toEqual([
      [
        `backfill:OpportunityHistory:${sfId('008', 1)}:${new Date(at(10).replace('+0000', 'Z')).toISOString()}`,
        'Prospecting',
      ],
      [
        `backfill:OpportunityHistory:${sfId('008', 3)}:${new Date(at(30).replace('+0000', 'Z')).toISOString()}`,
        'Negotiation/Review',
      ],
      [
        `backfill:OpportunityHistory:${sfId('008', 4)}:${new Date(at(40).replace('+0000', 'Z')).toISOString()}`,
        'Closed Won',
      ],
      [backfillEvent('Opportunity', expected.opportunities[3] as FakeRecord).eventId, 'Closed Won'],
    ]);
    expect(deal.slice(0, 3).every((e) => e.type === 'deal.upsert' && Object.keys(e.fields).length === 1)).toBe(true);
  });

  it('follows a long stage history past the rows Salesforce nests in the answer', async () => {
    for (let n = 1; n <= 250; n++)
      fake.addRecord('OpportunityHistory', {
        Id: sfId('008', n),
        OpportunityId: opp(7),
        StageName: n % 2 ? 'Prospecting' : 'Qualification',
        Amount: null,
        CloseDate: null,
        Probability: null,
        CreatedDate: at(n / 10),
        IsDeleted: false,
      });
    const { pages } = await readStage(source(), 'deals', WINDOW);
    const stages = pages.flatMap((p) => p.events).filter((e) => e.eventId.startsWith('backfill:OpportunityHistory:'));
    expect(stages).toHaveLength(250);
    expect(fake.calls.filter((c) => c.path.includes('/query/01gFAKE') && c.path.endsWith('-200'))).toHaveLength(1);
  });
});

describe('resuming', () => {
  it('goes on from a cursor taken mid-way, in another source, reading no page twice', async () => {
    const first = await readStage(source(), 'activities', WINDOW, null, 3);
    expect(first.next).toMatchObject({
      object: 'Task',
      next: expect.stringMatching(/^\/services\/data\/v60\.0\/query\//),
    });
    const rest = await readStage(source(), 'activities', WINDOW, first.next);
    const read = [...first.pages, ...rest.pages].flatMap((p) => p.events);
    expect(ids(read)).toEqual(ids([...expected.tasks, ...expected.events].map((r) => backfillEvent('Task', r))));
    expect(new Set(read.map(objectIdOf)).size).toBe(read.length);
    const queryMores = fake.calls.filter((c) => c.path.includes('/query/')).map((c) => c.path);
    expect(new Set(queryMores).size).toBe(queryMores.length);
  });

  it('asks again after the last Id read when the query locator has expired', async () => {
    const first = await readStage(source(), 'deals', WINDOW, null, 2);
    clock = new Date(clock.getTime() + 16 * 60_000); // locators last 15 minutes unused
    const rest = await readStage(source(), 'deals', WINDOW, first.next);
    const read = [...first.pages, ...rest.pages].flatMap((p) => p.events);
    expect(ids(read)).toEqual(expected.opportunities.map((r) => r.Id).sort());
    expect(fake.calls.map((c) => c.status)).toContain(400);
    const retried = fake.calls.find((c) => c.path.endsWith('/query') && c.search.get('q')?.includes('AND Id >'));
    expect(retried?.search.get('q')).toContain(`AND Id > '${opp(50)}' ORDER BY Id`);
  });

  it('reads the same page again from the same cursor (a retry after a failure), though its locator is spent', async () => {
    const first = await source().readPage('leads', WINDOW, null);
    const once = await source().readPage('leads', WINDOW, first.next);
    const again = await source().readPage('leads', WINDOW, first.next);
    expect(again.events).toEqual(once.events);
    expect(again.next).toMatchObject({ lastId: lead(50) });
  });
});

describe('limits and refusals', () => {
  it('waits an hour when the org’s API request limit is spent (403 REQUEST_LIMIT_EXCEEDED)', async () => {
    fake.apiUsage = 100_000;
    const error = await rejection(source().readPage('deals', WINDOW, null));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({
      retryAfterSeconds: 3600,
      message: expect.stringContaining('REQUEST_LIMIT_EXCEEDED'),
    });
  });

  it('stops short of the limit, leaving a tenth of the org’s daily requests to its other uses', async () => {
    fake.apiUsage = 89_998;
    await source().readPage('deals', WINDOW, null);
    const error = await rejection(source().readPage('leads', WINDOW, null));
    expect(error).toMatchObject({ retryAfterSeconds: 3600, message: expect.stringContaining('90000 of the org') });
  });

  it('throws CrmApiAuthError for a refused session (401 INVALID_SESSION_ID)', async () => {
    const error = await rejection(source('00D!expired').readPage('deals', WINDOW, null));
    expect(error).toBeInstanceOf(CrmApiAuthError);
    expect(error).toMatchObject({ status: 401, message: expect.stringContaining('INVALID_SESSION_ID') });
  });

  it('throws CrmApiUnavailableError for 5xx and an unreachable instance', async () => {
    fake.failNext({ status: 503 });
    expect(await rejection(source().readPage('deals', WINDOW, null))).toMatchObject({ retryAfterSeconds: null });
    const gone = createSalesforceBackfillSource({
      grant: async () => ({ accessToken: fake.accessToken, apiUrl: 'http://127.0.0.1:9' }),
    });
    expect(await rejection(gone.readPage('deals', WINDOW, null))).toBeInstanceOf(CrmApiUnavailableError);
  });

  it('refuses a cursor it did not write rather than send it to Salesforce', async () => {
    const forged = { object: 'Task', next: 'https://evil.test/services/data/v60.0/query/01g', lastId: null, total: 1 };
    await expect(source().readPage('activities', WINDOW, forged)).rejects.toThrow(/not a Salesforce activities/);
    const injected = { object: 'Task', next: null, lastId: "x' OR Name != '", total: 1 };
    await expect(source().readPage('activities', WINDOW, injected)).rejects.toThrow(/not a Salesforce/);
  });
});

describe('event ids', () => {
  it('are the same for an unchanged record however often it is read, and new once it changes', async () => {
    const before = (await readAll(source(), WINDOW)).events.map((e) => e.eventId);
    const again = (await readAll(source(), WINDOW)).events.map((e) => e.eventId);
    expect(again).toEqual(before);
    fake.addRecord('Task', taskRecord(8, { LastModifiedDate: at(2000), CallDisposition: 'Busy' }));
    const after = (await readAll(source(), WINDOW)).events.map((e) => e.eventId);
    expect(after.filter((id) => !before.includes(id))).toEqual([
      `backfill:Task:${task(8)}:${new Date(at(2000).replace('+0000', 'Z')).toISOString()}`,
    ]);
  });
});
