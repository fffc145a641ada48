import { DateTime } from 'luxon';
import { zoneOrUtc } from '../../lib/zone.js';
import type { CrmSource } from '../crm-event.js';
import type { BackfillWindow } from './contract.js';

/**
 * How far back a backfill reads, as an admin says it (`since 2026-09-01`, `30 days`, nothing: 90
 * days), and the window that makes at a given moment. Pure; the slash command, the App Home button
 * and the CLI share it, so each refuses the same things in the same words.
 */

export const DEFAULT_BACKFILL_DAYS = 90;

/** The CRMs with an API to read history from (the generic webhook has none). */
export const BACKFILL_SOURCES = ['hubspot', 'salesforce', 'pipedrive'] as const satisfies readonly CrmSource[];
export type BackfillCrm = (typeof BACKFILL_SOURCES)[number];

export type BackfillSince = { days: number } | { date: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EXAMPLE = 'say e.g. `since 2026-09-01` or `30 days`';

/** The words after the CRM: none, `since <yyyy-mm-dd>`, or `<n> days`. */
export function parseBackfillSince(words: readonly string[]): Checked<BackfillSince> {
  const [first, second, ...rest] = words.map((w) => w.toLowerCase());
  if (first === undefined) return { ok: true, value: { days: DEFAULT_BACKFILL_DAYS } };
  if (first === 'since' && second !== undefined && rest.length === 0) return parseDate(second);
  const days = first === 'since' ? second : first;
  const unit = first === 'since' ? rest[0] : second;
  const extra = first === 'since' ? rest.slice(1) : rest;
  if (days !== undefined && /^\d+$/.test(days) && (unit === 'days' || unit === 'day') && extra.length === 0) {
    const n = Number(days);
    if (n < 1) return { ok: false, error: 'Read at least 1 day back.' };
    return { ok: true, value: { days: n } };
  }
  return { ok: false, error: `\`${words.join(' ')}\` isn't a start: ${EXAMPLE}.` };
}

/** `2026-09-01`: a real calendar date, else a friendly refusal. */
export function parseDate(text: string): Checked<BackfillSince> {
  if (!DATE.test(text) || !DateTime.fromISO(text, { zone: 'UTC' }).isValid) {
    return { ok: false, error: `\`${text}\` isn't a date: ${EXAMPLE}.` };
  }
  return { ok: true, value: { date: text } };
}

/**
 * The window from the start the admin named (a date is the start of that day in their zone) up
 * to now. At most a year back, since CRM APIs and our KPIs have little use for more, and never
 * from the future.
 */
export function backfillWindow(since: BackfillSince, now: Date, timezone: string): Checked<BackfillWindow> {
  const zone = zoneOrUtc(timezone);
  const here = DateTime.fromJSDate(now, { zone });
  const start = 'days' in since ? here.minus({ days: since.days }) : DateTime.fromISO(since.date, { zone });
  const earliest = here.minus({ years: 1 }).startOf('day');
  if (start > here) {
    const named = 'date' in since ? since.date : 'That';
    return { ok: false, error: `${named} is in the future: a backfill reads the past.` };
  }
  if (start < earliest) {
    return {
      ok: false,
      error: `A backfill reads at most a year back: the earliest start is ${earliest.toISODate()}.`,
    };
  }
  return { ok: true, value: { since: start.toJSDate(), until: now } };
}
