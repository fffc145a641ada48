import { DateTime } from 'luxon';
import { isWorkingDay } from '../goals/progress.js';

/**
 * Streaks: consecutive working days on which a rep met their daily activity goal. Days are local
 * calendar dates (yyyy-mm-dd) in the rep's own zone, so the maths is on dates, never on hours, and a
 * clock change cannot split or merge a day. Weekends and the workspace's holidays neither count nor
 * break a streak; today, while it is not over, does not break it either.
 */

export interface StreakInput {
  /** Local dates on which the goal was met, in any order. */
  metDays: Iterable<string>;
  /** The rep's local date now. */
  today: string;
  holidays: ReadonlySet<string>;
  /** Streak lengths whose first reaching is dated (for badges). */
  milestones?: readonly number[];
}

export interface Streak {
  /** The streak standing today (today counted only once met). */
  current: number;
  best: number;
  /** The first date each milestone length was reached. */
  milestoneDays: Map<number, string>;
}

export function computeStreak(input: StreakInput): Streak {
  const met = new Set(input.metDays);
  const milestones = input.milestones ?? [];
  const milestoneDays = new Map<number, string>();
  const first = [...met].filter((d) => d <= input.today).sort()[0];
  if (first === undefined) return { current: 0, best: 0, milestoneDays };
  let run = 0;
  let best = 0;
  // Dates in UTC: pure calendar arithmetic, no clock changes.
  const end = DateTime.fromISO(input.today, { zone: 'UTC' });
  for (let day = DateTime.fromISO(first, { zone: 'UTC' }); day <= end; day = day.plus({ days: 1 })) {
    if (!isWorkingDay(day, input.holidays)) continue;
    const iso = day.toISODate() ?? '';
    if (met.has(iso)) {
      run++;
      best = Math.max(best, run);
      for (const m of milestones) if (run === m && !milestoneDays.has(m)) milestoneDays.set(m, iso);
    } else if (iso !== input.today) {
      run = 0;
    }
  }
  return { current: run, best, milestoneDays };
}
