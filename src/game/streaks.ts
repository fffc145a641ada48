import { isWorkingDayNumber } from '../goals/progress.js';
import { dayNumber, isoDate } from '../lib/calendar-date.js';

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
  // Day numbers: pure calendar arithmetic, no clock changes, and a year of days costs nothing.
  const metOn = new Set([...met].map(dayNumber));
  const today = dayNumber(input.today);
  let run = 0;
  let best = 0;
  for (let day = dayNumber(first); day <= today; day++) {
    if (!isWorkingDayNumber(day, input.holidays)) continue;
    if (metOn.has(day)) {
      run++;
      best = Math.max(best, run);
      for (const m of milestones) if (run === m && !milestoneDays.has(m)) milestoneDays.set(m, isoDate(day));
    } else if (day !== today) {
      run = 0;
    }
  }
  return { current: run, best, milestoneDays };
}
