import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { computeBadges } from '../../src/game/badges.js';
import { levelFor, pointsForLevel } from '../../src/game/levels.js';
import { type DayTotals, gameProfile } from '../../src/game/profile.js';
import { parseSettings } from '../../src/game/settings.js';
import { computeStreak } from '../../src/game/streaks.js';

const settings = parseSettings({ dailyActivityGoal: 10 });

/** A day's totals from `quantity` calls (a point each with the default weights). */
function calls(day: string, quantity: number): DayTotals {
  return { day, points: quantity, activities: quantity, dealsWon: 0, revenueCents: 0 };
}

/** A day's totals from won deals (25 points each). */
function deal(day: string, quantity: number, amountCents: number): DayTotals {
  return { day, points: 25 * quantity, activities: 0, dealsWon: quantity, revenueCents: amountCents };
}

/** Totals of entries on the same day add up, reversals included, as the query sums them. */
function sum(days: DayTotals[]): DayTotals[] {
  const byDay = new Map<string, DayTotals>();
  for (const d of days) {
    const t = byDay.get(d.day) ?? { day: d.day, points: 0, activities: 0, dealsWon: 0, revenueCents: 0 };
    byDay.set(d.day, {
      day: d.day,
      points: t.points + d.points,
      activities: t.activities + d.activities,
      dealsWon: t.dealsWon + d.dealsWon,
      revenueCents: t.revenueCents + d.revenueCents,
    });
  }
  return [...byDay.values()];
}

/** Working days from Mon 2 Nov 2026 on (weekends skipped). */
function workingDays(count: number, from = '2026-11-02'): string[] {
  const days: string[] = [];
  for (let d = new Date(`${from}T12:00:00Z`); days.length < count; d = new Date(d.getTime() + 86_400_000)) {
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
  }
  return days;
}

describe('levels', () => {
  it('follows the documented curve: 100 more points per level', () => {
    expect([1, 2, 3, 4, 5, 10].map(pointsForLevel)).toEqual([0, 100, 300, 600, 1000, 4500]);
    expect(levelFor(0)).toMatchObject({ level: 1, floor: 0, next: 100, fraction: 0 });
    expect(levelFor(99).level).toBe(1);
    expect(levelFor(100).level).toBe(2);
    expect(levelFor(450)).toMatchObject({ level: 3, floor: 300, next: 600, fraction: 0.5 });
    expect(levelFor(4500).level).toBe(10);
    expect(levelFor(-5).level).toBe(1);
  });
});

describe('points', () => {
  it('are the sum of the days, never below zero', () => {
    const now = new Date('2026-11-02T20:00:00Z');
    expect(
      gameProfile({ days: [calls('2026-11-02', 12), deal('2026-11-03', 1, 0)], settings, now, timezone: 'UTC' }).points,
    ).toBe(37);
    expect(
      gameProfile({ days: sum([calls('2026-11-02', 12), calls('2026-11-02', -12)]), settings, now, timezone: 'UTC' })
        .points,
    ).toBe(0);
  });
});

describe('streaks', () => {
  const none = new Set<string>();

  it('counts working days in a row; a weekend neither counts nor breaks it', () => {
    // Thu 5, Fri 6, (weekend, activity logged Saturday too), Mon 9, Tue 10 Nov.
    const metDays = ['2026-11-05', '2026-11-06', '2026-11-07', '2026-11-09', '2026-11-10'];
    expect(computeStreak({ metDays, today: '2026-11-10', holidays: none })).toMatchObject({ current: 4, best: 4 });
  });

  it('a holiday neither counts nor breaks it', () => {
    const metDays = ['2026-11-24', '2026-11-25', '2026-11-27'];
    const holidays = new Set(['2026-11-26']);
    expect(computeStreak({ metDays, today: '2026-11-27', holidays }).current).toBe(3);
    expect(computeStreak({ metDays, today: '2026-11-27', holidays: none }).current).toBe(1);
  });

  it('today not yet met does not break it; yesterday missed does', () => {
    const metDays = ['2026-11-09', '2026-11-10'];
    expect(computeStreak({ metDays, today: '2026-11-11', holidays: none }).current).toBe(2);
    expect(computeStreak({ metDays, today: '2026-11-12', holidays: none })).toMatchObject({ current: 0, best: 2 });
  });

  it('dates the first time a milestone length is reached', () => {
    const metDays = workingDays(12);
    const streak = computeStreak({ metDays, today: metDays[11] ?? '', holidays: none, milestones: [10] });
    expect(streak.current).toBe(12);
    expect(streak.milestoneDays.get(10)).toBe('2026-11-13');
  });

  it('uses the rep’s own date across a clock change: Monday after DST ends in New York', () => {
    // Fri 30 Oct and Mon 2 Nov 2026 met; clocks went back on Sun 1 Nov. Mon 2 Nov 23:30 EST is 04:30Z on the 3rd.
    const rows = [calls('2026-10-30', 10), calls('2026-11-02', 10)];
    const profile = gameProfile({
      days: rows,
      settings,
      now: new Date('2026-11-03T04:30:00Z'),
      timezone: 'America/New_York',
    });
    expect(profile.streak).toMatchObject({ current: 2, today: 10, todayIsWorkingDay: true });
    // In UTC it is already Tuesday, with nothing logged yet: still a standing streak of 2.
    expect(
      gameProfile({ days: rows, settings, now: new Date('2026-11-03T04:30:00Z'), timezone: 'UTC' }).streak,
    ).toMatchObject({
      current: 2,
      today: 0,
    });
  });

  it('an undo that takes a day under the goal breaks the streak', () => {
    const now = new Date('2026-11-06T20:00:00Z');
    const rows = ['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06'].map((d) => calls(d, 10));
    expect(gameProfile({ days: rows, settings, now, timezone: 'UTC' }).streak.current).toBe(5);
    const undone = [...rows, calls('2026-11-04', -10)];
    expect(gameProfile({ days: sum(undone), settings, now, timezone: 'UTC' }).streak).toMatchObject({
      current: 2,
      best: 2,
    });
  });
});

describe('streaks against a day-by-day walk', () => {
  /** The definition, spelt out with luxon: walk every date, skip weekends and holidays. */
  function walk(met: ReadonlySet<string>, today: string, holidays: ReadonlySet<string>) {
    let run = 0;
    let best = 0;
    let tenOn: string | null = null;
    const first = [...met].filter((d) => d <= today).sort()[0];
    if (first === undefined) return { current: 0, best: 0, tenOn };
    const end = DateTime.fromISO(today, { zone: 'UTC' });
    for (let d = DateTime.fromISO(first, { zone: 'UTC' }); d <= end; d = d.plus({ days: 1 })) {
      const iso = d.toISODate() ?? '';
      if (d.weekday > 5 || holidays.has(iso)) continue;
      if (met.has(iso)) {
        run++;
        best = Math.max(best, run);
        if (run === 10) tenOn ??= iso;
      } else if (iso !== today) run = 0;
    }
    return { current: run, best, tenOn };
  }

  it('agrees on random histories across leap years, holidays and days after today', () => {
    const base = DateTime.utc(2027, 12, 1);
    const date = fc.integer({ min: 0, max: 200 }).map((n) => base.plus({ days: n }).toISODate() ?? '');
    fc.assert(
      fc.property(
        fc.uniqueArray(date, { maxLength: 150 }),
        fc.uniqueArray(date, { maxLength: 10 }),
        date,
        (met, hol, today) => {
          const holidays = new Set(hol);
          const got = computeStreak({ metDays: met, today, holidays, milestones: [10] });
          const want = walk(new Set(met), today, holidays);
          expect({ current: got.current, best: got.best, tenOn: got.milestoneDays.get(10) ?? null }).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('badges', () => {
  const now = new Date('2026-11-20T20:00:00Z');

  it('first deal, and a reversed deal removes it', () => {
    const won = gameProfile({ days: [deal('2026-11-03', 1, 1000_00)], settings, now, timezone: 'UTC' });
    expect(won.badges.map((b) => [b.key, b.earnedOn])).toEqual([['first_deal', '2026-11-03']]);
    const reversed = gameProfile({
      days: sum([deal('2026-11-03', 1, 1000_00), deal('2026-11-03', -1, -1000_00)]),
      settings,
      now,
      timezone: 'UTC',
    });
    expect(reversed.badges).toEqual([]);
    expect(reversed.points).toBe(0);
  });

  it('a 10-day streak, dated the day it reached ten', () => {
    const rows = workingDays(10).map((d) => calls(d, 10));
    const badges = gameProfile({ days: rows, settings, now, timezone: 'UTC' }).badges;
    expect(badges.find((b) => b.key === 'streak_10')?.earnedOn).toBe('2026-11-13');
  });

  it('personal best week: the day a week passed every earlier week, never the very first week', () => {
    const first = computeBadges({
      days: [calls('2026-11-02', 30)],
      streak10On: null,
      quotaGoals: [],
    });
    expect(first).toEqual([]);
    const days = [calls('2026-11-02', 30), calls('2026-11-09', 20), calls('2026-11-10', 11), calls('2026-11-16', 5)];
    const badges = computeBadges({ days, streak10On: null, quotaGoals: [] });
    expect(badges).toEqual([
      {
        key: 'personal_best_week',
        emoji: ':chart_with_upwards_trend:',
        label: 'Personal best week',
        earnedOn: '2026-11-10',
      },
    ]);
  });

  it('quota hit when revenue in a goal period reaches its revenue goal', () => {
    const days = [deal('2026-10-05', 1, 4000_00), deal('2026-11-10', 1, 3000_00), deal('2026-11-17', 1, 2500_00)];
    const goal = {
      period: 'month' as const,
      target: 5000_00,
      startsOn: null,
      endsOn: null,
      createdOn: '2026-10-01',
      liveUntil: '2026-11-20',
    };
    // October reached 4,000 of 5,000; November 5,500 by the 17th.
    expect(
      computeBadges({ days, streak10On: null, quotaGoals: [goal] }).find((b) => b.key === 'quota_hit')?.earnedOn,
    ).toBe('2026-11-17');
    // A goal set in December does not reach back to November.
    expect(
      computeBadges({
        days,
        streak10On: null,
        quotaGoals: [{ ...goal, createdOn: '2026-12-01', liveUntil: '2026-12-02' }],
      }),
    ).not.toContainEqual(expect.objectContaining({ key: 'quota_hit' }));
  });
});
