import { and, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmBackfills, crmEvents, leads } from '../../src/db/schema.js';
import { loadReporterState, saveReporterState } from '../../src/integrations/backfill/backfill.repository.js';
import { createBackfills } from '../../src/integrations/backfill/engine.js';
import { createHubSpotBackfillSource } from '../../src/integrations/hubspot/backfill-source.js';
import { createLogger } from '../../src/lib/logger.js';
import { dealCreation, OBJECT_TYPE, objectPropertyChange, PORTAL_ID } from '../integrations/hubspot/fixtures.js';
import { HUBSPOT_CLIENT_SECRET, hubspotCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import { type FakeHubSpot, putCalls, signHubSpotV3, startFakeHubSpot } from '../support/fake-hubspot.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, crmActivityEntries, dealRecord, netByKind, postWebhook, stageHistory } from '../support/webhooks.js';

/**
 * The HubSpot backfill end to end: the engine reads the fake HubSpot's search API (strict: limits,
 * paging, the 10,000 cap, 5 searches a second) into the inbox, and the processor applies it into
 * the log. The clock is the harness's; waiting moves it, so no test waits real seconds.
 */

const ANA = { id: '77', email: 'ana@acme.test', firstName: 'Ana', lastName: 'Lopez' };
const NOW = new Date('2026-11-18T15:00:00Z');
const DAY = 86_400_000;
const WINDOW = { since: new Date(NOW.getTime() - 90 * DAY), until: NOW };
/** HubSpot's default "Connected" call outcome (calls API guide). */
const CONNECTED = 'f240bbac-87c9-4f6e-bf70-924b57d47db7';

const moveClock = async (clock: { now: Date }, ms: number) => {
  clock.now = new Date(clock.now.getTime() + ms);
};

interface World {
  h: Harness;
  hubspot: FakeHubSpot;
}

async function startWorld(): Promise<World> {
  const world = {} as World;
  world.hubspot = await startFakeHubSpot({ now: () => world.h?.clock.now ?? NOW });
  world.h = await startHarness({ now: NOW, crm: hubspotCrm(world.hubspot, PORTAL_ID), sleep: moveClock });
  addRep(world.h, 'UANA', ANA.email, 'Ana');
  world.hubspot.addOwner(ANA);
  return world;
}

async function backfill(h: Harness, window = WINDOW) {
  const started = await h.bot.backfills.start({
    workspaceId: h.teamId,
    source: 'hubspot',
    window,
    requestedBy: 'UADM',
  });
  await h.bot.backfills.idle();
  const [run] = (await h.bot.backfills.latest(h.teamId)).filter((r) => r.source === 'hubspot');
  return { started, run };
}

/** Search requests that read a page (not the one-result counts), with their bodies. */
function pageSearches(hubspot: FakeHubSpot, from = 0) {
  return hubspot.calls
    .slice(from)
    .filter((c) => c.path.endsWith('/search') && c.status === 200 && (c.body as { limit: number }).limit === 200);
}

async function inboxCount(h: Harness, pattern = 'backfill:%') {
  const [row] = await h.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(crmEvents)
    .where(and(eq(crmEvents.workspaceId, h.teamId), like(crmEvents.eventId, pattern)));
  return row?.n ?? 0;
}

async function logCount(h: Harness) {
  const rows = await h.database.db.execute(
    sql`select count(*)::int as n from activities where workspace_id = ${h.teamId}`,
  );
  const list = Array.isArray(rows) ? rows : (rows as { rows: { n: number }[] }).rows;
  return (list[0] as { n: number }).n;
}

const iso = (daysAfterSince: number, hours = 0) =>
  new Date(WINDOW.since.getTime() + daysAfterSince * DAY + hours * 3_600_000).toISOString();

/** `count` calls of Ana's, spread evenly over the window (the bench's shape, small). */
function addCalls(hubspot: FakeHubSpot, count: number, firstId = 100_000) {
  putCalls(hubspot, { ownerId: ANA.id, count, from: WINDOW.since, spanMs: 90 * DAY, firstId });
}

/**
 * An engine of its own (another replica) on the harness's database and clock. Its source stops
 * answering after `hangAfter` pages (a process that died); without `apply` it leaves applying to
 * nobody, for tests about reading alone.
 */
function replica(w: World, opts: { hangAfter?: number; apply?: boolean } = {}) {
  const { h, hubspot } = w;
  const { hangAfter = Number.POSITIVE_INFINITY, apply = true } = opts;
  let read = 0;
  const hung = new Promise<never>(() => {});
  const engine = createBackfills({
    db: h.database.db,
    logger: createLogger('silent'),
    now: () => h.clock.now,
    sleep: (ms) => moveClock(h.clock, ms),
    async sourceFor() {
      const real = createHubSpotBackfillSource({
        accessToken: hubspot.accessToken,
        baseUrl: hubspot.baseUrl,
        now: () => h.clock.now,
        sleep: (ms) => moveClock(h.clock, ms),
      });
      return {
        source: 'hubspot' as const,
        readPage: (stage, window, cursor) => (++read > hangAfter ? hung : real.readPage(stage, window, cursor)),
      };
    },
    reportersFor: () => [],
    onStored: (workspaceId) => (apply ? h.bot.crm.kick(workspaceId) : undefined),
    applied: () => h.bot.crm.idle(),
  });
  return { engine, pagesRead: () => read };
}

/** `count` open deals of Ana's, last modified evenly over the window. */
function addDeals(hubspot: FakeHubSpot, count: number, firstId = 50_000) {
  const step = Math.floor((90 * DAY) / count);
  for (let i = 0; i < count; i++) {
    const at = new Date(WINDOW.since.getTime() + i * step).toISOString();
    hubspot.addDeal(String(firstId + i), {
      dealname: `Deal ${i}`,
      amount: '100',
      dealstage: 'appointmentscheduled',
      hubspot_owner_id: ANA.id,
      createdate: at,
      hs_lastmodifieddate: at,
    });
  }
}

describeDb('CRM backfill end to end: HubSpot', () => {
  describe('90 days of deals, leads and activities', () => {
    let w: World;
    beforeAll(async () => {
      w = await startWorld();
      const { hubspot } = w;
      hubspot.addDeal('7101', {
        dealname: 'Acme',
        amount: '1500',
        dealstage: 'closedwon',
        hubspot_owner_id: ANA.id,
        createdate: iso(10),
        closedate: iso(40),
        hs_lastmodifieddate: iso(40, 1),
      });
      hubspot.setStageHistory('7101', [
        { value: 'appointmentscheduled', timestamp: iso(10) },
        { value: 'contractsent', timestamp: iso(30) },
        { value: 'closedwon', timestamp: iso(40) },
      ]);
      hubspot.addDeal('7102', {
        dealname: 'Globex',
        amount: '900',
        dealstage: 'qualifiedtobuy',
        hubspot_owner_id: ANA.id,
        createdate: iso(50),
        hs_lastmodifieddate: iso(50),
      });
      hubspot.setStageHistory('7102', [{ value: 'qualifiedtobuy', timestamp: iso(50) }]);
      // Last touched before the window: not read.
      hubspot.addDeal('7100', {
        dealname: 'Old',
        amount: '10',
        dealstage: 'closedwon',
        hubspot_owner_id: ANA.id,
        hs_lastmodifieddate: iso(-5),
      });
      hubspot.addContact('501', { createdate: iso(11), lastmodifieddate: iso(11), hubspot_owner_id: ANA.id });
      const engagement = (at: string, properties: Record<string, string | null>) => ({
        properties: { hs_timestamp: at, hs_lastmodifieddate: at, hubspot_owner_id: ANA.id, ...properties },
      });
      hubspot.putEngagement('calls', '901', {
        ...engagement(iso(11, 2), { hs_call_disposition: CONNECTED, hs_call_status: 'COMPLETED' }),
        associations: { contacts: ['501'], deals: ['7101'] },
      });
      hubspot.putEngagement('meetings', '911', {
        ...engagement(iso(12), { hs_meeting_start_time: iso(12), hs_meeting_outcome: 'NO_SHOW' }),
        associations: { deals: ['7101'] },
      });
      hubspot.putEngagement(
        'emails',
        '921',
        engagement(iso(13), { hs_email_direction: 'EMAIL', hs_email_status: 'SENT' }),
      );
      hubspot.putEngagement(
        'tasks',
        '931',
        engagement(iso(14), { hs_task_status: 'COMPLETED', hs_task_type: 'TODO', hs_task_completion_date: iso(14, 3) }),
      );
      // Before the window: not read.
      hubspot.putEngagement('calls', '900', engagement(iso(-1), { hs_call_status: 'COMPLETED' }));
    });
    afterAll(async () => {
      await w?.h.close();
      await w?.hubspot.close();
    });

    it('reads deals with their stage history, the lead and every activity into the log, and is done once applied', async () => {
      const { h, hubspot } = w;
      const { started, run } = await backfill(h);
      expect(started.alreadyRunning).toBe(false);
      expect(run).toMatchObject({
        status: 'done',
        read: { deals: 2, leads: 1, activities: 4 },
        estimated: { deals: 2, leads: 1, activities: 4 },
        error: null,
      });

      const won = await dealRecord(h, 'hubspot', '7101');
      expect(won.deal).toMatchObject({ status: 'won', amountCents: 150_000, ownerUserId: 'UANA' });
      expect(stageHistory(won.stages)).toEqual([
        [null, 'appointmentscheduled', iso(10)],
        ['appointmentscheduled', 'contractsent', iso(30)],
        ['contractsent', 'closedwon', iso(40)],
      ]);
      expect(won.entries.filter((e) => e.kind === 'deal_won').map((e) => e.occurredAt.toISOString())).toEqual([
        iso(40),
      ]);
      expect((await dealRecord(h, 'hubspot', '7102')).deal).toMatchObject({ status: 'open' });
      expect((await dealRecord(h, 'hubspot', '7100')).deal).toBeUndefined();

      const [lead] = await h.database.db
        .select()
        .from(leads)
        .where(and(eq(leads.workspaceId, h.teamId), eq(leads.externalId, '501')));
      expect(lead).toMatchObject({ ownerUserId: 'UANA', createdAt: new Date(iso(11)) });
      expect(lead?.firstResponseAt?.toISOString()).toBe(iso(11, 2));

      const call = await crmActivityEntries(h, 'hubspot', 'call:901');
      expect(netByKind(call)).toEqual({ call: 1, conversation: 1 });
      expect(call.every((e) => e.dealId === won.deal?.id && e.leadId === lead?.id)).toBe(true);
      expect(netByKind(await crmActivityEntries(h, 'hubspot', 'meeting:911'))).toEqual({ meeting: 1, no_show: 1 });
      expect(netByKind(await crmActivityEntries(h, 'hubspot', 'email:921'))).toEqual({ email: 1 });
      const task = await crmActivityEntries(h, 'hubspot', 'task:931');
      expect(task.map((e) => [e.kind, e.occurredAt.toISOString()])).toEqual([['follow_up', iso(14, 3)]]);
      expect(await crmActivityEntries(h, 'hubspot', 'call:900')).toEqual([]);

      // Everything it read came as marked backfill events, applied; no engagement was read one by one.
      const events = await h.database.db
        .select({ event: crmEvents.event, status: crmEvents.status })
        .from(crmEvents)
        .where(eq(crmEvents.workspaceId, h.teamId));
      expect(events.every((e) => (e.event as { backfilled?: boolean }).backfilled === true)).toBe(true);
      expect(new Set(events.map((e) => e.status))).toEqual(new Set(['applied']));
      expect(hubspot.calls.filter((c) => /\/objects\/(calls|meetings|emails|tasks)\/\d+$/.test(c.path))).toEqual([]);
      // Searches were filtered on the window and never asked for more than 200.
      for (const call of hubspot.calls.filter((c) => c.path.endsWith('/search'))) {
        expect((call.body as { limit: number }).limit).toBeLessThanOrEqual(200);
      }
    });

    it('a second backfill over the same window changes nothing', async () => {
      const { h } = w;
      const before = { inbox: await inboxCount(h), log: await logCount(h) };
      const { started, run } = await backfill(h);
      expect(started.alreadyRunning).toBe(false);
      expect(run?.status).toBe('done');
      expect({ inbox: await inboxCount(h), log: await logCount(h) }).toEqual(before);
    });

    it('a webhook about a record the backfill read, before and after, changes only what it says', async () => {
      const { h, hubspot } = w;
      const post = async (events: object[]) => {
        const body = JSON.stringify(events);
        const signature = signHubSpotV3(body, {
          clientSecret: HUBSPOT_CLIENT_SECRET,
          method: 'POST',
          url: `${h.url}/webhooks/hubspot`,
          timestamp: h.clock.now.getTime(),
        });
        await postWebhook(h, '/webhooks/hubspot', body, { 'content-type': 'application/json', ...signature });
        await h.bot.crm.idle();
      };
      const logBefore = await logCount(h);
      // The deal's creation and its move to closedwon, as webhooks told them when they happened.
      await post([
        { ...dealCreation(7101), eventId: 1, occurredAt: Date.parse(iso(10)) },
        {
          ...dealCreation(7101),
          subscriptionType: 'deal.propertyChange',
          propertyName: 'dealstage',
          propertyValue: 'closedwon',
          eventId: 2,
          occurredAt: Date.parse(iso(40)),
        },
      ]);
      const won = await dealRecord(h, 'hubspot', '7101');
      expect(won.stages).toHaveLength(3);
      expect(won.entries.filter((e) => e.kind === 'deal_won')).toHaveLength(1);
      expect(await logCount(h)).toBe(logBefore);

      // A later edit in HubSpot: the call's outcome is changed to "no answer"; the log follows it.
      await post([
        {
          ...objectPropertyChange(OBJECT_TYPE.call, 901, 'hs_call_disposition', '73a0d17f-1163-4015-bdd5-ec830791da20'),
          eventId: 3,
          occurredAt: h.clock.now.getTime(),
        },
      ]);
      expect(netByKind(await crmActivityEntries(h, 'hubspot', 'call:901'))).toEqual({ call: 1 });
      // The backfill read again afterwards: the record unchanged in HubSpot, the log stays as the webhook left it.
      hubspot.calls.length = 0;
      await backfill(h);
      expect(netByKind(await crmActivityEntries(h, 'hubspot', 'call:901'))).toEqual({ call: 1 });
    });

    it('keeps what a reporter stores with the run', async () => {
      const { h } = w;
      const [run] = await h.bot.backfills.latest(h.teamId);
      if (!run) throw new Error('no run');
      expect(await loadReporterState(h.database.db, run.id)).toBeNull();
      await saveReporterState(h.database.db, run.id, { channel: 'D1', ts: '1.2' });
      expect(await loadReporterState(h.database.db, run.id)).toEqual({ channel: 'D1', ts: '1.2' });
    });
  });

  describe('limits', () => {
    let w: World;
    beforeAll(async () => {
      w = await startWorld();
      addCalls(w.hubspot, 12_000);
    });
    afterAll(async () => {
      await w?.h.close();
      await w?.hubspot.close();
    });

    it('splits the window under the 10,000 cap, paces 5 searches a second, and stores every call once', {
      timeout: 120_000,
    }, async () => {
      const { h, hubspot } = w;
      // Reading alone: applying 12,000 records is the processor's, tested on smaller runs.
      const { engine } = replica(w, { apply: false });
      const startedAt = h.clock.now.getTime();
      await engine.start({ workspaceId: h.teamId, source: 'hubspot', window: WINDOW, requestedBy: null });
      await engine.idle();
      const [run] = await engine.latest(h.teamId);
      expect(run).toMatchObject({ status: 'done', read: { activities: 12_000 }, estimated: { activities: 12_000 } });
      const searches = hubspot.calls.filter((c) => c.path.endsWith('/search'));
      expect(searches.filter((c) => c.status !== 200)).toEqual([]);
      // The first query over the whole window held more than the cap: the window was read in slices.
      const slices = new Set(
        pageSearches(hubspot).map((c) => JSON.stringify((c.body as { filterGroups: unknown }).filterGroups)),
      );
      expect(slices.size).toBeGreaterThan(1);
      const afters = pageSearches(hubspot).map((c) => Number((c.body as { after?: string }).after ?? 0));
      expect(Math.max(...afters)).toBeLessThan(10_000);
      // Every call stored once: 12,000 distinct events, none read twice.
      expect(await inboxCount(h, 'backfill:call:%')).toBe(12_000);
      // 5 a second at most: the run took at least as long as its searches allow.
      const seconds = (h.clock.now.getTime() - startedAt) / 1000;
      expect(seconds).toBeGreaterThanOrEqual((searches.length - 5) / 5);
    });
  });

  it('waits out a 429 with Retry-After and reads the same page again', { timeout: 120_000 }, async () => {
    const w = await startWorld();
    try {
      const { h, hubspot } = w;
      addCalls(hubspot, 250);
      hubspot.failNext({ status: 429, retryAfter: 7, times: 1 });
      const before = h.clock.now.getTime();
      const { run } = await backfill(h);
      expect(run).toMatchObject({ status: 'done', read: { activities: 250 } });
      const statuses = hubspot.calls.filter((c) => c.path.endsWith('/search')).map((c) => c.status);
      expect(statuses[0]).toBe(429);
      expect(h.clock.now.getTime() - before).toBeGreaterThanOrEqual(7000);
      expect(await inboxCount(h)).toBe(250);

      // The search limit's own 429 (a 6th search in a second), with Retry-After on: the source paces so it never comes.
      hubspot.searchRetryAfter(3);
      hubspot.failNext({ status: 429, times: 8 });
      const failed = await backfill(h, { since: WINDOW.since, until: new Date(NOW.getTime() - DAY) });
      expect(failed.run).toMatchObject({ status: 'failed' });
      expect(failed.run?.error).toMatch(/HubSpot's API failed 8 times in a row/);
    } finally {
      await w.h.close();
      await w.hubspot.close();
    }
  });

  it('lists the next pages while a page’s history reads go on, and stores every page in order', {
    timeout: 120_000,
  }, async () => {
    const w = await startWorld();
    try {
      const { h, hubspot } = w;
      addDeals(hubspot, 600);
      for (let i = 0; i < 600; i++) {
        hubspot.setStageHistory(String(50_000 + i), [{ value: 'appointmentscheduled', timestamp: iso(i % 80) }]);
      }
      const { run } = await backfill(h);
      expect(run).toMatchObject({ status: 'done', read: { deals: 600 } });
      expect(await inboxCount(h, 'backfill:deal-stage:%')).toBe(600);
      // Four history reads a page of 200 deals: the second page's search went out before the first
      // page's last history read, where reading a page whole would have sent it after.
      const searches = new Set(pageSearches(hubspot));
      // Answered ones: the test clock adds up concurrent waits, so a page's reads may be refused and made again.
      const kinds = hubspot.calls
        .filter((c) => (c.path === '/crm/v3/objects/deals/batch/read' && c.status !== 429) || searches.has(c))
        .map((c) => (searches.has(c) ? 'search' : 'history'));
      const histories = kinds.flatMap((kind, i) => (kind === 'history' ? [i] : []));
      expect(histories.length).toBeGreaterThanOrEqual(12);
      expect(kinds.slice(0, histories[3]).filter((k) => k === 'search').length).toBeGreaterThan(1);
    } finally {
      await w.h.close();
      await w.hubspot.close();
    }
  });

  it('stops with a sentence for the admin when HubSpot refuses the token', async () => {
    const w = await startWorld();
    try {
      w.hubspot.failNext({ status: 401 });
      const { run } = await backfill(w.h);
      expect(run).toMatchObject({ status: 'failed' });
      expect(run?.error).toContain('HubSpot refused our access token; connect HubSpot again');
    } finally {
      await w.h.close();
      await w.hubspot.close();
    }
  });

  describe('killed halfway and resumed; two replicas', () => {
    let w: World;
    beforeAll(async () => {
      w = await startWorld();
      addDeals(w.hubspot, 500);
    });
    afterAll(async () => {
      await w?.h.close();
      await w?.hubspot.close();
    });

    it('a run whose process died is taken over after its lease lapses and reads no stored page again', {
      timeout: 120_000,
    }, async () => {
      const { h, hubspot } = w;
      const dead = replica(w, { hangAfter: 2 });
      const request = { workspaceId: h.teamId, source: 'hubspot' as const, window: WINDOW, requestedBy: null };
      const { run } = await dead.engine.start(request);
      // Wait for the dead one to hang on its 3rd read, 2 pages of deals stored.
      for (let i = 0; i < 1000 && (dead.pagesRead() < 3 || (await inboxCount(h)) < 400); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await inboxCount(h)).toBe(400);
      const dealPages = () => pageSearches(hubspot).filter((c) => c.path.includes('/deals/'));
      const searchesBefore = dealPages().length;
      expect(searchesBefore).toBe(2);

      // A second request now joins the run rather than starting another; nobody takes it over yet.
      expect((await h.bot.backfills.start(request)).alreadyRunning).toBe(true);
      expect(await h.bot.runJob('crm-backfill', h.clock.now)).toEqual({ resumed: 0 });
      // The lease lapses; the job in the app (another replica) takes the run over.
      await moveClock(h.clock, 3 * 60_000);
      expect(await h.bot.runJob('crm-backfill', h.clock.now)).toEqual({ resumed: 1 });
      await h.bot.backfills.idle();

      const [after] = await h.bot.backfills.latest(h.teamId);
      expect(after).toMatchObject({ id: run.id, status: 'done', read: { deals: 500, leads: 0, activities: 0 } });
      // The pages the dead process stored were not asked for again: the new holder began at the next one.
      // (A page is read twice only when its first read failed, e.g. timed out on a loaded machine.)
      const afters = dealPages()
        .slice(searchesBefore)
        .map((c) => (c.body as { after?: string }).after);
      expect(afters[0]).toBe('400');
      expect(new Set(afters)).toEqual(new Set(['400']));
      expect(await inboxCount(h)).toBe(500);
      const [deals] = await h.database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(sql`deals`)
        .where(sql`workspace_id = ${h.teamId}`);
      expect(deals?.n).toBe(500);
    });

    it('two replicas asked at once run one backfill', async () => {
      const { h, hubspot } = w;
      const other = replica(w);
      const request = { workspaceId: h.teamId, source: 'hubspot' as const, window: WINDOW, requestedBy: 'UADM' };
      hubspot.calls.length = 0;
      const [a, b] = await Promise.all([h.bot.backfills.start(request), other.engine.start(request)]);
      expect([a.alreadyRunning, b.alreadyRunning].sort()).toEqual([false, true]);
      expect(a.run.id).toBe(b.run.id);
      await Promise.all([h.bot.backfills.idle(), other.engine.idle()]);
      const rows = await h.database.db.select().from(crmBackfills).where(eq(crmBackfills.id, a.run.id));
      expect(rows.map((r) => r.status)).toEqual(['done']);
      // Each page of calls was read once, by one of them.
      const afters = pageSearches(hubspot)
        .filter((c) => c.path.includes('/deals/'))
        .map((c) => (c.body as { after?: string }).after);
      expect(new Set(afters)).toEqual(new Set([undefined, '200', '400']));
    });
  });

  it("from an admin's slash command to the log, with progress in the admin's DM", async () => {
    const w = await startWorld();
    try {
      const { h, hubspot } = w;
      h.fake.addUser({ id: 'UADM', teamId: h.teamId, name: 'admin', tz: 'UTC', isAdmin: true });
      addCalls(hubspot, 450);
      const reply = await h.kpi('UADM', 'crm backfill hubspot');
      expect(JSON.stringify(reply.body)).toContain('HubSpot backfill started');
      await h.bot.backfills.idle();
      const [run] = await h.bot.backfills.latest(h.teamId);
      expect(run).toMatchObject({ status: 'done', read: { deals: 0, leads: 0, activities: 450 }, requestedBy: 'UADM' });
      expect(await logCount(h)).toBe(450);
      // One DM, edited to its end: the reporter sends its last state whatever the throttle.
      const dm = h.fake.dmChannelOf('UADM');
      await h.fake.waitFor(
        (e) => e.kind === 'call' && e.method === 'chat.update' && JSON.stringify(e).includes('done'),
      );
      const messages = h.fake.messagesIn(dm);
      expect(messages).toHaveLength(1);
      expect(JSON.stringify(messages[0])).toContain('HubSpot: done: 0 deals, 0 leads, 450 activities read');
      // And nothing from the past was announced anywhere else.
      expect(h.fake.callsTo('chat.postMessage').filter((c) => JSON.stringify(c).includes(dm) === false)).toEqual([]);
    } finally {
      await w.h.close();
      await w.hubspot.close();
    }
  });

  it('a workspace cannot backfill without its own connection: another workspace is refused', async () => {
    const w = await startWorld();
    try {
      const other = 'TOTHER0001';
      await expect(
        w.h.bot.backfills.start({ workspaceId: other, source: 'hubspot', window: WINDOW, requestedBy: 'U1' }),
      ).rejects.toThrow(/HubSpot is not connected to this workspace/);
      expect(await w.h.bot.backfills.latest(other)).toEqual([]);
      expect(w.hubspot.calls).toEqual([]);
    } finally {
      await w.h.close();
      await w.hubspot.close();
    }
  });
});
