import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coachingFeedback, goals, leads, members, outbox, workspaces } from '../../src/db/schema.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { describeDb, newWorkspaceId } from '../support/db.js';
import { validateBlocks } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

// Monday 23 November 2026. New York is UTC−5, Tokyo UTC+9.
const MONDAY_0859_NY = new Date('2026-11-23T13:59:00Z');
const MONDAY_0900_NY = new Date('2026-11-23T14:00:00Z');

describeDb('nudges job: one DM per rep per working day in their own zone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: MONDAY_0900_NY });
  });
  afterAll(async () => h.close());

  const db = () => h.database.db;

  async function workspace(settings: object = {}, extra: Partial<typeof workspaces.$inferInsert> = {}) {
    const id = newWorkspaceId();
    await db()
      .insert(workspaces)
      .values({ id, settings, installedAt: new Date('2026-01-01T00:00:00Z'), ...extra });
    return id;
  }

  async function member(workspaceId: string, userId: string, fields: Partial<typeof members.$inferInsert> = {}) {
    await db()
      .insert(members)
      .values({ workspaceId, userId, displayName: userId, timezone: 'America/New_York', ...fields });
  }

  async function weeklyGoal(workspaceId: string, userId: string, metric = 'calls', target = 50) {
    await db().insert(goals).values({ workspaceId, userId, metric, target, period: 'week', setBy: userId });
  }

  async function posts(workspaceId: string) {
    return db().select().from(outbox).where(eq(outbox.workspaceId, workspaceId)).orderBy(outbox.key);
  }

  const run = (now: Date, workspaceId: string) => h.bot.runJob('nudges', now, { workspaceId });

  it('decides nothing at 08:59 in New York, one nudge at 09:00, and nothing more on a second run', async () => {
    const ws = await workspace();
    await member(ws, 'UNY');
    await weeklyGoal(ws, 'UNY');

    expect(await run(MONDAY_0859_NY, ws)).toMatchObject({ enqueued: 0, skipped: 0 });
    expect(await posts(ws)).toHaveLength(0);

    expect(await run(MONDAY_0900_NY, ws)).toMatchObject({ enqueued: 1 });
    await h.bot.delivery.idle();
    const [nudge, ...rest] = await posts(ws);
    expect(rest).toHaveLength(0);
    // Decided as a DM to send (this workspace has no Slack install here, so delivery itself is not the point).
    expect(nudge).toMatchObject({ key: 'nudge:UNY:2026-11-23', kind: 'nudge', target: 'UNY' });
    expect(nudge?.status).not.toBe('skipped');
    const payload = nudge?.payload as { text: string; blocks: unknown[] };
    expect(validateBlocks(payload.blocks, '/blocks', 50)).toEqual([]);
    const shown = JSON.stringify(payload);
    expect(shown).toContain('Monday, November 23');
    expect(shown).toContain('▱▱▱▱▱▱▱▱▱▱ 0% · 0 of 50');
    // 50 calls over the 5 working days left this week.
    expect(shown).toContain('Today: *10* to stay on pace (5 working days left)');

    expect(await run(new Date('2026-11-23T14:01:00Z'), ws)).toMatchObject({ enqueued: 0, skipped: 0 });
    expect(await posts(ws)).toHaveLength(1);
  });

  it('nudges a Tokyo rep on their Monday morning while it is still Sunday in UTC', async () => {
    const ws = await workspace();
    await member(ws, 'UTYO', { timezone: 'Asia/Tokyo', nudgeTime: '08:00' });
    await weeklyGoal(ws, 'UTYO');
    // Sunday 22:59 UTC is Monday 07:59 in Tokyo; 23:00 UTC is Monday 08:00.
    expect(await run(new Date('2026-11-22T22:59:00Z'), ws)).toMatchObject({ enqueued: 0 });
    expect(await run(new Date('2026-11-22T23:00:00Z'), ws)).toMatchObject({ enqueued: 1 });
    expect((await posts(ws)).map((p) => p.key)).toEqual(['nudge:UTYO:2026-11-23']);
  });

  it('keeps 09:00 local across the clock change, and reads a zone PostgreSQL does not know as the workspace’s', async () => {
    const ws = await workspace({}, { defaultTimezone: 'Europe/Paris' });
    await member(ws, 'UDST');
    await member(ws, 'UMARS', { timezone: 'Mars/Olympus_Mons' });
    await weeklyGoal(ws, 'UDST');
    await weeklyGoal(ws, 'UMARS');
    // Friday 30 October: New York is on daylight time (UTC−4), Paris on winter time (UTC+1).
    expect(await run(new Date('2026-10-30T07:59:00Z'), ws)).toMatchObject({ enqueued: 0 });
    expect(await run(new Date('2026-10-30T08:00:00Z'), ws)).toMatchObject({ enqueued: 1 });
    expect(await run(new Date('2026-10-30T13:00:00Z'), ws)).toMatchObject({ enqueued: 1 });
    // Monday 2 November, after New York's clocks went back: 09:00 is 14:00 UTC.
    expect(await run(new Date('2026-11-02T13:59:00Z'), ws)).toMatchObject({ enqueued: 1 });
    expect(await run(new Date('2026-11-02T14:00:00Z'), ws)).toMatchObject({ enqueued: 1 });
    expect((await posts(ws)).map((p) => p.key)).toEqual([
      'nudge:UDST:2026-10-30',
      'nudge:UDST:2026-11-02',
      'nudge:UMARS:2026-10-30',
      'nudge:UMARS:2026-11-02',
    ]);
  });

  it('sends nothing on a Saturday or on a workspace holiday, and resumes the next working day', async () => {
    const ws = await workspace({ holidays: ['2026-11-26'] });
    await member(ws, 'UHOL');
    await weeklyGoal(ws, 'UHOL');
    expect(await run(new Date('2026-11-21T15:00:00Z'), ws)).toMatchObject({ enqueued: 0, skipped: 0 });
    expect(await run(new Date('2026-11-26T15:00:00Z'), ws)).toMatchObject({ enqueued: 0, skipped: 0 });
    expect(await posts(ws)).toHaveLength(0);
    expect(await run(new Date('2026-11-27T15:00:00Z'), ws)).toMatchObject({ enqueued: 1 });
    expect((await posts(ws)).map((p) => p.key)).toEqual(['nudge:UHOL:2026-11-27']);
  });

  it("still sends today's nudge when the bot starts late, but never yesterday's", async () => {
    const ws = await workspace();
    await member(ws, 'ULATE');
    await weeklyGoal(ws, 'ULATE');
    // Down all Monday; back on Tuesday at 11:00 New York.
    expect(await run(new Date('2026-11-24T16:00:00Z'), ws)).toMatchObject({ enqueued: 1 });
    expect((await posts(ws)).map((p) => p.key)).toEqual(['nudge:ULATE:2026-11-24']);
  });

  it('records a skipped decision, and no DM, when there is nothing useful to say', async () => {
    const ws = await workspace();
    await member(ws, 'UQUIET');
    expect(await run(MONDAY_0900_NY, ws)).toMatchObject({ enqueued: 0, skipped: 1 });
    expect(await posts(ws)).toMatchObject([{ key: 'nudge:UQUIET:2026-11-23', status: 'skipped' }]);
    expect(await run(new Date('2026-11-23T15:00:00Z'), ws)).toMatchObject({ enqueued: 0, skipped: 0 });
  });

  it('decides a workspace with more reps than one statement has parameters for, each once', async () => {
    // PostgreSQL's protocol carries at most 65,535 parameters a statement: 7,000 posts of ten columns
    // each are more, so one insert of them all would fail the workspace's nudges every minute.
    const ws = await workspace();
    const reps = Array.from({ length: 7_000 }, (_, i) => `UMANY${String(i).padStart(4, '0')}`);
    await db()
      .insert(members)
      .values(reps.map((userId) => ({ workspaceId: ws, userId, displayName: userId, timezone: 'America/New_York' })));
    expect(await run(MONDAY_0900_NY, ws)).toMatchObject({ enqueued: 0, skipped: 7_000, failed: 0 });
    const keys = (await posts(ws)).map((p) => p.key);
    expect(new Set(keys).size).toBe(7_000);
    expect(keys[0]).toBe('nudge:UMANY0000:2026-11-23');
    expect(await run(new Date('2026-11-23T14:01:00Z'), ws)).toMatchObject({ enqueued: 0, skipped: 0, failed: 0 });
  }, 90_000);

  it('sends nothing to bots, deleted members, people with nudges off, or anyone in an uninstalled workspace', async () => {
    const ws = await workspace();
    for (const [userId, fields] of [
      ['UBOT1', { isBot: true }],
      ['UGONE', { isDeleted: true }],
      ['UOFF', { nudgesEnabled: false }],
    ] as const) {
      await member(ws, userId, fields);
      await weeklyGoal(ws, userId);
    }
    const gone = await workspace({}, { uninstalledAt: new Date('2026-11-01T00:00:00Z') });
    await member(gone, 'UFORMER');
    await weeklyGoal(gone, 'UFORMER');
    expect(await run(MONDAY_0900_NY, ws)).toMatchObject({ enqueued: 0, skipped: 0 });
    expect(await run(MONDAY_0900_NY, gone)).toMatchObject({ enqueued: 0, skipped: 0 });
    expect([...(await posts(ws)), ...(await posts(gone))]).toEqual([]);
  });

  it('coaches a rep whose leads waited over an hour, citing the benchmark, even without goals', async () => {
    const ws = await workspace();
    await member(ws, 'ULEAD');
    const lead = (externalId: string, minutesAgo: number) => ({
      workspaceId: ws,
      source: 'hubspot',
      externalId,
      ownerUserId: 'ULEAD',
      createdAt: new Date(MONDAY_0900_NY.getTime() - minutesAgo * 60_000),
    });
    // 60 minutes is "within the hour"; 61 is not.
    await db()
      .insert(leads)
      .values([lead('L1', 60), lead('L2', 61), lead('L3', 150)]);
    expect(await run(MONDAY_0900_NY, ws)).toMatchObject({ enqueued: 1 });
    const shown = JSON.stringify((await posts(ws))[0]?.payload);
    expect(shown).toContain('2 new leads have waited over an hour for your first reply (the longest 2 hours)');
    expect(shown).toContain('about 7× more likely');
    expect(shown).toContain('Benchmark: Responding within one hour');
  });
});

describeDb('/kpi nudges and the feedback buttons, through signed requests', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: new Date('2026-11-23T12:00:00Z') });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
  });
  afterAll(async () => h.close());

  const db = () => h.database.db;
  const run = (now: Date) => h.bot.runJob('nudges', now, { workspaceId: h.teamId });
  const nudgesOf = (userId: string) =>
    db()
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, h.teamId), like(outbox.key, `nudge:${userId}:%`)))
      .orderBy(outbox.key);

  describe('settings', () => {
    it('pauses, moves and shows the nudge time, in the rep’s own zone', async () => {
      const status = await h.kpi('UANA', 'nudges');
      expect(status.body.text).toContain('Your daily nudges are *on*: working days at *09:00* (America/New_York)');
      expect(status.body.text).toContain('Next one: Monday, November 23 at 09:00');

      const off = await h.kpi('UANA', 'nudges off');
      expect(off.body.text).toContain('paused');
      await db()
        .insert(goals)
        .values({ workspaceId: h.teamId, userId: 'UANA', metric: 'calls', target: 50, period: 'week', setBy: 'UANA' });
      expect(await run(new Date('2026-11-23T15:00:00Z'))).toMatchObject({ enqueued: 0 });
      expect(await nudgesOf('UANA')).toHaveLength(0);

      const moved = await h.kpi('UANA', 'nudges at 8:30am');
      expect(moved.body.text).toContain('working days at *08:30*');
      // It is 07:00 in New York: today's 08:30 is still ahead.
      expect(moved.body.text).toContain('Next one: Monday, November 23 at 08:30');
      // Tuesday 08:29 and 08:30 in New York.
      expect(await run(new Date('2026-11-24T13:29:00Z'))).toMatchObject({ enqueued: 0 });
      expect(await run(new Date('2026-11-24T13:30:00Z'))).toMatchObject({ enqueued: 1 });
      expect((await nudgesOf('UANA')).map((n) => n.key)).toEqual(['nudge:UANA:2026-11-24']);
    });

    it('answers a time it cannot read with a friendly error and changes nothing', async () => {
      const reply = await h.kpi('UBEN', 'nudges at 25:00');
      expect(reply.body.text).toContain('A time has hours 0 to 23, not 25.');
      const [ben] = await db()
        .select()
        .from(members)
        .where(and(eq(members.workspaceId, h.teamId), eq(members.userId, 'UBEN')));
      expect(ben).toMatchObject({ nudgesEnabled: true, nudgeTime: '09:00' });
    });
  });

  it('stores one answer per nudge, the last click wins, and an unhelpful prompt is not repeated the next day', async () => {
    await h.kpi('UBEN', 'nudges');
    await db()
      .insert(leads)
      .values({
        workspaceId: h.teamId,
        source: 'hubspot',
        externalId: 'LB1',
        ownerUserId: 'UBEN',
        createdAt: new Date('2026-11-20T12:00:00Z'),
      });
    await db()
      .insert(goals)
      .values({ workspaceId: h.teamId, userId: 'UBEN', metric: 'calls', target: 50, period: 'week', setBy: 'UBEN' });
    await run(new Date('2026-11-25T14:00:00Z'));
    const [nudge] = await nudgesOf('UBEN');
    const value = findButton(nudge?.payload, ACTIONS.nudgeNotHelpful);
    expect(JSON.parse(value)).toEqual({ k: 'nudge:UBEN:2026-11-25', r: 'leads_waiting' });

    h.clock.now = new Date('2026-11-25T14:05:00Z');
    const first = await h.clickButton('UBEN', ACTIONS.nudgeHelpful, value);
    expect(first.body).toMatchObject({ response_type: 'ephemeral', text: 'Thanks! Noted that this tip helped.' });
    h.clock.now = new Date('2026-11-25T14:06:00Z');
    const second = await h.clickButton('UBEN', ACTIONS.nudgeNotHelpful, value);
    expect(second.body.text).toContain("I won't bring up this kind of tip for the next 14 days");
    await h.clickButton('UBEN', ACTIONS.nudgeNotHelpful, value);

    // Someone else pressing the button (a forwarded message) stores nothing.
    const other = await h.clickButton('UANA', ACTIONS.nudgeHelpful, value);
    expect(other.body.text).toContain('out of date');

    const stored = await db().select().from(coachingFeedback).where(eq(coachingFeedback.workspaceId, h.teamId));
    expect(stored).toEqual([
      {
        workspaceId: h.teamId,
        userId: 'UBEN',
        nudgeKey: 'nudge:UBEN:2026-11-25',
        rule: 'leads_waiting',
        helpful: false,
        answeredAt: new Date('2026-11-25T14:06:00Z'),
      },
    ]);

    // The lead still waits on Thursday, but Ben said the prompt did not help: his goal is still there.
    await run(new Date('2026-11-26T14:00:00Z'));
    const thursday = (await nudgesOf('UBEN')).find((n) => n.key === 'nudge:UBEN:2026-11-26');
    expect(thursday?.status).not.toBe('skipped');
    expect(JSON.stringify(thursday?.payload)).not.toContain('waited over an hour');
  });
});

function findButton(payload: unknown, actionId: string): string {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'button' && o.action_id === actionId && typeof o.value === 'string') found.push(o.value);
      Object.values(o).forEach(walk);
    }
  };
  walk(payload);
  if (found.length !== 1) throw new Error(`expected one ${actionId} button in ${JSON.stringify(payload)}`);
  return found[0] as string;
}
