import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordActivity } from '../../src/activities/activities.repository.js';
import { auditLog, goals, outbox } from '../../src/db/schema.js';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import { describeDb, newWorkspaceId } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

/** Everything a reply shows a person, blocks included. */
function shown(reply: RecordedResponse): string {
  return JSON.stringify(reply.body);
}

// Wednesday 18 Nov 2026, 10:00 in New York (the harness clock).
describeDb('/kpi goal end to end: who may set what, suggestions, progress, privacy', () => {
  let h: Harness;
  let seq = 0;

  async function log(userId: string, kind: ActivityKind, quantity: number, at: string, workspaceId?: string) {
    await recordActivity(h.database.db, {
      workspaceId: workspaceId ?? h.teamId,
      userId,
      kind,
      quantity,
      amountCents: 0,
      occurredAt: new Date(at),
      source: 'slack',
      idempotencyKey: `seed${++seq}`,
    });
  }

  const goalsOf = (userId: string) =>
    h.database.db
      .select()
      .from(goals)
      .where(and(eq(goals.workspaceId, h.teamId), eq(goals.userId, userId)));
  const audit = () =>
    h.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, h.teamId)).orderBy(auditLog.id);

  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UADMIN', { name: 'Ada', isAdmin: true });
    h.addUser('UMGR', { name: 'Max' });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
    h.addUser('UCAT', { name: 'Cat' });
    // Ana's meetings in the eight complete weeks before this one (Mondays from 21 Sep), one week empty.
    const weekly = [8, 4, 12, 10, 0, 9, 11, 7];
    for (const [i, n] of weekly.entries()) {
      const monday = new Date(Date.UTC(2026, 8, 21 + 7 * i, 15));
      if (n > 0) await log('UANA', 'meeting', n, monday.toISOString());
    }
    await log('UANA', 'meeting', 3, '2026-11-16T15:00:00Z'); // this week so far
    expect((await h.kpi('UADMIN', 'role <@UMGR|max> manager')).body.text).toContain('Max is now a manager');
    expect((await h.kpi('UMGR', 'team add <@UANA|ana>')).body.text).toContain('Ana added to your team');
  });
  afterAll(async () => h.close());

  it('a rep sets their own goal and sees the suggestion from their history beside it; not audited', async () => {
    const before = (await audit()).length;
    const reply = await h.kpi('UANA', 'goal meetings 12');
    const text = shown(reply);
    expect(text).toContain('Goal set');
    // p75 of [8, 4, 12, 10, 0, 9, 11, 7] is 10.25 → 11.
    expect(text).toContain(
      'Suggested from your history: 11: your 75th-percentile week over your last 8 complete weeks',
    );
    expect(text).toContain('3 of 12 (25%)');
    expect(text).toMatch(/a day for the 3 working days left/);
    const stored = await goalsOf('UANA');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      metric: 'meetings',
      target: 12,
      period: 'week',
      setBy: 'UANA',
      suggestedTarget: 11,
    });
    expect(await audit()).toHaveLength(before);

    const suggestion = await h.kpi('UANA', 'goal meetings');
    expect(suggestion.body.text).toContain('11: your 75th-percentile week');
    expect(shown(suggestion)).toContain('/kpi goal meetings 11');
  });

  it('a rep cannot set a goal for someone else: polite refusal, nothing stored, nothing audited', async () => {
    const before = (await audit()).length;
    const reply = await h.kpi('UANA', 'goal meetings 5 for <@UBEN|ben>');
    expect(reply.body.text).toMatch(/^Only a manager can set goals for someone else/);
    const channel = await h.kpi('UANA', 'goal demos 20 month for <#C0SALES|sales>');
    expect(channel.body.text).toMatch(/^Only a manager can set a goal for a channel/);
    expect(await goalsOf('UBEN')).toEqual([]);
    const channelGoals = await h.database.db.select().from(goals).where(eq(goals.channelId, 'C0SALES'));
    expect(channelGoals).toEqual([]);
    expect(await audit()).toHaveLength(before);
  });

  it('a manager sets a goal for their rep: stored, replacing the old one, and audited once however often retried', async () => {
    const reply = await h.kpi('UMGR', 'goal meetings 8 for <@UANA|ana>');
    expect(shown(reply)).toContain('Goal updated');
    expect(shown(reply)).toContain('Suggested from their history');
    const stored = await goalsOf('UANA');
    expect(stored.filter((g) => g.archivedAt === null)).toMatchObject([
      { target: 8, setBy: 'UMGR', suggestedTarget: 11 },
    ]);
    expect(stored.filter((g) => g.archivedAt !== null)).toMatchObject([{ target: 12 }]);
    const entries = (await audit()).filter((a) => a.action === 'goal.set');
    expect(entries).toMatchObject([
      { actorId: 'UMGR', target: 'UANA', details: { metric: 'meetings', period: 'week', target: 8, previous: 12 } },
    ]);

    const notices = await h.database.db.select().from(outbox).where(eq(outbox.workspaceId, h.teamId));
    expect(notices).toMatchObject([
      {
        kind: 'notice',
        target: 'UANA',
        payload: { text: ':dart: <@UMGR> set you a goal: meetings booked 8 a week. `/kpi goals` shows your progress.' },
      },
    ]);

    const again = await h.kpi('UMGR', 'goal meetings 8 for <@UANA|ana>');
    expect(again.body.text).toContain('Already set');
    expect((await audit()).filter((a) => a.action === 'goal.set')).toHaveLength(1);
    expect(await goalsOf('UANA')).toHaveLength(2);
    expect(await h.database.db.select().from(outbox).where(eq(outbox.workspaceId, h.teamId))).toHaveLength(1);
  });

  it('a manager cannot set goals for someone not on their team', async () => {
    const before = (await audit()).length;
    const reply = await h.kpi('UMGR', 'goal calls 100 for <@UCAT|cat>');
    expect(reply.body.text).toContain("Cat isn't on your team");
    expect(await goalsOf('UCAT')).toEqual([]);
    expect(await audit()).toHaveLength(before);
  });

  it('an admin sets one for anyone and a channel-team goal; both audited; removing archives', async () => {
    await h.kpi('UADMIN', 'goal calls 100 month for <@UCAT|cat>');
    expect(await goalsOf('UCAT')).toMatchObject([{ metric: 'calls', target: 100, period: 'month', setBy: 'UADMIN' }]);
    await h.kpi('UMGR', 'goal demos 20 month for <#C0SALES|sales>');
    const removed = await h.kpi('UADMIN', 'goal remove calls month for <@UCAT|cat>');
    expect(removed.body.text).toContain('Removed the calls goal (a month) for Cat');
    expect((await goalsOf('UCAT'))[0]?.archivedAt).not.toBeNull();
    const actions = (await audit()).map((a) => `${a.action} ${a.target}`);
    expect(actions).toEqual(expect.arrayContaining(['goal.set UCAT', 'goal.set C0SALES', 'goal.remove UCAT']));
    const nothing = await h.kpi('UADMIN', 'goal remove calls month for <@UCAT|cat>');
    expect(nothing.body.text).toContain("There's no calls goal");
  });

  it('a rep without enough history gets no suggestion, and is told why', async () => {
    const reply = await h.kpi('UBEN', 'goal revenue $20k month');
    expect(shown(reply)).toContain('Goal set');
    expect(shown(reply)).toContain('No suggestion yet: it needs at least 3 complete months of history.');
    expect(await goalsOf('UBEN')).toMatchObject([{ metric: 'revenue', target: 20_000_00, suggestedTarget: null }]);
  });

  it('refuses goals on ratios with the reason', async () => {
    const reply = await h.kpi('UANA', 'goal win rate 30');
    expect(reply.body.text).toContain("Win rate isn't a total");
    expect(await goalsOf('UANA')).toHaveLength(2);
  });

  it('no command leaks another rep’s or another workspace’s goals', async () => {
    // Another workspace, same user id: must never show here.
    await h.database.db.insert(goals).values({
      workspaceId: newWorkspaceId(),
      userId: 'UANA',
      metric: 'demos',
      target: 99,
      period: 'week',
      setBy: 'UANA',
    });
    const mine = await h.kpi('UANA', 'goals');
    expect(shown(mine)).toContain('Meetings booked');
    expect(shown(mine)).not.toContain('Demos');
    expect(shown(mine)).not.toContain('99');

    const peek = await h.kpi('UBEN', 'goals <@UANA|ana>');
    expect(peek.body.text).toBe('Goals are private between a rep and their manager. `/kpi goals` shows yours.');
    const otherManager = await h.kpi('UMGR', 'goals <@UCAT|cat>');
    expect(otherManager.body.text).toContain("Cat isn't on your team");

    const manager = await h.kpi('UMGR', 'goals <@UANA|ana>');
    expect(shown(manager)).toContain('Goals: Ana');
    expect(shown(manager)).toContain('3 of 8 (38%)');
  });

  it('shows goal progress, points, streak and badges on /kpi me', async () => {
    const reply = await h.kpi('UANA', 'me');
    const text = shown(reply);
    expect(text).toContain('Your goals');
    expect(text).toContain('3 of 8 (38%)');
    // 64 meetings logged in all, 5 points each.
    expect(text).toContain('320 points');
    expect(text).toContain('level 3');
  });

  it('explains goals and points with the workspace’s own rules', async () => {
    expect(shown(await h.kpi('UANA', 'explain goals'))).toContain('75th percentile of your last 8 weeks');
    const points = shown(await h.kpi('UANA', 'explain points'));
    expect(points).toContain('meeting 5');
    expect(points).toContain('No quality gates are set');
  });
});
