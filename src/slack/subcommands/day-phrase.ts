import { DateTime } from 'luxon';
import { readPastDate } from '../../kpi/windows.js';
import { zoneOrUtc } from '../../lib/zone.js';

/**
 * The day a rep names at the very end of what they log: `yesterday`, `today`, `on monday`,
 * `last friday`, `nov 30`, `on 30 nov`, `11/30`, `2026-11-30`. Only the last words count, so a note
 * may still say "Monday meeting with Acme"; a bare weekday (`prep for monday`) and a bare `30 nov`
 * stay in the note, because "monday" alone often means the next one and in `5 12 nov` the 12 may be
 * part of the note. This reads the phrase into a date; whether that day may be logged for is
 * `activityDay`'s rule.
 */

export type DayPhrase =
  | { rest: string[]; day: string }
  /** The words are meant as a date that does not exist (`nov 31`). */
  | { error: string };

const WEEKDAYS = new Map<string, number>(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].flatMap((name, i) => [
    [name, i + 1],
    [name.slice(0, 3), i + 1],
  ]),
)
  .set('tues', 2)
  .set('thur', 4)
  .set('thurs', 4);

function today(now: Date, timezone: string): DateTime {
  return DateTime.fromJSDate(now, { zone: zoneOrUtc(timezone) }).startOf('day');
}

function iso(date: DateTime): string {
  return date.toISODate() ?? '';
}

/** The latest `weekday` on or before `from`; strictly before with `last` (`last wednesday` on a Wednesday). */
function lastWeekday(from: DateTime, weekday: number, last: boolean): DateTime {
  const back = (from.weekday - weekday + 7) % 7;
  return from.minus({ days: back === 0 && last ? 7 : back });
}

/** A date in the last one to three words; "30 nov" (day first) only after "on", which the phrase takes too. */
function trailingDate(words: readonly string[], now: Date, timezone: string): DayPhrase | null {
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const phrase = words.slice(words.length - n);
    const read = readPastDate(phrase.join(' '), now, timezone);
    if (!read) continue;
    const rest = words.slice(0, words.length - n);
    const on = rest.at(-1)?.toLowerCase() === 'on';
    if (n > 1 && /^\d/.test(phrase[0] ?? '') && !on) return null;
    if ('error' in read) return read;
    return { rest: on ? rest.slice(0, -1) : rest, day: read.date };
  }
  return null;
}

/** The day named by the last words of `words`, or null when they name none. */
export function trailingDay(words: readonly string[], now: Date, timezone: string): DayPhrase | null {
  const from = today(now, timezone);
  const last = words.at(-1)?.toLowerCase();
  if (last === undefined) return null;
  if (last === 'today') return { rest: words.slice(0, -1), day: iso(from) };
  if (last === 'yesterday') return { rest: words.slice(0, -1), day: iso(from.minus({ days: 1 })) };
  const before = words.at(-2)?.toLowerCase();
  const weekday = WEEKDAYS.get(last);
  if (weekday !== undefined && (before === 'on' || before === 'last')) {
    return { rest: words.slice(0, -2), day: iso(lastWeekday(from, weekday, before === 'last')) };
  }
  return trailingDate(words, now, timezone);
}
