/**
 * Local calendar dates (yyyy-mm-dd) as whole day numbers since 1970-01-01. Streaks and badges walk
 * a year of a rep's days on every scorecard and Home; a luxon DateTime costs microseconds a step
 * where an integer costs nothing. Dates only, no zone: a clock change cannot split or merge a day.
 */

const DAY_MS = 86_400_000;

export function dayNumber(iso: string): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}

export function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday, Monday 1 to Sunday 7 (1970-01-01 was a Thursday). */
export function weekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The Monday starting the (ISO) week `day` is in. */
export function mondayOf(day: number): number {
  return day - weekday(day) + 1;
}
