import { DateTime, type DurationLikeObject } from 'luxon';
import { zoneOrUtc } from '../lib/zone.js';

/**
 * Time windows ("this week", "last month", "nov 2 to nov 15") in a user's own timezone.
 *
 * All calendar arithmetic happens on luxon DateTimes in the user's zone, never on UTC milliseconds,
 * so that a day is a local day (23 or 25 hours around a clock change) and weeks start on a local Monday.
 * An unknown or invalid timezone falls back to UTC rather than failing: the user still gets an answer,
 * and `TimeWindow.timezone` says which zone was really used.
 */

export type PeriodKind =
  | 'today'
  | 'yesterday'
  | 'week'
  | 'month'
  | 'quarter'
  | 'year'
  | 'last_week'
  | 'last_month'
  | 'last_quarter';

/** `from` and `to` are ISO dates (yyyy-mm-dd), both included, in the user's zone. */
export type RangeSpec = { kind: 'range'; from: string; to: string };
export type WindowSpec = { kind: PeriodKind } | RangeSpec;

export interface TimeWindow {
  spec: WindowSpec;
  start: Date;
  /** Exclusive. */
  end: Date;
  /** The zone actually used: the user's, or 'UTC' when theirs was not a valid IANA zone. */
  timezone: string;
  label: string;
}

/**
 * `unrecognized`: the text is not a window at all. `invalid`: it is a window, but not one we can
 * use (Feb 30, in the future, too long). The `/kpi board` parser needs the difference.
 */
export type WindowParseResult =
  | { ok: true; spec: WindowSpec }
  | { ok: false; error: string; reason: 'unrecognized' | 'invalid' };

/** What `parseWindow` understands, for help texts and errors (Slack mrkdwn). */
export const WINDOW_CHOICES =
  'today, yesterday, this week, this month, this quarter, this year, last week, last month, last quarter, ' +
  'or dates such as `nov 2`, `11/2 to 11/15` or `2026-11-02 to 2026-11-15`';

export const MAX_RANGE_DAYS = 366;

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

const ONE: Record<Unit, DurationLikeObject> = {
  day: { days: 1 },
  week: { weeks: 1 },
  month: { months: 1 },
  quarter: { quarters: 1 },
  year: { years: 1 },
};

interface Period {
  unit: Unit;
  /** 0: the current period, up to now. 1: the complete period before it. */
  back: 0 | 1;
  name: string;
}

const PERIODS: Record<PeriodKind, Period> = {
  today: { unit: 'day', back: 0, name: 'Today so far' },
  yesterday: { unit: 'day', back: 1, name: 'Yesterday' },
  week: { unit: 'week', back: 0, name: 'This week' },
  last_week: { unit: 'week', back: 1, name: 'Last week' },
  month: { unit: 'month', back: 0, name: 'This month' },
  last_month: { unit: 'month', back: 1, name: 'Last month' },
  quarter: { unit: 'quarter', back: 0, name: 'This quarter' },
  last_quarter: { unit: 'quarter', back: 1, name: 'Last quarter' },
  year: { unit: 'year', back: 0, name: 'This year' },
};

/** How the period before a to-date period is named: "Last week to the same point (…)". */
const PREVIOUS_NAME: Record<Unit, string> = {
  day: 'Yesterday',
  week: 'Last week',
  month: 'Last month',
  quarter: 'Last quarter',
  year: 'Last year',
};

const KEYWORDS = new Map<string, PeriodKind>([
  ['today', 'today'],
  ['yesterday', 'yesterday'],
  ['week', 'week'],
  ['this week', 'week'],
  ['month', 'month'],
  ['this month', 'month'],
  ['quarter', 'quarter'],
  ['this quarter', 'quarter'],
  ['year', 'year'],
  ['this year', 'year'],
  ['last week', 'last_week'],
  ['last month', 'last_month'],
  ['last quarter', 'last_quarter'],
]);

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTHS = new Map<string, number>(
  MONTH_NAMES.flatMap((name, i) => [
    [name, i + 1],
    [name.slice(0, 3), i + 1],
  ]),
).set('sept', 9);

/** Tried at every match, so `-` inside ISO dates is harmless: only a split with a date on each side counts. */
const RANGE_SEPARATOR = /\s+(?:to|through|thru|until|till)\s+|\s*(?:\.\.|–|—|-)\s*/g;
const DATE_PATTERNS = [
  /^(?<year>\d{4})-(?<month>\d{1,2})-(?<day>\d{1,2})$/,
  /^(?<month>\d{1,2})\/(?<day>\d{1,2})(?:\/(?<year>\d{2}|\d{4}))?$/,
  /^(?<monthName>[a-z]+)\.?\s+(?<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?<year>\d{4}))?$/,
  /^(?<day>\d{1,2})(?:st|nd|rd|th)?\s+(?<monthName>[a-z]+)\.?,?(?:\s+(?<year>\d{4}))?$/,
];

const DAY = 'ccc d LLL';
const DAY_WITH_YEAR = 'ccc d LLL yyyy';

/** Always English names and Latin digits, whatever the server's locale. */
function fmt(dt: DateTime, pattern: string): string {
  return dt.setLocale('en-US').toFormat(pattern);
}

function isoDate(dt: DateTime): string {
  return fmt(dt, 'yyyy-MM-dd');
}

/** Quotes user text in an error, cut short so a pasted paragraph isn't echoed back whole. */
function quoted(text: string): string {
  const chars = [...text.trim()];
  return `“${chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : chars.join('')}”`;
}

/**
 * The first instant of the period holding `dt`. Where clocks go back across midnight (Havana: 01:00 →
 * 00:00) midnight happens twice, and luxon picks the one with `dt`'s offset; a day starts at the first.
 */
function periodStart(dt: DateTime, unit: Unit): DateTime {
  const start = dt.startOf(unit);
  const hourEarlier = start.minus({ hours: 1 });
  // Compare printed dates: luxon's `hasSame` re-resolves the ambiguous local time and can get it wrong.
  return isoDate(hourEarlier) === isoDate(start) ? hourEarlier : start;
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface DateParts {
  year: number | null;
  month: number;
  day: number;
}

/** `2026-11-02`, `11/2`, `11/2/26`, `nov 2`, `2 Nov`, `nov 2, 2025`; the day need not exist (checked later). */
function dateParts(text: string): DateParts | null {
  const groups = DATE_PATTERNS.map((pattern) => pattern.exec(text)?.groups).find((found) => found !== undefined);
  if (!groups) return null;
  const month = groups.monthName === undefined ? Number(groups.month) : MONTHS.get(groups.monthName);
  if (month === undefined) return null;
  const year = groups.year === undefined ? null : Number(groups.year.length === 2 ? `20${groups.year}` : groups.year);
  return { year, month, day: Number(groups.day) };
}

/** Whether `parts` falls later in the year than `dt`, comparing month and day only. */
function isLaterInYear(parts: DateParts, dt: DateTime): boolean {
  return parts.month > dt.month || (parts.month === dt.month && parts.day > dt.day);
}

/** A date without a year is this year's, unless that is still to come: then it is last year's. */
function yearForStart(parts: DateParts, today: DateTime): number {
  return parts.year ?? (isLaterInYear(parts, today) ? today.year - 1 : today.year);
}

/**
 * The end of a range without a year takes the start's year, or the next one when its month comes
 * earlier (`dec 20 to jan 5`). An earlier day in the same month (`nov 10 to nov 2`) is a reversed
 * range, not a 358-day one, so it stays in the same year and is refused.
 */
function yearForEnd(parts: DateParts, start: DateTime): number {
  return parts.year ?? (parts.month < start.month ? start.year + 1 : start.year);
}

type DateRead = { date: DateTime } | { error: string };

function toDate(parts: DateParts, year: number, text: string, today: DateTime): DateRead {
  const date = DateTime.fromObject({ year, month: parts.month, day: parts.day }, { zone: today.zone });
  return date.isValid ? { date } : { error: `${quoted(text)} isn't a real date.` };
}

/**
 * One date as a rep types it (`nov 30`, `30 nov`, `11/30`, `2026-11-30`), as `yyyy-mm-dd`: without a
 * year it is the latest such day up to today. Null when the text is no date at all.
 */
export function readPastDate(text: string, now: Date, timezone: string): { date: string } | { error: string } | null {
  const today = DateTime.fromJSDate(now, { zone: zoneOrUtc(timezone) }).startOf('day');
  const normalized = text.trim().toLowerCase();
  const parts = dateParts(normalized);
  if (!parts) return null;
  const read = toDate(parts, yearForStart(parts, today), text, today);
  return 'error' in read ? read : { date: isoDate(read.date) };
}

type RangeRead = { from: DateTime; to: DateTime } | { error: string } | null;

function readSplit(left: string, right: string, today: DateTime): RangeRead {
  const fromParts = dateParts(left);
  const toParts = dateParts(right);
  if (!fromParts || !toParts) return null;
  const from = toDate(fromParts, yearForStart(fromParts, today), left, today);
  if ('error' in from) return from;
  const to = toDate(toParts, yearForEnd(toParts, from.date), right, today);
  return 'error' in to ? to : { from: from.date, to: to.date };
}

/** One date (a one-day window) or two around a separator; `null` when the text holds no dates at all. */
function readRange(text: string, today: DateTime): RangeRead {
  const single = dateParts(text);
  if (single) {
    const read = toDate(single, yearForStart(single, today), text, today);
    return 'error' in read ? read : { from: read.date, to: read.date };
  }
  let firstError: RangeRead = null;
  for (const separator of text.matchAll(RANGE_SEPARATOR)) {
    const read = readSplit(text.slice(0, separator.index), text.slice(separator.index + separator[0].length), today);
    if (read && !('error' in read)) return read;
    firstError ??= read;
  }
  return firstError;
}

function invalid(error: string): WindowParseResult {
  return { ok: false, error, reason: 'invalid' };
}

function checkRange(from: DateTime, to: DateTime, today: DateTime): WindowParseResult {
  if (from > to) {
    return invalid(
      `That window starts after it ends (${fmt(from, DAY_WITH_YEAR)} is after ${fmt(to, DAY_WITH_YEAR)}) — put the earlier date first.`,
    );
  }
  if (from > today) {
    return invalid(
      `That window hasn't started yet — ${fmt(from, DAY_WITH_YEAR)} is in the future. Pick dates up to today.`,
    );
  }
  const days = Math.round(to.diff(from, 'days').days) + 1;
  if (days > MAX_RANGE_DAYS) {
    return invalid(`That window is ${days} days long — a window can cover at most ${MAX_RANGE_DAYS} days.`);
  }
  return { ok: true, spec: { kind: 'range', from: isoDate(from), to: isoDate(to) } };
}

/**
 * Reads a window as typed after `/kpi me` or `/kpi board`. Case and extra spaces don't matter.
 * A range may end in the future (it is clipped to now when resolved) but may not start there.
 */
export function parseWindow(text: string, now: Date, timezone: string): WindowParseResult {
  const today = DateTime.fromJSDate(now, { zone: zoneOrUtc(timezone) }).startOf('day');
  const normalized = text
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, ' ');
  const keyword = KEYWORDS.get(normalized);
  if (keyword) return { ok: true, spec: { kind: keyword } };
  const range = readRange(normalized, today);
  if (!range) {
    return {
      ok: false,
      error: `${quoted(text)} isn't a time window I know. Try ${WINDOW_CHOICES}.`,
      reason: 'unrecognized',
    };
  }
  return 'error' in range ? invalid(range.error) : checkRange(range.from, range.to, today);
}

// ---------------------------------------------------------------------------------------------
// Resolving

function localTime(date: Date, zone: string): DateTime {
  return DateTime.fromJSDate(date, { zone });
}

/** 'Tue 17 Nov', 'Mon 16 Nov – Sun 22 Nov', 'November 2026', 'Q4 2026', '2026'. */
function periodDetail(unit: Unit, start: DateTime): string {
  switch (unit) {
    case 'day':
      return fmt(start, DAY);
    case 'week':
      return `${fmt(start, DAY)} – ${fmt(start.plus({ days: 6 }), DAY)}`;
    case 'month':
      return fmt(start, 'LLLL yyyy');
    case 'quarter':
      return `Q${start.quarter} ${start.year}`;
    case 'year':
      return String(start.year);
  }
}

/** Whole days from `first` to `last` inclusive: 'Mon 2 Nov 2026', 'Mon 2 Nov – Sun 15 Nov 2026'. */
function dayRangeText(first: DateTime, last: DateTime): string {
  if (first.hasSame(last, 'day')) return fmt(first, DAY_WITH_YEAR);
  return `${fmt(first, first.hasSame(last, 'year') ? DAY : DAY_WITH_YEAR)} – ${fmt(last, DAY_WITH_YEAR)}`;
}

/** An exclusive end at local midnight reads as the previous day's 24:00. */
function endOfSpan(end: DateTime): { day: DateTime; time: string } {
  return end.equals(periodStart(end, 'day'))
    ? { day: end.minus({ days: 1 }), time: '24:00' }
    : { day: end, time: fmt(end, 'HH:mm') };
}

/** 'Mon 16 Nov 00:00 to Sun 22 Nov 24:00'; years are shown only when the span crosses one. */
function instantSpanText(start: DateTime, end: DateTime): string {
  const last = endOfSpan(end);
  const pattern = start.year === last.day.year ? DAY : DAY_WITH_YEAR;
  return `${fmt(start, pattern)} ${fmt(start, 'HH:mm')} to ${fmt(last.day, pattern)} ${last.time}`;
}

/** Windows that are not a named period are described by their days, as a `range` spec. */
function rangeWindow(start: DateTime, end: DateTime, label: string): TimeWindow {
  const lastInstant = end > start ? end.minus({ milliseconds: 1 }) : start;
  return {
    spec: { kind: 'range', from: isoDate(start), to: isoDate(lastInstant) },
    start: start.toJSDate(),
    end: end.toJSDate(),
    timezone: start.zone.name,
    label,
  };
}

function resolveRange(spec: RangeSpec, now: DateTime): TimeWindow {
  const start = periodStart(DateTime.fromISO(spec.from, { zone: now.zone }), 'day');
  const last = periodStart(DateTime.fromISO(spec.to, { zone: now.zone }), 'day');
  const fullEnd = periodStart(last.plus({ days: 1 }), 'day');
  // Only what has happened counts: clip a range reaching into the future, and never end before the start.
  const end = DateTime.max(start, DateTime.min(fullEnd, now));
  const label = `${dayRangeText(start, last)}${end < fullEnd ? ' so far' : ''}`;
  return { ...rangeWindow(start, end, label), spec };
}

export function resolveWindow(spec: WindowSpec, now: Date, timezone: string): TimeWindow {
  const zone = zoneOrUtc(timezone);
  const local = localTime(now, zone);
  if (spec.kind === 'range') return resolveRange(spec, local);
  const { unit, back, name } = PERIODS[spec.kind];
  const current = periodStart(local, unit);
  const start = back === 0 ? current : periodStart(current.minus(ONE[unit]), unit);
  const end = back === 0 ? local : current;
  // "Today so far (Wed 18 Nov)" says nothing the user doesn't know.
  const label = spec.kind === 'today' ? name : `${name} (${periodDetail(unit, start)})`;
  return { spec, start: start.toJSDate(), end: end.toJSDate(), timezone: zone, label };
}

/**
 * No time, at `w`'s start: the previous window of a read whose figures compare with nothing before
 * (see `KpiInputs.previous`), so the window before is not read at all.
 */
export function nothingBefore(w: TimeWindow): TimeWindow {
  return { ...w, end: w.start };
}

/**
 * The window to compare `w` with:
 * - a to-date period (this week, Mon 00:00 → Wed 14:00): the previous period up to the same local
 *   point (last week Mon 00:00 → Wed 14:00), so a DST change in between shifts no hours;
 * - a complete period: the complete period before it;
 * - a range (or a window made here): the same number of calendar days just before it, with the
 *   end at the same local time when `w` ends mid-day.
 * The result's `spec` is a `range` over its days; its `start`/`end` are exact.
 */
export function previousWindow(w: TimeWindow): TimeWindow {
  const start = localTime(w.start, w.timezone);
  const end = localTime(w.end, w.timezone);
  if (w.spec.kind === 'range') return previousDays(start, end);
  const { unit, back } = PERIODS[w.spec.kind];
  const previousStart = periodStart(start.minus(ONE[unit]), unit);
  if (back === 1) return rangeWindow(previousStart, start, `The ${unit} before (${periodDetail(unit, previousStart)})`);
  // luxon moves a local time that falls in a DST gap forward; never let that overlap `w`.
  const previousEnd = DateTime.min(end.minus(ONE[unit]), start);
  const label = `${PREVIOUS_NAME[unit]} to the same point (${instantSpanText(previousStart, previousEnd)})`;
  return rangeWindow(previousStart, previousEnd, label);
}

function previousDays(start: DateTime, end: DateTime): TimeWindow {
  const lastDay = (end > start ? end.minus({ milliseconds: 1 }) : start).startOf('day');
  const days = Math.round(lastDay.diff(start.startOf('day'), 'days').days) + 1;
  const previousStart = periodStart(start.minus({ days }), 'day');
  const previousEnd = DateTime.min(end.minus({ days }), start);
  const label = `The ${days === 1 ? 'day' : `${days} days`} before (${dayRangeText(previousStart, lastDay.minus({ days }))})`;
  return rangeWindow(previousStart, previousEnd, label);
}

/** For `/kpi explain`: "Mon 16 Nov 00:00 to Sun 22 Nov 24:00 (America/New_York)". */
export function describeWindow(w: TimeWindow): string {
  return `${instantSpanText(localTime(w.start, w.timezone), localTime(w.end, w.timezone))} (${w.timezone})`;
}
