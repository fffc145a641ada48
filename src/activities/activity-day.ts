import { DateTime } from 'luxon';
import { zoneOrUtc } from '../lib/zone.js';

/**
 * Which day an activity is logged for. Reps log after the fact ("12 calls yesterday"), so every way
 * in (text, the modal, Workflow steps, DMs) may name a day up to a week back in the rep's own zone.
 * A week is enough to catch up after a trip and short enough that nobody rewrites a closed contest.
 */
export const MAX_BACKDATE_DAYS = 7;

export type ActivityDay =
  | { ok: true; occurredAt: Date; day: string; backdated: boolean }
  | { ok: false; error: string };

/**
 * The moment to store for an activity logged on `day` (an ISO `yyyy-mm-dd` in `timezone`): `now`
 * for today, and midday of that local day for an earlier one, safely inside the day on both sides of
 * a clock change. A day in the future or more than `MAX_BACKDATE_DAYS` back is refused with words a
 * rep understands.
 */
export function activityDay(day: string, now: Date, timezone: string): ActivityDay {
  const zone = zoneOrUtc(timezone);
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const date = DateTime.fromISO(day, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !date.isValid) {
    return { ok: false, error: `I can't read ${day} as a date. Use a date like ${today.toISODate()}.` };
  }
  const back = Math.round(today.diff(date.startOf('day'), 'days').days);
  if (back < 0) return { ok: false, error: "That day hasn't happened yet: log an activity once it's done." };
  if (back > MAX_BACKDATE_DAYS) {
    const earliest = today.minus({ days: MAX_BACKDATE_DAYS }).toFormat('ccc d LLL');
    return {
      ok: false,
      error: `You can log up to ${MAX_BACKDATE_DAYS} days back (as far as ${earliest}). For older entries, ask your manager.`,
    };
  }
  if (back === 0) return { ok: true, occurredAt: now, day: today.toISODate() ?? day, backdated: false };
  return { ok: true, occurredAt: date.set({ hour: 12 }).toJSDate(), day, backdated: true };
}

/** The rep's local date `daysBack` days before `now`, as `yyyy-mm-dd` (what the modal's date picker starts on). */
export function localDate(now: Date, timezone: string, daysBack = 0): string {
  const zone = zoneOrUtc(timezone);
  return DateTime.fromJSDate(now, { zone }).minus({ days: daysBack }).toISODate() ?? '';
}

/** How a confirmation names the day: "yesterday" or "Mon 30 Nov". */
export function dayLabel(day: string, now: Date, timezone: string): string {
  const zone = zoneOrUtc(timezone);
  if (day === localDate(now, timezone, 1)) return 'yesterday';
  return DateTime.fromISO(day, { zone }).setLocale('en-US').toFormat('ccc d LLL');
}

/** How a confirmation names the day an entry was logged for, when that is not today in `timezone`. */
export function backdatedLabel(occurredAt: Date, now: Date, timezone: string): string | undefined {
  const day = localDate(occurredAt, timezone);
  return day === localDate(now, timezone) ? undefined : dayLabel(day, now, timezone);
}
