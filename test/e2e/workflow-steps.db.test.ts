import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import { FUNCTIONS } from '../../src/slack/ids.js';
import { activityRows } from '../support/activity-rows.js';
import { describeDb } from '../support/db.js';
import type { Json } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { runner, runStep } from '../support/workflow-steps.js';

/**
 * Workflow Builder custom steps end to end: signed `function_executed` events
 * (https://docs.slack.dev/reference/events/function_executed/) through the HTTP receiver, each run
 * finished on the fake with functions.completeSuccess or functions.completeError, once.
 */
describeDb('Workflow Builder steps', () => {
  let h: Harness;
  const step = (callbackId: string, inputs: Json) =>
    runStep({ url: h.url, fake: h.fake, teamId: h.teamId, signingSecret: SIGNING_SECRET }, callbackId, inputs);

  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UADMIN', { name: 'Ada', isAdmin: true });
    for (const name of ['Max', 'Ana', 'Ben']) h.addUser(`U${name.toUpperCase()}`, { name });
    await h.kpi('UADMIN', 'role <@UMAX|max> manager');
    await h.kpi('UMAX', 'team add <@UANA|ana>');
  });
  afterAll(async () => h.close());

  const rowsOf = (userId: string) => activityRows(h.database.db, h.teamId, userId);
  /** "Log activity" for `userId`, in a workflow `runBy` started. */
  const logFor = (runBy: string, userId: string, inputs: Json) =>
    step(FUNCTIONS.logActivity, { runner: runner(runBy), user_id: userId, ...inputs });

  describe('Log activity', () => {
    it('logs for the rep who runs it, and a retried event stores and completes once', async () => {
      const run = await logFor('UANA', 'UANA', { activity: 'calls', count: 12, note: 'Acme list' });
      expect(run.outcome).toEqual({ state: 'completed', outputs: { summary: 'Logged 12 calls for Ana.' } });
      expect(await run.retry()).toEqual(run.outcome);
      const rows = await rowsOf('UANA');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ kind: 'call', quantity: 12, note: 'Acme list', recordedBy: 'UANA' });
      const completions = h.fake
        .callsTo('functions.completeSuccess')
        .filter((c) => c.args.function_execution_id === run.executionId);
      expect(completions.map((c) => c.error ?? 'ok')).toEqual(['ok', 'execution_not_in_running_state']);
      // Completed with the run's own token, as Bolt attaches it.
      expect(completions[0]?.token).toBe(`xwfp-${h.teamId}-${run.executionId}`);
    });

    it('lets a manager log a deal for their rep, and a rep not for someone else', async () => {
      const managed = await logFor('UMAX', 'UANA', { activity: 'deal won', amount: 12500 });
      expect(managed.outcome).toEqual({
        state: 'completed',
        outputs: { summary: 'Logged 1 deal won worth $12,500 for Ana.' },
      });
      expect((await rowsOf('UANA')).find((r) => r.kind === 'deal_won')).toMatchObject({
        amountCents: 1_250_000,
        recordedBy: 'UMAX',
      });

      const refused = await logFor('UBEN', 'UANA', { activity: 'calls' });
      expect(refused.outcome).toEqual({
        state: 'failed',
        error: "Ben can't log activity for Ana: a rep logs their own, a manager for their team.",
      });
    });

    it("logs on the day given, up to a week back in the rep's zone", async () => {
      const run = await logFor('UBEN', 'UBEN', { activity: 'meetings', count: 2, day: '2026-11-16' });
      expect(run.outcome).toEqual({
        state: 'completed',
        outputs: { summary: 'Logged 2 meetings for Ben on 2026-11-16.' },
      });
      const [row] = await rowsOf('UBEN');
      // Midday of Monday 16 November in New York.
      expect(row?.occurredAt.toISOString()).toBe('2026-11-16T17:00:00.000Z');
      const old = await logFor('UBEN', 'UBEN', { activity: 'meetings', day: '2026-11-01' });
      expect(old.outcome).toMatchObject({
        state: 'failed',
        error: expect.stringContaining('“Day”: You can log up to 7 days back'),
      });
    });

    it.each([
      [{ activity: 'lunch' }, '“Activity” should be one of: calls, conversations'],
      [{ activity: 'calls', amount: 50 }, 'Only deals have an amount; leave “Amount” empty for calls.'],
      [{ activity: 'calls', count: 0 }, '“Count”: A count of zero logs nothing'],
      [{ activity: 'calls', note: 'x'.repeat(281) }, '“Note” can be up to 280 characters.'],
    ])('says what is wrong with %j in words a workflow author understands, storing nothing', async (inputs, error) => {
      const before = (await rowsOf('UBEN')).length;
      const run = await logFor('UBEN', 'UBEN', inputs);
      expect(run.outcome.state).toBe('failed');
      expect(run.outcome.state === 'failed' && run.outcome.error).toContain(error);
      expect(await rowsOf('UBEN')).toHaveLength(before);
    });

    it('refuses to run without knowing who started the workflow', async () => {
      const run = await step(FUNCTIONS.logActivity, { user_id: 'UBEN', activity: 'calls' });
      expect(run.outcome).toMatchObject({
        state: 'failed',
        error: expect.stringContaining('needs to know who runs this step'),
      });
    });
  });

  describe("Get a rep's KPI", () => {
    // A window runs up to now, exclusive: read a minute after the entries above.
    beforeAll(() => {
      h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    });

    it.each([
      // Ana's goal is 20 calls a week: 12 so far is 60%.
      ['her calls, with her goal', 'UANA', { metric: 'calls' }, { value: 12, goal: 20, percent: 60 }],
      // No revenue goal: no goal or percent. Money in currency units, not cents.
      ['her revenue today, for her manager', 'UMAX', { metric: 'revenue', window: 'today' }, { value: 12500 }],
      ['her revenue yesterday', 'UMAX', { metric: 'revenue', window: 'yesterday' }, { value: 0 }],
    ])("outputs Ana's %s", async (_, runBy, inputs, outputs) => {
      if (runBy === 'UANA') await h.kpi('UANA', 'goal calls 20');
      const run = await step(FUNCTIONS.getKpi, { runner: runner(runBy), user_id: 'UANA', ...inputs });
      expect(run.outcome).toEqual({ state: 'completed', outputs });
    });

    it.each([
      ['another rep’s numbers', { user_id: 'UANA', metric: 'calls' }, "Ben can't read Ana's numbers"],
      ['a metric it does not know', { user_id: 'UBEN', metric: 'vibes' }, 'no metric called “vibes”'],
      ['a window it cannot read', { user_id: 'UBEN', metric: 'calls', window: 'next fortnight' }, '“Window”'],
    ])('refuses %s, saying why', async (_, inputs, error) => {
      const run = await step(FUNCTIONS.getKpi, { runner: runner('UBEN'), ...inputs });
      expect(run.outcome).toMatchObject({ state: 'failed', error: expect.stringContaining(error) });
    });
  });

  describe('Post a leaderboard', () => {
    const boardPosts = () =>
      h.database.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.kind, 'board')));

    it('posts the board to the channel once for a manager, however often Slack retries', async () => {
      const run = await step(FUNCTIONS.postBoard, {
        runner: runner('UMAX'),
        channel_id: 'CSALES',
        metric: 'calls',
      });
      expect(run.outcome).toEqual({ state: 'completed', outputs: {} });
      expect(await run.retry()).toEqual(run.outcome);
      const posts = await boardPosts();
      expect(posts.map((p) => [p.key, p.target])).toEqual([[`board:workflow:${run.executionId}`, 'CSALES']]);
      expect(JSON.stringify(posts[0]?.payload)).toContain('Ana');
    });

    it('refuses a rep, as channel boards are for managers', async () => {
      const run = await step(FUNCTIONS.postBoard, { runner: runner('UBEN'), channel_id: 'CSALES' });
      expect(run.outcome).toMatchObject({
        state: 'failed',
        error: expect.stringContaining('Only a manager can post a leaderboard'),
      });
    });
  });
});
