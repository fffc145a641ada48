import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';

const HOUR = 60 * 60 * 1000;
const TEAM = 'TROTATE1';

/**
 * Token rotation on: Slack's fake hands out 12-hour bot tokens and single-use refresh tokens, and
 * refuses an expired token with `token_expired`. Two replicas share one database.
 */
describeDb('Slack token rotation (two replicas, one database, fake oauth.v2.access)', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let a: OAuthReplica;
  let b: OAuthReplica;
  // Rotation compares expiry with the app's clock and Bolt's with the wall clock: start at the wall clock.
  const clock = { now: new Date() };

  beforeAll(async () => {
    fake = await startFakeSlack({ ...OAUTH, now: () => clock.now.getTime() });
    database = await openTestDatabase();
    a = await startOAuthReplica({ fake, database, now: () => clock.now });
    b = await startOAuthReplica({ fake, database, now: () => clock.now });
    await a.install(TEAM, 'code-rot', {
      access_token: `xoxe.xoxb-${TEAM}-first`,
      refresh_token: 'xoxe-1-first',
      expires_in: 12 * 60 * 60,
    });
    fake.addUser({ id: 'U1', teamId: TEAM, name: 'ana', tz: 'UTC' });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await fake.close();
    await database.close();
  });

  const refreshes = () => fake.callsTo('oauth.v2.access').filter((c) => c.args.grant_type === 'refresh_token');
  const text = (reply: RecordedResponse | number) => (typeof reply === 'number' ? `HTTP ${reply}` : reply.body.text);

  it('answers with the installed token while it is fresh', async () => {
    expect(text(await a.kpi(TEAM, 'U1', 'log calls 2', 'fresh'))).toBe('Logged 2 calls.');
    expect(refreshes()).toHaveLength(0);
  });

  it('refreshes an expired token for a scheduled job, which has no incoming request to authorise', async () => {
    clock.now = new Date(clock.now.getTime() + 13 * HOUR);
    const client = await a.bot.jobDeps.slackFor(TEAM);
    const auth = await client?.auth.test();
    expect(auth?.team_id).toBe(TEAM);
    expect(refreshes().map((c) => [c.ok, c.args.refresh_token])).toEqual([[true, 'xoxe-1-first']]);
    // The other replica reads the stored tokens: no second refresh, and its command works.
    expect(text(await b.kpi(TEAM, 'U1', 'log calls 1', 'after-job'))).toBe('Logged 1 call.');
    expect(refreshes()).toHaveLength(1);
  });

  it('refreshes once when both replicas find the token expired at the same moment', async () => {
    clock.now = new Date(clock.now.getTime() + 13 * HOUR);
    const before = refreshes().length;
    const replies = await Promise.all([
      a.kpi(TEAM, 'U1', 'log calls 1', 'race-a'),
      b.kpi(TEAM, 'U1', 'log meetings 1', 'race-b'),
      a.kpi(TEAM, 'U1', 'me', 'race-c'),
      b.kpi(TEAM, 'U1', 'me', 'race-d'),
    ]);
    expect(replies.slice(0, 2).map(text)).toEqual(['Logged 1 call.', 'Logged 1 meeting.']);
    for (const reply of replies) expect(text(reply)).not.toContain('Sorry');
    const raced = refreshes().slice(before);
    expect(raced.map((c) => c.ok)).toEqual([true]);
    // No call went out with an expired token.
    expect(fake.calls.filter((c) => c.error === 'token_expired')).toEqual([]);
  });

  it('keeps rotating: the refresh token stored last is the one Slack still honours', async () => {
    clock.now = new Date(clock.now.getTime() + 13 * HOUR);
    expect(text(await b.kpi(TEAM, 'U1', 'log calls 1', 'third'))).toBe('Logged 1 call.');
    expect(refreshes().every((c) => c.ok)).toBe(true);
    expect(refreshes()).toHaveLength(3);
  });
});
