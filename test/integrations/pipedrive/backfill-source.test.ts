import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmApiAuthError, CrmApiUnavailableError } from '../../../src/integrations/adapter.js';
import type { CrmEvent } from '../../../src/integrations/crm-event.js';
import {
  createPipedriveBackfillSource,
  type PipedriveBackfillOptions,
} from '../../../src/integrations/pipedrive/backfill-source.js';
import { parsePipedriveWebhook } from '../../../src/integrations/pipedrive/parse.js';
import { NINETY_DAYS, objectIdOf, readAll, readStage } from '../../support/backfill-read.js';
import {
  type FakePipedrive,
  type Json,
  OWNER_ID,
  startFakePipedrive,
  v2ActivityRecord,
  v2DealRecord,
  v2Event,
  v2LeadRecord,
} from '../../support/fake-pipedrive.js';
import { rejection } from '../../support/refusal.js';

/**
 * Records in the shapes of API v2 deals and activities and API v1 leads
 * (https://developers.pipedrive.com/docs/api/v1/Deals#getDeals, …/Activities#getActivities, both v2;
 * …/Leads#getLeads), which are the shapes webhooks v2 carry
 * (https://pipedrive.readme.io/docs/guide-for-webhooks-v2).
 */

const WINDOW = NINETY_DAYS;
const UNTIL = WINDOW.until;
const PAGE = 25;
const OTHER_OWNER = 12597983;
/** `hours` after the window opens, as API v2 writes times. */
const at = (hours: number) => new Date(WINDOW.since.getTime() + hours * 3_600_000).toISOString().replace('.000Z', 'Z');
const leadId = (n: number) => `adf21080-0e10-11eb-879b-${String(n).padStart(12, '0')}`;

function deal(n: number, fields: Json = {}): Json & { id: number } {
  const status = (['open', 'won', 'lost'] as const)[n % 3];
  return v2DealRecord({
    id: n,
    title: `Deal ${n}`,
    value: n * 100 + 0.25,
    status,
    stage_id: (n % 4) + 1,
    owner_id: n % 2 ? OWNER_ID : OTHER_OWNER,
    add_time: at(n * 17 - 300),
    update_time: at(n * 17),
    stage_change_time: n % 5 ? at(n * 17 - 10) : null,
    won_time: status === 'won' ? at(n * 17) : null,
    lost_time: status === 'lost' ? at(n * 17) : null,
    close_time: status === 'open' ? null : at(n * 17),
    ...fields,
  }) as Json & { id: number };
}

/** Calls, meetings, emails and tasks in turn, half of them done. */
function activity(n: number, fields: Json = {}): Json & { id: number } {
  const done = n % 2 === 0;
  return v2ActivityRecord({
    id: n,
    type: ['call', 'meeting', 'email', 'task'][n % 4],
    done,
    owner_id: n % 3 ? OWNER_ID : OTHER_OWNER,
    deal_id: n % 5 ? (n % 120) + 1 : null,
    lead_id: n % 5 ? null : leadId((n % 60) + 1),
    subject: `Activity ${n}`,
    due_date: at(n * 16).slice(0, 10),
    due_time: '10:00',
    marked_as_done_time: done ? at(n * 16) : null,
    add_time: at(n * 16 - 24),
    update_time: at(n * 16),
    ...fields,
  }) as Json & { id: number };
}

function lead(n: number, fields: Json = {}): Json & { id: string } {
  return v2LeadRecord({
    id: leadId(n),
    owner_id: n % 2 ? OWNER_ID : OTHER_OWNER,
    channel: n % 3 ? null : 4,
    origin: 'API',
    add_time: new Date(WINDOW.since.getTime() + n * 30 * 3_600_000).toISOString(),
    update_time: new Date(WINDOW.since.getTime() + (n * 30 + 2) * 3_600_000).toISOString(),
    ...fields,
  }) as Json & { id: string };
}

const iso = (text: unknown) => new Date(String(text)).toISOString();

/** What a webhook v2 with the same record makes of it, at the record's time: the backfill must make the same. */
function webhookEvent(entity: 'deal' | 'activity' | 'lead', record: Json & { id: number | string }): CrmEvent {
  const timestamp = entity === 'lead' ? record.add_time : record.update_time;
  const body = v2Event({
    action: entity === 'lead' ? 'create' : 'change',
    entity,
    entityId: record.id,
    data: record,
    previous: entity === 'lead' ? null : { update_time: record.add_time },
    meta: { timestamp },
  });
  const parsed = parsePipedriveWebhook(Buffer.from(JSON.stringify(body)));
  if (!parsed.ok || !parsed.batch.events[0]) throw new Error(`fixture ${record.id} does not parse`);
  return {
    ...parsed.batch.events[0],
    eventId: `backfill:${entity}:${record.id}:${iso(record.update_time)}`,
    backfilled: true,
  };
}

let fake: FakePipedrive;
let clock: number;
let slept: number[];
const expected = { deals: [] as Json[], leads: [] as Json[], activities: [] as Json[] };

function source(overrides: Partial<PipedriveBackfillOptions> = {}) {
  return createPipedriveBackfillSource({
    apiToken: fake.apiToken,
    baseUrl: fake.baseUrl,
    now: () => new Date(clock),
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    pageSize: PAGE,
    ...overrides,
  } as PipedriveBackfillOptions);
}

async function start(burstLimit?: number) {
  fake = await startFakePipedrive({ now: () => new Date(clock), burstLimit });
  expected.deals = [];
  expected.leads = [];
  expected.activities = [];
  for (let n = 1; n <= 120; n++) {
    fake.addDeal(deal(n));
    expected.deals.push(deal(n));
  }
  fake.addDeal(deal(900, { update_time: at(-100) })); // before the window
  fake.addDeal(deal(901, { is_deleted: true, status: 'deleted' }));
  fake.addDeal(deal(902, { update_time: at(24 * 91) })); // after it
  for (let n = 1; n <= 60; n++) {
    const archived = n === 7;
    fake.addLead(lead(n, { is_archived: archived }));
    expected.leads.push(lead(n, { is_archived: archived }));
  }
  // Added before the window: the newest-first reading stops at the first of them.
  for (let n = 1; n <= 40; n++) fake.addLead(lead(-n));
  for (let n = 1; n <= 130; n++) {
    fake.addActivity(activity(n));
    expected.activities.push(activity(n));
  }
  fake.addActivity(activity(990, { is_deleted: true }));
  fake.addActivity(activity(991, { update_time: at(-5) }));
}

beforeEach(async () => {
  clock = UNTIL.getTime();
  slept = [];
});

afterEach(async () => {
  await fake.close();
});

const ofType = (events: CrmEvent[], type: string) => events.filter((e) => e.eventId.startsWith(`backfill:${type}:`));

describe('reading a 90-day window', () => {
  beforeEach(() => start());

  it('reads every stage, page by page, into the events webhooks make, deleted and outside records left out', async () => {
    const { events, pages } = await readAll(source(), WINDOW);

    expect(ofType(events, 'deal')).toEqual(expected.deals.map((r) => webhookEvent('deal', r as Json & { id: number })));
    expect(ofType(events, 'activity')).toEqual(
      expected.activities.map((r) => webhookEvent('activity', r as Json & { id: number })),
    );
    // Newest first; the archived lead too.
    expect(ofType(events, 'lead')).toEqual(
      expected.leads.map((r) => webhookEvent('lead', r as Json & { id: string })).reverse(),
    );
    expect(events.every((e) => e.backfilled === true)).toBe(true);

    expect(pages.deals.map((p) => p.records)).toEqual([25, 25, 25, 25, 20]);
    expect(pages.activities.map((p) => p.records)).toEqual([25, 25, 25, 25, 25, 5]);
    // The third page of leads reaches those added before the window: reading stops there.
    expect(pages.leads.map((p) => p.records)).toEqual([25, 25, 25]);
    expect(pages.leads.map((p) => p.events.length)).toEqual([25, 25, 10]);
    expect([...pages.deals, ...pages.leads, ...pages.activities].every((p) => p.estimatedTotal === null)).toBe(true);

    const dealCalls = fake.calls.filter((c) => c.path === '/api/v2/deals');
    expect(dealCalls[0]?.query).toEqual({
      updated_since: '2026-09-02T00:00:00.000Z',
      updated_until: '2026-12-01T00:00:00.000Z',
      limit: '25',
    });
    expect(fake.calls.filter((c) => c.path === '/api/v1/leads').map((c) => c.query.start)).toEqual(['0', '25', '50']);
  });

  it('maps each activity with its owner, deal or lead, and whether it is done', async () => {
    const { events } = await readAll(source(), WINDOW);
    const byId = new Map(ofType(events, 'activity').map((e) => [objectIdOf(e), e]));
    expect(byId.get('4')).toMatchObject({
      fields: { type: 'call', done: true, ownerId: String(OWNER_ID), dealId: '5', leadId: null },
    });
    expect(byId.get('5')).toMatchObject({
      fields: { type: 'meeting', done: false, ownerId: String(OWNER_ID), dealId: null, leadId: leadId(6) },
    });
    expect(byId.get('6')).toMatchObject({ fields: { type: 'email', done: true, ownerId: String(OTHER_OWNER) } });
  });

  it('reads when each deal entered its stage as a deal.upsert of the stage, before the deal itself', async () => {
    const { events } = await readAll(source(), WINDOW);
    const ofDeal = (id: string) =>
      events
        .filter((e) => e.type === 'deal.upsert' && e.dealId === id)
        .map((e) => [e.eventId, e.occurredAt, e.type === 'deal.upsert' && e.fields]);
    expect(ofDeal('3')).toEqual([
      [`backfill:deal-stage:3:${iso(at(41))}`, new Date(at(41)), { stage: '4' }],
      [`backfill:deal:3:${iso(at(51))}`, new Date(at(51)), expect.objectContaining({ stage: '4', status: 'open' })],
    ]);
    // Never moved: in its stage since it was added.
    expect(ofDeal('5')[0]).toEqual([
      `backfill:deal-stage:5:${iso(at(85 - 300))}`,
      new Date(at(85 - 300)),
      { stage: '2' },
    ]);
  });
});

describe('resuming', () => {
  beforeEach(() => start());

  it('goes on from a cursor taken mid-way, in another source, reading no page twice', async () => {
    const first = await readStage(source(), 'activities', WINDOW, null, 2);
    expect(first.next).toEqual({ cursor: expect.any(String) });
    const rest = await readStage(source(), 'activities', WINDOW, first.next);
    const read = [...first.pages, ...rest.pages].flatMap((p) => p.events).map(objectIdOf);
    expect(read).toEqual(expected.activities.map((r) => String(r.id)));
    const cursors = fake.calls.filter((c) => c.path === '/api/v2/activities').map((c) => c.query.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it('goes on with leads from the offset in the cursor', async () => {
    const first = await readStage(source(), 'leads', WINDOW, null, 1);
    expect(first.next).toEqual({ start: 25 });
    const rest = await readStage(source(), 'leads', WINDOW, first.next);
    const read = [...first.pages, ...rest.pages].flatMap((p) => p.events).map(objectIdOf);
    expect(read).toEqual(expected.leads.map((r) => String(r.id)).reverse());
  });

  it('refuses a cursor it did not write', async () => {
    await expect(source().readPage('leads', WINDOW, { start: -1 })).rejects.toThrow(/not a Pipedrive leads/);
    await expect(source().readPage('deals', WINDOW, { start: 25 })).rejects.toThrow(/not a Pipedrive deals/);
    // Pipedrive refuses a cursor it did not hand out (400): not a passing failure.
    const error = await rejection(source().readPage('deals', WINDOW, { cursor: 'made-up' }));
    expect(error).not.toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ message: expect.stringMatching(/400/) });
  });
});

describe('limits and refusals', () => {
  it('paces itself under a token’s burst limit, waiting for the next window rather than meeting a 429', async () => {
    await start(12);
    await readAll(source(), WINDOW);
    const statuses = fake.calls.map((c) => c.status);
    expect(statuses.length).toBe(14);
    expect(statuses.every((s) => s === 200)).toBe(true);
    // 200 ms between requests; a wait for the window's end once 5 requests of 12 are left.
    expect(slept.filter((ms) => ms === 200).length).toBeGreaterThan(5);
    expect(slept.some((ms) => ms >= 1000)).toBe(true);
  });

  it('turns a 429 into CrmApiUnavailableError with Retry-After, or the window’s reset', async () => {
    await start(3);
    fake.failNext({ status: 429, retryAfter: 7 });
    expect(await rejection(source().readPage('deals', WINDOW, null))).toMatchObject({ retryAfterSeconds: 7 });
    // Another reader spent the token's window.
    for (let i = 0; i < 3; i++)
      await fetch(`${fake.baseUrl}/api/v1/users/1`, { headers: { 'x-api-token': fake.apiToken } });
    const error = await rejection(source().readPage('deals', WINDOW, null));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ retryAfterSeconds: 2, message: 'Pipedrive answered 429.' });
  });

  it('throws CrmApiAuthError for a refused token, and CrmApiUnavailableError for 5xx or no answer', async () => {
    await start();
    const refused = await rejection(source({ apiToken: 'revoked' }).readPage('activities', WINDOW, null));
    expect(refused).toBeInstanceOf(CrmApiAuthError);
    fake.failNext({ status: 502 });
    expect(await rejection(source().readPage('activities', WINDOW, null))).toMatchObject({ retryAfterSeconds: null });
    const gone = await rejection(source({ baseUrl: 'http://127.0.0.1:9' }).readPage('deals', WINDOW, null));
    expect(gone).toBeInstanceOf(CrmApiUnavailableError);
  });

  it('refuses a page size Pipedrive would refuse', async () => {
    await start();
    expect(() => source({ pageSize: 501 })).toThrow(/1 to 500/);
  });
});

describe('event ids', () => {
  beforeEach(() => start());

  it('are the same for an unchanged record however often it is read, and new once it changes', async () => {
    const before = (await readAll(source(), WINDOW)).events.map((e) => e.eventId);
    expect((await readAll(source(), WINDOW)).events.map((e) => e.eventId)).toEqual(before);
    fake.addActivity(activity(8, { done: true, update_time: at(2000) }));
    const after = (await readAll(source(), WINDOW)).events.map((e) => e.eventId);
    expect(after.filter((id) => !before.includes(id))).toEqual([`backfill:activity:8:${iso(at(2000))}`]);
  });
});
