import { DateTime } from 'luxon';
import { dayNumber, isoDate, weekday } from '../lib/calendar-date.js';

/**
 * Progress toward a goal, pure: how far along, what pace the rest needs, and where the current pace
 * lands. Pace counts working days (Monday to Friday in the person's zone, minus the workspace's
 * holidays), because nobody is expected to make calls on a Sunday.
 */

export interface GoalProgressInput {
  /** Achieved so far in the goal's window, in the goal's unit (money in cents). */
  value: number;
  target: number;
  /** The goal's window; `end` is exclusive. */
  start: Date;
  end: Date;
  now: Date;
  timezone: string;
  /** ISO dates (yyyy-mm-dd) that are not working days. */
  holidays?: readonly string[];
}

export type GoalStatus = 'met' | 'on_track' | 'behind' | 'missed' | 'not_started';

export interface GoalProgress {
  /** value / target; above 1 when beaten. */
  fraction: number;
  remaining: number;
  workingDaysTotal: number;
  /** Working days still ahead, today included while it has not ended. */
  workingDaysLeft: number;
  /** What each remaining working day needs; null when none is left or the goal is met. */
  pacePerDay: number | null;
  /** The finish at the current pace; null before any working time has passed. */
  projected: number | null;
  status: GoalStatus;
}

/** Monday to Friday and not one of the workspace's holidays: the one definition of a working day. */
export function isWorkingDayNumber(day: number, holidays: ReadonlySet<string>): boolean {
  return weekday(day) <= 5 && !holidays.has(isoDate(day));
}

export function isWorkingDay(day: DateTime, holidays: ReadonlySet<string>): boolean {
  return isWorkingDayNumber(dayNumber(day.toISODate() ?? ''), holidays);
}

/**
 * Working days in [from, to), counted by local calendar day; a partial first or last day counts by
 * its share. Only the two end days can be partial: the days between are counted by day number, so a
 * year's goal costs two luxon days, not 365.
 */
export function workingDaysBetween(from: Date, to: Date, timezone: string, holidays: ReadonlySet<string>): number {
  const start = DateTime.fromJSDate(from, { zone: timezone });
  const stop = DateTime.fromJSDate(to, { zone: timezone });
  if (start >= stop) return 0;
  const firstDay = start.startOf('day');
  const lastDay = stop.startOf('day');
  const first = dayNumber(firstDay.toISODate() ?? '');
  const last = dayNumber(lastDay.toISODate() ?? '');
  const working = (day: number) => isWorkingDayNumber(day, holidays);
  // A local day is 23 to 25 hours; its share is measured against its own length.
  const share = (dayStart: DateTime, since: DateTime, until: DateTime) =>
    until.diff(since).toMillis() / dayStart.plus({ days: 1 }).diff(dayStart).toMillis();
  if (first === last) return working(first) ? share(firstDay, start, stop) : 0;
  let days = working(first) ? share(firstDay, start, firstDay.plus({ days: 1 })) : 0;
  for (let day = first + 1; day < last; day++) if (working(day)) days += 1;
  return working(last) ? days + share(lastDay, lastDay, stop) : days;
}

/** The calendar side of progress, the same for every goal that shares a window: computed once for all. */
export interface WorkingDays {
  total: number;
  elapsed: number;
  /** Whole working days still ahead, today included while it has not ended. */
  left: number;
  /** `now`, clamped into the window. */
  at: Date;
  end: Date;
}

export function workingDaysOf(window: Omit<GoalProgressInput, 'value' | 'target'>): WorkingDays {
  const holidays = new Set(window.holidays ?? []);
  const { start, end, timezone } = window;
  const at = new Date(Math.min(Math.max(window.now.getTime(), start.getTime()), end.getTime()));
  const todayStart = DateTime.fromJSDate(at, { zone: timezone }).startOf('day').toJSDate();
  return {
    total: workingDaysBetween(start, end, timezone, holidays),
    elapsed: workingDaysBetween(start, at, timezone, holidays),
    left:
      at >= end ? 0 : Math.round(workingDaysBetween(todayStart < start ? start : todayStart, end, timezone, holidays)),
    at,
    end,
  };
}

export function goalProgress(input: GoalProgressInput): GoalProgress {
  return progressOn(input.value, input.target, workingDaysOf(input));
}

/** Progress on precomputed working days: a thousand reps sharing a week cost one walk of its calendar. */
export function progressOn(value: number, target: number, days: WorkingDays): GoalProgress {
  const { total, elapsed, left, at: now, end } = days;
  const remaining = Math.max(0, target - value);
  const fraction = target > 0 ? value / target : value > 0 ? 1 : 0;
  const projected = elapsed > 0 && total > 0 ? (value / elapsed) * total : null;
  const status: GoalStatus =
    value >= target
      ? 'met'
      : now >= end
        ? 'missed'
        : projected === null
          ? 'not_started'
          : projected >= target
            ? 'on_track'
            : 'behind';
  return {
    fraction,
    remaining,
    workingDaysTotal: Math.round(total),
    workingDaysLeft: left,
    pacePerDay: remaining > 0 && left > 0 ? remaining / left : null,
    projected,
    status,
  };
}

/** `▰▰▰▰▱▱▱▱▱▱ 40%`-style bar: ten cells, full once the goal is met. */
export function progressBar(fraction: number, cells = 10): string {
  const filled = Math.max(0, Math.min(cells, Math.floor(fraction * cells + 1e-9)));
  return `${'▰'.repeat(filled)}${'▱'.repeat(cells - filled)}`;
}
