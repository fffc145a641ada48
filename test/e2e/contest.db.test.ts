import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordActivity } from '../../src/activities/activities.repository.js';
import { auditLog, contests, goals, outbox } from '../../src/db/schema.js';
import { getSettings, saveSettings } from '../../src/game/settings.js';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import { VIEWS } from '../../src/slack/ids.js';
import { describeDb } from '../support/db.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { newTriggerId, nowSeconds, postSigned, viewSubmissionBody } from '../support/slack-signing.js';

/**
 * Contests end to end: the modal opened by `/kpi contest new`, its signed `view_submission`, and
 * the lifecycle job run with an injected clock. Times are New York (EST, UTC−5, in November).
 */
const CREATED = new Date('2026-11-13T17:00:00Z'); // Fri 13 Nov 12:00
const CHANNEL = 'CSALES';

type Values = Record<string, Record<string, object>>;

function form(o: {
  name?: string;
  metric?: string | null;
  scorecard?: string;
  period?: string;
  start?: string | null;
  end?: string | null;
  people?: string[];
  ranking?: 'goal_percent' | 'raw';
  prizes?: string[];
  threshold?: string;
  thresholdPrize?: string;
  min?: string;
}): Values {
  const textInput = (value: string | undefined) => ({ type: 'plain_text_input', value: value ?? null });
  const select = (value: string | null | undefined) => ({
    type: 'static_select',
    selected_option: value ? { text: { type: 'plain_text', text: value }, value } : null,
  });
  const date = (value: string | null | undefined) => ({ type: 'datepicker', selected_date: value ?? null });
  const prizes = o.prizes ?? ['A gift card'];
  const fields: Record<string, object> = {
    contest_name: textInput(o.name ?? 'Demo dash'),
    contest_metric: select(o.metric === undefined ? 'demos' : o.metric),
    contest_scorecard: textInput(o.scorecard),
    contest_period: select(o.period ?? 'dates'),
    contest_start: date(o.start === undefined ? '2026-11-16' : o.start),
    contest_end: date(o.end === undefined ? '2026-11-20' : o.end),
    contest_people: { type: 'multi_users_select', selected_users: o.people ?? [] },
    contest_ranking: {
      type: 'radio_buttons',
      selected_option: { text: { type: 'plain_text', text: 'x' }, value: o.ranking ?? 'goal_percent' },
    },
    contest_prize_1: textInput(prizes[0]),
    contest_prize_2: textInput(prizes[1]),
    contest_prize_3: textInput(prizes[2]),
    contest_threshold_score: textInput(o.threshold),
    contest_threshold_prize: textInput(o.thresholdPrize),
    contest_min_score: textInput(o.min),
    contest_channel: { type: 'conversations_select', selected_conversation: CHANNEL },
  };
  // Slack's state: block id → action id → value; each element's action id is its block's id.
  return Object.fromEntries(Object.entries(fields).map(([block, state]) => [block, { [block]: state }]));
}

describeDb('contests end to end', () => {
  let h: Harness;
  let seq = 0;

  const submit = async (userId: string, values: Values, key: string) => {
    const body = viewSubmissionBody({
      teamId: h.teamId,
      userId,
      callbackId: VIEWS.contestNew,
      privateMetadata: JSON.stringify({ key, timezone: 'America/New_York' }),
      values,
    });
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    return res.json as { response_action: string; errors?: Record<string, string>; view?: unknown };
  };

  const stored = () => h.database.db.select().from(contests).where(eq(contests.workspaceId, h.teamId));
  const posts = (contestId: number) =>
    h.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.refId, contestId)))
      .orderBy(outbox.id);

  async function log(userId: string, kind: ActivityKind, quantity: number, at: string, note: string | null) {
    await recordActivity(h.database.db, {
      workspaceId: h.teamId,
      userId,
      kind,
      quantity,
      amountCents: 0,
      occurredAt: new Date(at),
      source: 'slack',
      idempotencyKey: `t${++seq}`,
      note,
    });
  }

  async function createByModal(values: Values): Promise<number> {
    h.clock.now = CREATED;
    const reply = await submit('UMGR', values, `k${++seq}`);
    expect(reply.response_action).toBe('update');
    const rows = await stored();
    return Math.max(...rows.map((r) => r.id));
  }

  beforeAll(async () => {
    h = await startHarness({ now: CREATED });
    h.addUser('UMGR', { name: 'Maya', isAdmin: true });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
    h.addUser('UCAT', { name: 'Cat' });
    h.fake.addChannel({ id: CHANNEL, teamId: h.teamId, members: ['UMGR', 'UANA', 'UBEN', 'UCAT', 'UBOT'] });
    h.fake.addUser({ id: 'UBOT', teamId: h.teamId, name: 'kpi-bot', isBot: true });
    // A demo counts only with an outcome note of 10+ characters.
    await h.kpi('UMGR', 'help');
    const settings = await getSettings(h.database.db, h.teamId);
    await saveSettings(h.database.db, h.teamId, { ...settings, qualityGates: { demo: { minNoteChars: 10 } } });
    // These tests look at the posts as decided, in the outbox, while the clock jumps days back and
    // forth: nothing sends them (the delivery tests do).
    await h.bot.delivery.stop();
  });
  afterAll(async () => h.close());

  describe('starting a contest from the modal', () => {
    it('opens the modal for a manager with the command’s trigger id', async () => {
      const triggerId = newTriggerId();
      const reply = await h.kpi('UMGR', 'contest new', { triggerId });
      expect(h.fake.callsTo('views.open').at(-1)?.response).toMatchObject({ ok: true });
      expect(reply.body.text).toContain('Fill in the form');
      const open = h.fake.callsTo('views.open').at(-1);
      expect(open?.response).toMatchObject({ ok: true });
      expect(open?.args.trigger_id).toBe(triggerId);
      const view = open?.args.view as { callback_id: string; private_metadata: string };
      expect(view.callback_id).toBe(VIEWS.contestNew);
      expect(JSON.parse(view.private_metadata)).toEqual({ key: triggerId, timezone: 'America/New_York' });
    });

    it('asks to run the command again when the trigger id has expired', async () => {
      const reply = await h.kpi('UMGR', 'contest new', { triggerId: `${nowSeconds() - 10}.1.abcdef` });
      expect(h.fake.callsTo('views.open').at(-1)?.response).toMatchObject({ ok: false, error: 'expired_trigger_id' });
      expect(reply.body.text).toContain('run `/kpi contest new` again');
    });

    it('refuses a rep politely and opens nothing', async () => {
      const before = h.fake.callsTo('views.open').length;
      const reply = await h.kpi('UANA', 'contest new', { triggerId: newTriggerId() });
      expect(reply.body.text).toContain('Only a manager can start a contest');
      expect(h.fake.callsTo('views.open').length).toBe(before);
      // A crafted submission from a rep is refused on the server too, and stores nothing.
      const answer = await submit('UANA', form({}), 'rep-key');
      expect(answer.response_action).toBe('errors');
      expect(answer.errors?.contest_name).toContain('Only a manager');
      expect(await stored()).toHaveLength(0);
    });

    it('says what is wrong under each field and stores nothing', async () => {
      h.clock.now = CREATED;
      const answer = await submit(
        'UMGR',
        form({ metric: null, start: '2026-11-20', end: '2026-11-16', prizes: [] }),
        'bad-1',
      );
      expect(answer.response_action).toBe('errors');
      expect(answer.errors?.contest_metric).toMatch(/Pick the metric/);
      expect(answer.errors?.contest_end).toMatch(/ends before it starts/);
      expect(answer.errors?.contest_prize_1).toMatch(/Name a prize/);
      const weights = await submit('UMGR', form({ metric: null, scorecard: 'demos 0 10\ncalls 1 100' }), 'bad-2');
      expect(weights.errors?.contest_scorecard).toMatch(/weight of demos must be a positive number/);
      expect(await stored()).toHaveLength(0);
    });

    it('stores one contest, audited, even when the submission is retried', async () => {
      h.clock.now = CREATED;
      const values = form({ name: 'Demo dash', prizes: ['Gold', 'Silver'] });
      // A double click delivers two submissions at once; Slack's retry comes later. One contest.
      const [first] = await Promise.all([submit('UMGR', values, 'once'), submit('UMGR', values, 'once')]);
      const again = await submit('UMGR', values, 'once');
      expect(first.response_action).toBe('update');
      expect(JSON.stringify(again.view)).toContain('already saved');
      const rows = await stored();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        name: 'Demo dash',
        metric: 'demos',
        ranking: 'goal_percent',
        status: 'scheduled',
      });
      expect(rows[0]?.startsAt).toEqual(new Date('2026-11-16T05:00:00Z'));
      expect(rows[0]?.endsAt).toEqual(new Date('2026-11-21T05:00:00Z'));
      const audit = await h.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, h.teamId), eq(auditLog.action, 'contest.create')));
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorId: 'UMGR', target: `contest:${rows[0]?.id}` });
    });
  });

  describe('the lifecycle', () => {
    let id: number;

    beforeAll(async () => {
      id = (await stored())[0]?.id ?? 0;
      // Goals: Ana 10 demos a week, Ben 4; Cat none (measured against the median, 7).
      await h.database.db.insert(goals).values([
        { workspaceId: h.teamId, userId: 'UANA', metric: 'demos', target: 10, period: 'week', setBy: 'UMGR' },
        { workspaceId: h.teamId, userId: 'UBEN', metric: 'demos', target: 4, period: 'week', setBy: 'UMGR' },
      ]);
      // Ben keeps his results private.
      expect((await h.kpi('UBEN', 'privacy hide')).body.text).toContain('hidden');
    });

    it('does nothing before the start, then starts once', async () => {
      expect(await h.bot.runJob('contests', new Date('2026-11-16T04:59:00Z'))).toMatchObject({ started: 0 });
      expect(await posts(id)).toHaveLength(0);
      expect(await h.bot.runJob('contests', new Date('2026-11-16T05:01:00Z'))).toMatchObject({ started: 1 });
      expect(await h.bot.runJob('contests', new Date('2026-11-16T05:02:00Z'))).toMatchObject({ started: 0 });
      const sent = await posts(id);
      expect(sent.map((p) => p.key)).toEqual([`contest:${id}:start`]);
      expect(sent[0]?.target).toBe(CHANNEL);
      const start = JSON.stringify(sent[0]?.payload);
      expect(start).toContain('Demo dash starts now');
      expect(start).toContain('Gold');
      expect(start).toContain("percent of each rep's own demos goal");
      expect(start).toContain('demos count only with an outcome note of 10+ characters');
      expect((await stored())[0]?.status).toBe('live');
    });

    it('posts standings at 09:00 on working days, top places only, without opted-out people', async () => {
      await log('UANA', 'demo', 5, '2026-11-16T15:00:00Z', 'Acme: pricing agreed'); // 50% of 10
      await log('UBEN', 'demo', 3, '2026-11-16T16:00:00Z', 'Globex: next step set'); // 75% of 4
      await log('UCAT', 'demo', 6, '2026-11-16T17:00:00Z', null); // no outcome: no credit
      // Not on the start day; not before 09:00 the next day.
      expect(await h.bot.runJob('contests', new Date('2026-11-16T14:05:00Z'))).toMatchObject({ standings: 0 });
      expect(await h.bot.runJob('contests', new Date('2026-11-17T13:55:00Z'))).toMatchObject({ standings: 0 });
      expect(await h.bot.runJob('contests', new Date('2026-11-17T14:01:00Z'))).toMatchObject({ standings: 1 });
      expect(await h.bot.runJob('contests', new Date('2026-11-17T14:30:00Z'))).toMatchObject({ standings: 0 });
      const standings = (await posts(id)).filter((p) => p.key.startsWith(`contest:${id}:standings:`));
      expect(standings.map((p) => p.key)).toEqual([`contest:${id}:standings:2026-11-17`]);
      const text = JSON.stringify(standings[0]?.payload);
      expect(text).toContain('Ana');
      expect(text).toContain('50% of goal');
      expect(text).not.toContain('Ben');
      expect(text).not.toContain('Cat');
      expect(text).not.toMatch(/<@/);
    });

    it('shows each participant their own place and progress privately', async () => {
      h.clock.now = new Date('2026-11-17T15:00:00Z');
      const ben = JSON.stringify((await h.kpi('UBEN', 'contest')).body);
      expect(ben).toContain('#1 of 4');
      expect(ben).toContain('in line for Gold');
      const cat = JSON.stringify((await h.kpi('UCAT', 'contest')).body);
      // Cat has no credited demo: tying Ana's 50% of the median goal (7 demos) takes 4 demos.
      expect(cat).toContain('#3 of 4');
      expect(cat).toContain('4 demos to go for Silver');
    });

    it('ends once, freezes the result and tags the public winners', async () => {
      expect(await h.bot.runJob('contests', new Date('2026-11-21T05:01:00Z'))).toMatchObject({ ended: 1 });
      expect(await h.bot.runJob('contests', new Date('2026-11-21T05:02:00Z'))).toMatchObject({ ended: 0 });
      const row = (await stored())[0];
      expect(row?.status).toBe('ended');
      const result = row?.result as {
        standings: { userId: string; rank: number; prize: string | null; value: number }[];
      };
      // Cat logged 6 demos, none with an outcome note: the quality gate gives her no credit.
      expect(result.standings.find((s) => s.userId === 'UCAT')?.value).toBe(0);
      expect(result.standings.map((s) => [s.userId, s.rank, s.prize])).toEqual([
        ['UBEN', 1, 'Gold'],
        ['UANA', 2, 'Silver'],
        ['UCAT', 3, null],
        ['UMGR', 3, null],
      ]);
      const results = (await posts(id)).filter((p) => p.key === `contest:${id}:result`);
      expect(results).toHaveLength(1);
      const text = JSON.stringify(results[0]?.payload);
      expect(text).toContain('<@UANA>');
      expect(text).toContain('Silver');
      expect(text).not.toContain('UBEN');
      expect(text).toContain('1 more winner who keeps results private');
    });

    it('lets a manager cancel a contest, audited, and a rep not', async () => {
      const other = await createByModal(form({ name: 'Calls blitz', metric: 'calls' }));
      h.clock.now = new Date('2026-11-16T15:00:00Z');
      expect((await h.kpi('UANA', `contest cancel ${other}`)).body.text).toContain('Only a manager can cancel');
      expect((await h.kpi('UMGR', `contest cancel ${other}`)).body.text).toContain('is cancelled');
      expect((await h.kpi('UMGR', `contest cancel ${other}`)).body.text).toContain('already over');
      const row = (await stored()).find((r) => r.id === other);
      expect(row?.status).toBe('cancelled');
      const audit = await h.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.workspaceId, h.teamId), eq(auditLog.action, 'contest.cancel')));
      expect(audit).toHaveLength(1);
      expect(await h.bot.runJob('contests', new Date('2026-11-16T15:01:00Z'))).toMatchObject({ started: 0 });
    });

    it('tells the channel when a live contest is called off, and never ends it', async () => {
      const live = await createByModal(
        form({ name: 'Meeting march', metric: 'meetings', start: '2026-11-16', end: '2026-11-17' }),
      );
      await h.bot.runJob('contests', new Date('2026-11-16T05:01:00Z'));
      h.clock.now = new Date('2026-11-16T15:00:00Z');
      expect((await h.kpi('UMGR', `contest cancel ${live}`)).body.text).toContain('is cancelled');
      await h.bot.runJob('contests', new Date('2026-11-18T05:01:00Z'));
      expect((await posts(live)).map((p) => p.key)).toEqual([`contest:${live}:start`, `contest:${live}:cancelled`]);
    });

    it('ends an empty contest with no winner rather than crowning zeros', async () => {
      const empty = await createByModal(
        form({ name: 'Proposal push', metric: 'proposals', start: '2026-11-23', end: '2026-11-24', ranking: 'raw' }),
      );
      await h.bot.runJob('contests', new Date('2026-11-23T05:01:00Z'));
      await h.bot.runJob('contests', new Date('2026-11-25T05:01:00Z'));
      const result = (await posts(empty)).find((p) => p.key === `contest:${empty}:result`);
      expect(JSON.stringify(result?.payload)).toContain('No winner this time');
      expect(JSON.stringify(result?.payload)).not.toMatch(/<@/);
    });

    it('runs a weighted scorecard contest for named people, started once by two replicas at the same minute', async () => {
      const id = await createByModal(
        form({
          name: 'Pipeline builder',
          metric: null,
          scorecard: 'demos 3 10\ncalls 1 100',
          ranking: 'raw',
          people: ['UANA', 'UCAT'],
          start: '2026-11-30',
          end: '2026-12-04',
          prizes: [],
          threshold: '50',
          thresholdPrize: 'Pizza',
        }),
      );
      const at = new Date('2026-11-30T05:01:00Z');
      const [one, two] = await Promise.all([h.bot.runJob('contests', at), h.bot.runJob('contests', at)]);
      expect((one?.started ?? 0) + (two?.started ?? 0)).toBe(1);
      // Ana: 5 of 10 demos (×3) and 100 of 100 calls (×1) = 62.5 points; Cat: 10 calls = 2.5.
      await log('UANA', 'demo', 5, '2026-12-01T15:00:00Z', 'Umbrella: pilot agreed');
      await log('UANA', 'call', 100, '2026-12-01T16:00:00Z', null);
      await log('UCAT', 'call', 10, '2026-12-01T16:00:00Z', null);
      h.clock.now = new Date('2026-12-02T15:00:00Z');
      const cat = JSON.stringify((await h.kpi('UCAT', 'contest')).body);
      expect(cat).toContain('#2 of 2, *3 pts*');
      expect(cat).toContain('48 pts to go for Pizza');
      await Promise.all([
        h.bot.runJob('contests', new Date('2026-12-05T05:01:00Z')),
        h.bot.runJob('contests', new Date('2026-12-05T05:01:00Z')),
      ]);
      const sent = await posts(id);
      expect(sent.filter((p) => p.key === `contest:${id}:start`)).toHaveLength(1);
      const result = sent.filter((p) => p.key === `contest:${id}:result`);
      expect(result).toHaveLength(1);
      const text = JSON.stringify(result[0]?.payload);
      expect(text).toContain('<@UANA>: *63 pts* — wins Pizza');
      expect(text).not.toContain('UCAT');
      expect(text).toContain('Scorecard of demos, calls');
    });

    it('posts standings at 09:00 local time on both sides of the DST change', async () => {
      // Clocks go back on Sun 1 Nov 2026: 09:00 is 13:00Z before, 14:00Z after.
      h.clock.now = new Date('2026-10-23T16:00:00Z');
      const dst = await submit('UMGR', form({ name: 'Fall dash', start: '2026-10-26', end: '2026-11-06' }), 'dst');
      expect(dst.response_action).toBe('update');
      const contestId = Math.max(...(await stored()).map((r) => r.id));
      await log('UANA', 'demo', 2, '2026-10-26T15:00:00Z', 'Initech: trial started');
      await h.bot.runJob('contests', new Date('2026-10-26T04:01:00Z'));
      await h.bot.runJob('contests', new Date('2026-10-30T12:59:00Z'));
      await h.bot.runJob('contests', new Date('2026-10-30T13:00:00Z'));
      await h.bot.runJob('contests', new Date('2026-11-02T13:30:00Z'));
      await h.bot.runJob('contests', new Date('2026-11-02T14:00:00Z'));
      const keys = (await posts(contestId)).map((p) => p.key);
      expect(keys).toEqual([
        `contest:${contestId}:start`,
        `contest:${contestId}:standings:2026-10-30`,
        `contest:${contestId}:standings:2026-11-02`,
      ]);
    });
  });
});
