import { ACTIVITY_KINDS, type ActivityKind, isActivityKind, MAX_NOTE_CHARS } from '../kpi/activity-kinds.js';
import { parseAmount, parseCount } from '../lib/amount.js';
import { activityDay } from './activity-day.js';

/**
 * The "Log activity" modal's fields and the server-side reading of a submission, pure: Slack's
 * `view.state.values` in, one entry or friendly errors keyed by block id out (what
 * `ack({ response_action: 'errors' })` shows under each field). The same rules as `/kpi log`:
 * counts and amounts read by `parseCount`/`parseAmount`, notes up to `MAX_NOTE_CHARS`, the day by
 * `activityDay`.
 */

/** Block ids; each input's element has its block's id as action id. */
export const LOG_FIELDS = {
  kind: 'log_kind',
  count: 'log_count',
  amount: 'log_amount',
  subject: 'log_subject',
  note: 'log_note',
  day: 'log_day',
} as const;

/** Deal or company names: short, since they lead the note. */
export const MAX_SUBJECT_CHARS = 80;

/** One input's state as Slack sends it; only the fields the modal's elements use. */
export interface LogInputState {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_date?: string | null;
}

export type LogStateValues = Record<string, Record<string, LogInputState | undefined> | undefined>;

export interface LogFormEntry {
  kind: ActivityKind;
  quantity: number;
  amountCents: number;
  note: string | null;
  occurredAt: Date;
}

export type LogFormResult = { ok: true; entry: LogFormEntry } | { ok: false; errors: Record<string, string> };

function text(values: LogStateValues, block: string): string {
  return (values[block]?.[block]?.value ?? '').trim();
}

/** The deal or company name leads the note (`Acme — pricing call`), which is how a deal is named. */
export function joinNote(subject: string, note: string): string {
  return [subject, note].filter((part) => part !== '').join(' — ');
}

export function readLogForm(
  values: LogStateValues,
  ctx: { now: Date; timezone: string; kinds: readonly ActivityKind[] },
): LogFormResult {
  const errors: Record<string, string> = {};
  const kindValue = values[LOG_FIELDS.kind]?.[LOG_FIELDS.kind]?.selected_option?.value ?? '';
  const kind = isActivityKind(kindValue) && ctx.kinds.includes(kindValue) ? kindValue : null;
  if (!kind) errors[LOG_FIELDS.kind] = 'Choose what you did.';

  const countText = text(values, LOG_FIELDS.count);
  const count = countText === '' ? ({ ok: true, count: 1 } as const) : parseCount(countText);
  if (!count.ok) errors[LOG_FIELDS.count] = count.error;

  const amountText = text(values, LOG_FIELDS.amount);
  let amountCents = 0;
  if (amountText !== '') {
    const amount = parseAmount(amountText);
    if (!amount.ok) errors[LOG_FIELDS.amount] = amount.error;
    else if (kind && !ACTIVITY_KINDS[kind].money) {
      errors[LOG_FIELDS.amount] = `An amount goes with a deal, not with ${ACTIVITY_KINDS[kind].many}: clear it.`;
    } else amountCents = amount.cents;
  }

  const subject = text(values, LOG_FIELDS.subject);
  if ([...subject].length > MAX_SUBJECT_CHARS) {
    errors[LOG_FIELDS.subject] = `Keep the name to ${MAX_SUBJECT_CHARS} characters.`;
  }
  const note = joinNote(subject, text(values, LOG_FIELDS.note));
  const length = [...note].length;
  if (length > MAX_NOTE_CHARS && !errors[LOG_FIELDS.subject]) {
    errors[LOG_FIELDS.note] =
      `With the name, that note is ${length} characters — notes can be up to ${MAX_NOTE_CHARS}.`;
  }

  const dayValue = values[LOG_FIELDS.day]?.[LOG_FIELDS.day]?.selected_date;
  const day = dayValue ? activityDay(dayValue, ctx.now, ctx.timezone) : null;
  if (day && !day.ok) errors[LOG_FIELDS.day] = day.error;

  if (!kind || !count.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    entry: {
      kind,
      quantity: count.count,
      amountCents,
      note: note === '' ? null : note,
      occurredAt: day?.ok ? day.occurredAt : ctx.now,
    },
  };
}
