import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { goals, members } from '../../src/db/schema.js';
import { describeDb } from '../support/db.js';
import { isCallTo, type RecordedCall } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

/** Wednesday 18 Nov 2026, 10:00 in New York: "this week" began Monday 16 Nov. */
const NOW = new Date('2026-11-18T15:00:00Z');
const THIS_WEEK = new Date('2026-11-17T15:00:00Z');

/** The App Home end to end: a signed `app_home_opened` event, the real database, views.publish on the fake. */
describeDb('the App Home', () => {
  let h: Harness;
  let event = 0;

  beforeAll(async () => {
    h = await startHarness({ now: THIS_WEEK });
    h.addUser('UMAY', { name: 'Maya', tz: 'America/New_York' });
    h.addUser('UNOAH', { name: 'Noah', tz: 'America/New_York' });
    h.addUser('UZOE', { name: 'Zoe <&> Co', tz: 'America/New_York' });
    h.addUser('UMGR', { name: 'Morgan', tz: 'America/New_York' });
    h.addUser('UADM', { name: 'Alex', tz: 'America/New_York', isAdmin: true });
    for (const [user, entry] of [
      ['UMAY', 'calls 12'],
      ['UMAY', 'deal won $5k Acme'],
      ['UNOAH', 'calls 3'],
      ['UZOE', 'calls 40'],
      ['UMGR', 'calls 1'],
    ] as const) {
      expect((await h.kpi(user, `log ${entry}`)).body.text).toMatch(/^Logged/);
    }
    h.clock.now = NOW;
    const db = h.database.db;
    await db
      .update(members)
      .set({ role: 'manager' })
      .where(and(eq(members.workspaceId, h.teamId), eq(members.userId, 'UMGR')));
    // Maya and Noah report to Morgan; Zoe to someone else.
    await db
      .update(members)
      .set({ managerId: 'UMGR' })
      .where(and(eq(members.workspaceId, h.teamId), inArray(members.userId, ['UMAY', 'UNOAH'])));
    await db.insert(goals).values([
      { workspaceId: h.teamId, userId: 'UMAY', metric: 'calls', target: 50, period: 'week', setBy: 'UMGR' },
      // The same person in another workspace: never shown here.
      { workspaceId: 'TOTHER', userId: 'UMAY', metric: 'meetings', target: 9, period: 'week', setBy: 'UX' },
    ]);
  });
  afterAll(async () => h.close());

  async function openHome(user: string, tab = 'home'): Promise<RecordedCall | null> {
    const before = h.fake.callsTo('views.publish').length;
    const status = await h.event({ type: 'app_home_opened', user, channel: `D${user}`, tab, event_ts: `${++event}.0` });
    expect(status).toBe(200);
    if (tab !== 'home') return null;
    return h.fake.waitFor(
      (e): e is RecordedCall => isCallTo('views.publish')(e) && h.fake.callsTo('views.publish').length > before,
    ) as Promise<RecordedCall>;
  }

  const texts = (call: RecordedCall) => JSON.stringify(call.args.view);

  it('shows a rep this week’s scorecard and their goals with progress and pace, and no team', async () => {
    const call = await openHome('UMAY');
    expect(call?.ok).toBe(true);
    expect(call?.args.user_id).toBe('UMAY');
    const view = texts(call as RecordedCall);
    expect(view).toContain('Your scorecard: This week (Mon 16 Nov');
    expect(view).toContain('$5,000');
    expect(view).toContain('Your goals');
    // 12 of 50 calls: 24%, with the pace for the working days left (Wed to Fri).
    expect(view).toContain('▰▰▱▱▱▱▱▱▱▱ 24% · 12 of 50');
    expect(view).toMatch(/Needs [\d.]+ per working day for 3 more days/);
    expect(view).not.toContain('Meetings booked* ·');
    expect(view).not.toContain('Your team');
    expect(view).not.toContain('The workspace');
  });

  it('shows a manager their own reps’ week, and nobody else’s', async () => {
    const view = texts((await openHome('UMGR')) as RecordedCall);
    expect(view).toContain('Your team this week');
    expect(view).toContain('*Maya*: Revenue $5,000 · Meetings booked 0 · Calls 12');
    expect(view).toContain('*Noah*: Revenue $0 · Meetings booked 0 · Calls 3');
    expect(view).not.toContain('Zoe');
    expect(view).toContain('No live goals');
  });

  it('shows an admin the whole workspace, names escaped', async () => {
    const view = texts((await openHome('UADM')) as RecordedCall);
    expect(view).toContain('The workspace this week');
    for (const name of ['Maya', 'Noah', 'Morgan']) expect(view).toContain(`*${name}*`);
    expect(view).toContain('*Zoe &lt;&amp;&gt; Co*: Revenue $0 · Meetings booked 0 · Calls 40');
  });

  it('publishes nothing when the Messages tab is opened', async () => {
    const before = h.fake.callsTo('views.publish').length;
    await openHome('UMAY', 'messages');
    // Another Home opening after it is the first publish since: the Messages tab sent none.
    await openHome('UNOAH');
    expect(h.fake.callsTo('views.publish').length).toBe(before + 1);
    expect(h.fake.callsTo('views.publish').at(-1)?.args.user_id).toBe('UNOAH');
  });
});
