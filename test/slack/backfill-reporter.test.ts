import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackfillRun } from '../../src/integrations/backfill/contract.js';
import { createLogger } from '../../src/lib/logger.js';
import {
  createSlackBackfillReporter,
  type ProgressMessage,
  type ReporterStateStore,
} from '../../src/slack/backfill-reporter.js';
import { backfillRun } from '../support/backfill-runs.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

/**
 * The admin's progress DM against the strict fake Slack: chat.update only edits a message the bot
 * posted, in the conversation it is in (the DM's `D…` id, not the user's), and rate limits and
 * failures come on demand.
 */

const TEAM = 'TBACKFILL';
const TOKEN = `xoxb-${TEAM}`;
const START = new Date('2026-11-18T15:00:00Z');

describe('Slack backfill reporter', () => {
  let fake: FakeSlack;
  let clock: { now: Date };
  let states: Map<number, unknown>;
  const store = (): ReporterStateStore => ({
    load: async (runId) => states.get(runId) ?? null,
    save: async (runId, state: ProgressMessage) => {
      states.set(runId, state);
    },
  });
  const client = (slackApiUrl: string) =>
    new webApi.WebClient(TOKEN, { slackApiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  const reporter = () => {
    // This test's fake: a send still in flight when the test ends must not reach the next test's.
    const { apiUrl } = fake;
    return createSlackBackfillReporter({
      clientFor: async (workspaceId) => (workspaceId === TEAM ? client(apiUrl) : null),
      state: store(),
      logger: createLogger('silent'),
      now: () => clock.now,
      everyMs: 5_000,
    });
  };
  const at = (seconds: number) => {
    clock.now = new Date(START.getTime() + seconds * 1000);
    return clock.now;
  };
  const running = (activities: number, seconds: number): BackfillRun =>
    backfillRun({
      workspaceId: TEAM,
      stage: 'activities',
      read: { deals: 100, leads: 50, activities },
      estimated: { deals: 100, leads: 50, activities: 60_000 },
      updatedAt: at(seconds),
    });
  const dm = () => fake.messagesIn(fake.dmChannelOf('UADMIN'));

  beforeEach(async () => {
    fake = await startFakeSlack();
    fake.addToken(TOKEN, { teamId: TEAM, botUserId: 'UBOT', botId: 'BBOT' });
    fake.addUser({ id: 'UADMIN', teamId: TEAM, name: 'admin', isAdmin: true });
    clock = { now: START };
    states = new Map();
  });
  afterEach(async () => fake.close());

  it('posts one DM, edits it at most every few seconds, and always sends the end', async () => {
    const r = reporter();
    await r.report(running(1_000, 1));
    await r.idle();
    await r.report(running(2_000, 2));
    await r.report(running(3_000, 4));
    await r.idle();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.callsTo('chat.update')).toHaveLength(0);
    await r.report(running(41_200, 7));
    await r.idle();
    expect(dm()).toHaveLength(1);
    // 41,350 records in 7 s: the 18,800 activities left take about 3 s more.
    expect(dm()[0]?.text).toBe('HubSpot: 41,200 of ~60,000 activities, 3 s left');
    const done = backfillRun({
      workspaceId: TEAM,
      status: 'done',
      stage: 'activities',
      read: { deals: 100, leads: 50, activities: 60_000 },
      finishedAt: at(8),
    });
    await r.report(done);
    await r.idle();
    expect(fake.callsTo('chat.update')).toHaveLength(2);
    expect(dm()).toHaveLength(1);
    expect(dm()[0]?.text).toBe('HubSpot: done: 100 deals, 50 leads, 60,000 activities read in 8 s.');
    expect(JSON.stringify(dm()[0]?.blocks)).toContain('Nothing from the past was announced');
  });

  it('edits the same message from another process when the run resumes there', async () => {
    const first = reporter();
    await first.report(running(1_000, 1));
    await first.idle();
    // The first process's reporter is gone (it may have died): a new one reads where the message is.
    const second = reporter();
    await second.report(running(2_000, 3));
    await second.idle();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
    expect(dm()[0]?.text).toContain('2,000 of ~60,000 activities');
  });

  it('says why a run stopped', async () => {
    const r = reporter();
    const failed = backfillRun({
      workspaceId: TEAM,
      status: 'failed',
      error: 'HubSpot refused the access token <expired>',
      finishedAt: at(3),
    });
    await r.report(failed);
    await r.idle();
    expect(dm()[0]?.text).toBe(
      'HubSpot: the backfill stopped: HubSpot refused the access token &lt;expired&gt;. Start it again to go on from where it stopped.',
    );
  });

  it('goes on when Slack fails, and shows the next report', async () => {
    const r = reporter();
    fake.failNext('chat.postMessage', { error: 'internal_error' });
    await expect(r.report(running(1_000, 1))).resolves.toBeUndefined();
    await r.idle();
    expect(dm()).toHaveLength(0);
    await r.report(running(5_000, 7));
    await r.idle();
    expect(dm()[0]?.text).toContain('5,000 of ~60,000 activities');
  });

  it('never holds the run while Slack is slow to answer', async () => {
    const r = reporter();
    await r.report(running(1_000, 1));
    await r.idle();
    fake.holdAnswersAfter('chat.update', 0);
    // Slack holds every edit's answer; reports still return at once, and the newest waits its turn.
    await r.report(running(2_000, 7));
    await r.report(running(3_000, 14));
    const done = backfillRun({ workspaceId: TEAM, status: 'done', finishedAt: at(15) });
    await expect(Promise.race([r.report(done).then(() => 'returned'), sleep(500).then(() => 'held')])).resolves.toBe(
      'returned',
    );
  });

  it('posts a new message when the old one is gone', async () => {
    states.set(1, { channel: fake.dmChannelOf('UADMIN'), ts: '1700000000.000001' });
    const r = reporter();
    await r.report(running(1_000, 1));
    await r.idle();
    expect(dm()).toHaveLength(1);
    expect(states.get(1)).toEqual({ channel: fake.dmChannelOf('UADMIN'), ts: dm()[0]?.ts });
  });

  it('shows nothing in Slack for a run started from the CLI', async () => {
    const r = reporter();
    await r.report({ ...running(1_000, 1), requestedBy: null });
    await r.idle();
    expect(fake.calls).toHaveLength(0);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
