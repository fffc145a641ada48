import { DateTime, IANAZone } from 'luxon';
import { zoneOrUtc } from '../lib/zone.js';

/**
 * When a channel board posts, and which span of time each post covers. Pure: a schedule and an
 * instant in, instants out. Every date is worked out on the local calendar of the board's zone, so
 * "Monday 09:00 New York" stays 09:00 on the wall clock the week the clocks change.
 *
 * Two local times need a rule:
 * - a time the clocks skip (02:30 on a spring-forward night) is shifted forward by the length of the
 *   gap (03:30), as java.time and PostgreSQL do: the board still posts that day, as soon after the
 *   asked time as the clock allows;
 * - a time that happens twice (01:30 on a fall-back night) is its first occurrence, so the board
 *   posts once, at the earlier instant.
 * A monthly board on a day some months lack (the 29th to the 31st) posts on those months' last day.
 */

export type Cadence = 'daily' | 'weekly' | 'monthly';

export interface Schedule {
  cadence: Cadence;
  /** ISO weekday, 1 (Monday) to 7, for weekly boards. */
  dayOfWeek: number;
  /** 1 to 31 for monthly boards; past a month's end means its last day. */
  dayOfMonth: number;
  /** Local wall-clock time, `HH:MM`. */
  timeOfDay: string;
  /** IANA zone. */
  timezone: string;
}

/** The span a post covers: from the previous scheduled post (or where the last one ended) to this one. */
export interface PostWindow {
  start: Date;
  /** Exclusive; the scheduled instant the post is for. */
  end: Date;
  /** How many scheduled periods the window spans: more than one after the bot missed a run. */
  periods: number;
}

/** A day-by-day search never needs more than two months to find a monthly run. */
const SEARCH_DAYS = 62;

function parseTime(timeOfDay: string): { hour: number; minute: number } {
  const match = /^(\d{2}):(\d{2})$/.exec(timeOfDay);
  if (!match) throw new RangeError(`not an HH:MM time: ${timeOfDay}`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

/** Whether the local calendar day `day` is one the schedule posts on. */
function postsOn(schedule: Schedule, day: DateTime): boolean {
  switch (schedule.cadence) {
    case 'daily':
      return true;
    case 'weekly':
      return day.weekday === schedule.dayOfWeek;
    case 'monthly':
      return day.day === Math.min(schedule.dayOfMonth, day.daysInMonth ?? 28);
  }
}

/**
 * The instant of a local wall-clock time on a local day, with the gap and overlap rules above. The
 * local time is tried with the zone's offset a day before and a day after (a zone changes offset at
 * most once in that span); the offsets that really hold at the resulting instants are the candidates.
 */
export function localInstant(day: DateTime, timeOfDay: string, timezone: string): Date {
  const { hour, minute } = parseTime(timeOfDay);
  const zone = IANAZone.create(timezone);
  const wall = Date.UTC(day.year, day.month - 1, day.day, hour, minute);
  const candidates = [zone.offset(wall - 86_400_000), zone.offset(wall + 86_400_000)]
    .map((offset) => ({ offset, at: wall - offset * 60_000 }))
    .filter(({ offset, at }) => zone.offset(at) === offset)
    .map(({ at }) => at);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  // In the gap: luxon moves the time forward by the gap's length.
  return DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour, minute }, { zone }).toJSDate();
}

function localDay(at: Date, timezone: string): DateTime {
  return DateTime.fromJSDate(at, { zone: timezone }).startOf('day');
}

/** The first scheduled instant strictly after `after`. */
export function nextRun(schedule: Schedule, after: Date): Date {
  // Start a day early: a run late in the local evening may fall on the previous local day's date.
  let day = localDay(after, schedule.timezone).minus({ days: 1 });
  for (let i = 0; i <= SEARCH_DAYS; i++, day = day.plus({ days: 1 })) {
    if (!postsOn(schedule, day)) continue;
    const at = localInstant(day, schedule.timeOfDay, schedule.timezone);
    if (at > after) return at;
  }
  throw new Error(`no run of ${JSON.stringify(schedule)} after ${after.toISOString()}`);
}

/** The last scheduled instant strictly before `before`. */
export function previousRun(schedule: Schedule, before: Date): Date {
  let day = localDay(before, schedule.timezone).plus({ days: 1 });
  for (let i = 0; i <= SEARCH_DAYS; i++, day = day.minus({ days: 1 })) {
    if (!postsOn(schedule, day)) continue;
    const at = localInstant(day, schedule.timeOfDay, schedule.timezone);
    if (at < before) return at;
  }
  throw new Error(`no run of ${JSON.stringify(schedule)} before ${before.toISOString()}`);
}

/** The latest scheduled instant at or before `at`. */
export function lastRunAtOrBefore(schedule: Schedule, at: Date): Date {
  return previousRun(schedule, new Date(at.getTime() + 1));
}

/**
 * The window of the post due at `now`: it ends at the latest scheduled instant that has passed and
 * starts where the previous post's window ended, or, for a first post, at the scheduled instant
 * before. After downtime that spans several runs this is one window over the whole missed span, so
 * the channel gets one post that covers everything rather than a burst of stale ones.
 */
export function dueWindow(schedule: Schedule, now: Date, lastWindowEnd: Date | null): PostWindow {
  const end = lastRunAtOrBefore(schedule, now);
  const start = lastWindowEnd ?? previousRun(schedule, end);
  return { start, end, periods: periodsBetween(schedule, start, end) };
}

/** Scheduled instants in (start, end]: how many periods a window spans (at least one). */
export function periodsBetween(schedule: Schedule, start: Date, end: Date): number {
  let periods = 0;
  for (let at = end; at > start; at = previousRun(schedule, at)) periods++;
  return Math.max(1, periods);
}

/**
 * The window to compare a post's window with: as many scheduled periods again, just before it, so a
 * two-week catch-up post is compared with the two weeks before.
 */
export function comparisonWindow(schedule: Schedule, window: PostWindow): { start: Date; end: Date } {
  let start = window.start;
  for (let i = 0; i < window.periods; i++) start = previousRun(schedule, start);
  return { start, end: window.start };
}

/** The `count` windows of one period each that end at `end`, oldest first (a chart's trend). */
export function recentPeriods(schedule: Schedule, end: Date, count: number): { start: Date; end: Date }[] {
  const windows: { start: Date; end: Date }[] = [];
  let to = end;
  for (let i = 0; i < count; i++) {
    const from = previousRun(schedule, to);
    windows.unshift({ start: from, end: to });
    to = from;
  }
  return windows;
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** 'every Monday at 09:00', 'every day at 17:30', 'on the 31st of each month (or its last day) at 09:00'. */
export function describeSchedule(schedule: Schedule): string {
  const at = `at ${schedule.timeOfDay} (${schedule.timezone})`;
  switch (schedule.cadence) {
    case 'daily':
      return `every day ${at}`;
    case 'weekly':
      return `every ${WEEKDAY_NAMES[schedule.dayOfWeek - 1] ?? 'Monday'} ${at}`;
    case 'monthly':
      return `on the ${ordinal(schedule.dayOfMonth)} of each month${schedule.dayOfMonth > 28 ? ' (or its last day)' : ''} ${at}`;
  }
}

/** A zone the schedule maths can use: the given one when it is a valid IANA zone, else UTC. */
export function usableZone(timezone: string): string {
  return zoneOrUtc(timezone);
}

/** An instant as a person reads it in their own zone: 'Mon 30 Nov 09:00 (America/Chicago)'. */
export function describeInstant(at: Date, timezone: string): string {
  const zone = usableZone(timezone);
  return `${DateTime.fromJSDate(at, { zone }).setLocale('en-US').toFormat('ccc d LLL yyyy HH:mm')} (${zone})`;
}
