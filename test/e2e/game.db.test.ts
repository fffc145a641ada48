import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

function shown(reply: RecordedResponse): string {
  return JSON.stringify(reply.body);
}

/** 10:00 in New York on a November 2026 day (EST, UTC−5). */
const nyMorning = (day: number) => new Date(Date.UTC(2026, 10, day, 15));

describeDb('points, streaks and badges end to end, from what reps log and undo', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
  });
  afterAll(async () => h.close());

  it('a streak over a weekend; an undo that takes a day under the goal breaks it', async () => {
    // Thu 5, Fri 6 and Mon 9 Nov: ten calls each (the default daily goal is ten activities).
    for (const day of [5, 6, 9]) {
      h.clock.now = nyMorning(day);
      await h.kpi('UANA', 'log calls 10');
    }
    h.clock.now = nyMorning(10); // Tuesday, nothing yet: the streak stands.
    const before = shown(await h.kpi('UANA', 'me'));
    expect(before).toContain('*Streak:* 3 working days (best 3) · today 0/10');
    expect(before).toContain('30 points');

    h.clock.now = nyMorning(9);
    await h.kpi('UANA', 'log calls 2');
    await h.kpi('UANA', 'undo'); // takes back the 2
    h.clock.now = nyMorning(10);
    expect(shown(await h.kpi('UANA', 'me'))).toContain('*Streak:* 3 working days');

    // The latest entry left to undo is Monday's ten calls: Monday falls under the goal.
    await h.kpi('UANA', 'undo');
    const after = shown(await h.kpi('UANA', 'me'));
    expect(after).toContain('*Streak:* 0 working days (best 2)');
    expect(after).toContain('20 points');
  });

  it('a won deal earns the first-deal badge; undoing it takes the badge and its points away', async () => {
    h.clock.now = nyMorning(18);
    await h.kpi('UBEN', 'log deal won $5k Acme');
    const won = shown(await h.kpi('UBEN', 'me'));
    expect(won).toContain(':tada: First deal (18 Nov 2026)');
    expect(won).toContain('25 points');
    await h.kpi('UBEN', 'undo');
    const undone = shown(await h.kpi('UBEN', 'me'));
    expect(undone).not.toContain('First deal (');
    expect(undone).toContain('0 points');
  });

  it('explains streaks with the workspace’s own daily goal', async () => {
    const text = shown(await h.kpi('UANA', 'explain streaks'));
    expect(text).toContain('at least *10* activities');
    expect(text).toContain('Weekends and holidays neither count nor break a streak');
  });
});
