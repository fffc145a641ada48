import { z } from 'zod';
import type { ActivityFields, DealFields } from '../crm-event.js';

/**
 * Pipedrive's records as webhooks (v1 `current`/`previous`, v2 `data`/`previous`) and API v2 carry
 * them, and the one mapping from a deal record to `DealFields` that the webhook parser and the API
 * client share.
 *
 * The schemas read only the fields the bot uses and let everything else through unread. They are
 * lenient where Pipedrive is inconsistent: ids arrive as numbers in records and as strings in v2
 * meta blocks, times as `2025-02-17 18:06:03` (v1, UTC) or `2025-02-17T18:06:03Z` (v2).
 */

/** Which owner field a record uses: v1 webhooks call the deal owner `user_id`, API v2 and webhooks v2 `owner_id`. */
export type PipedriveVersion = 'v1' | 'v2';

/** The largest amount of cents that still adds up exactly in a JavaScript number. */
const MAX_CENTS = BigInt(Number.MAX_SAFE_INTEGER);
/** A plain decimal as `String(number)` prints it (`1234.56`, `1e+21`, `1e-7`), or as a string value. */
const DECIMAL = /^(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
/** Strings longer than this are not amounts but garbage; the bound keeps the BigInt arithmetic small. */
const MAX_DECIMAL_LENGTH = 40;
/** Beyond these powers of ten the answer is known without computing it: too large, or rounds to 0. */
const MAX_SHIFT = 20;
const MIN_SHIFT = -60;

/**
 * A deal value in cents, exactly: `1234.56` → 123456 and `0.1` → 10, computed on the decimal digits
 * (never `value * 100`, which makes `1.15 * 100` 114.99999999999999). More than two decimals are
 * rounded half up. Null for negative, non-finite, malformed or unsafe amounts.
 */
export function toCents(value: number | string): number | null {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = text.length <= MAX_DECIMAL_LENGTH ? DECIMAL.exec(text) : null;
  if (!match) return null;
  const [, whole = '', fraction = '', exponent = '0'] = match;
  const digits = BigInt(whole + fraction);
  // digits × 10^shift is the amount in cents.
  const shift = Number(exponent) + 2 - fraction.length;
  let cents: bigint;
  if (shift >= 0) {
    if (shift > MAX_SHIFT) return digits === 0n ? 0 : null;
    cents = digits * 10n ** BigInt(shift);
  } else {
    const unit = 10n ** BigInt(Math.min(-shift, -MIN_SHIFT));
    cents = (digits + unit / 2n) / unit;
  }
  return cents <= MAX_CENTS ? Number(cents) : null;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/i;

/** A Pipedrive date-time; one without a zone is UTC, as all of Pipedrive's API and webhook times are. */
export function parsePipedriveTime(text: string): Date | null {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, date, time, zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const parsed = new Date(`${date}T${time}${offset}`);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/** An id, as a string whatever Pipedrive sent: `42`, `"42"` or a lead's UUID. */
export const PipedriveId = z
  .union([z.number().int().nonnegative(), z.string().trim().min(1)], { error: 'expected an id' })
  .transform(String);

/** A record's date-time; v1 sends `""` for a time that is not set. */
const RecordTime = z.string().transform((text, ctx) => {
  if (text === '') return null;
  const time = parsePipedriveTime(text);
  if (time) return time;
  ctx.addIssue({ code: 'custom', message: `"${text}" is not a date-time` });
  return z.NEVER;
});

const Amount = z.union([z.number(), z.string()], { error: 'expected an amount' }).transform((value, ctx) => {
  const cents = toCents(value);
  if (cents !== null) return cents;
  ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not an amount` });
  return z.NEVER;
});

/** Where a record came from: the marketing channel a user picked, else Pipedrive's own origin. */
const sourceFields = {
  channel: PipedriveId.nullish(),
  origin: z.string().nullish(),
};

export const PipedriveDeal = z.object({
  id: PipedriveId,
  title: z.string().nullish(),
  value: Amount.nullish(),
  currency: z.string().nullish(),
  status: z.enum(['open', 'won', 'lost', 'deleted']).nullish(),
  stage_id: PipedriveId.nullish(),
  owner_id: PipedriveId.nullish(),
  user_id: PipedriveId.nullish(),
  org_id: PipedriveId.nullish(),
  add_time: RecordTime.nullish(),
  won_time: RecordTime.nullish(),
  lost_time: RecordTime.nullish(),
  close_time: RecordTime.nullish(),
  /** v2 and API v2. */
  is_deleted: z.boolean().nullish(),
  /** v1. */
  deleted: z.boolean().nullish(),
  ...sourceFields,
});
export type PipedriveDeal = z.output<typeof PipedriveDeal>;

export const PipedriveActivity = z.object({
  id: PipedriveId,
  type: z.string().nullish(),
  done: z.boolean().nullish(),
  owner_id: PipedriveId.nullish(),
  user_id: PipedriveId.nullish(),
  deal_id: PipedriveId.nullish(),
  /** v2 leads have uuid ids; in v1 the person stands for the lead. */
  lead_id: z.string().nullish(),
  person_id: PipedriveId.nullish(),
  subject: z.string().nullish(),
  /** v1 sends `""` while not done; any text that is not a time reads as none. */
  marked_as_done_time: z.string().nullish(),
  due_date: z.string().nullish(),
  due_time: z.string().nullish(),
  add_time: z.string().nullish(),
  is_deleted: z.boolean().nullish(),
});
export type PipedriveActivity = z.output<typeof PipedriveActivity>;

const time = (text: string | null | undefined) => (text ? parsePipedriveTime(text) : null);

/** When it happened: marked done, else its due time (`due_time` is UTC), else when it was added. */
function activityTime(activity: PipedriveActivity): Date | null {
  const due = activity.due_date ? `${activity.due_date} ${activity.due_time || '00:00'}:00` : null;
  return time(activity.marked_as_done_time) ?? time(due) ?? time(activity.add_time);
}

/**
 * A Pipedrive activity (webhook record or API record alike) as activity fields. Pipedrive's type
 * key (`call`, `meeting`, a custom type) is the mapping key; it has no outcome field.
 */
export function toActivityFields(activity: PipedriveActivity, version: PipedriveVersion): ActivityFields {
  return {
    type: activity.type ?? null,
    outcome: null,
    done: activity.done === true,
    doneAt: activityTime(activity),
    ownerId: ownerOf(activity, version) ?? null,
    dealId: activity.deal_id ?? null,
    // The lead it answers: v2's lead, or in v1 the person that stands for one (v1 has no leads).
    leadId: (version === 'v2' ? activity.lead_id : activity.person_id) ?? null,
    subject: activity.subject ?? null,
  };
}

/** A v2 lead, or a v1 person (v1 has no lead webhooks, so a new person is the closest thing). */
export const PipedriveLead = z.object({
  id: PipedriveId,
  owner_id: PipedriveId.nullish(),
  ...sourceFields,
});
export type PipedriveLead = z.output<typeof PipedriveLead>;

/** The id of the user a record belongs to, from the field this version uses for it. */
export function ownerOf(record: { owner_id?: string | null; user_id?: string | null }, version: PipedriveVersion) {
  return version === 'v2' ? record.owner_id : record.user_id;
}

export function leadSourceOf(record: { channel?: string | null; origin?: string | null }): string | null | undefined {
  return record.channel ?? record.origin;
}

/** Deleted deals still arrive as records (v1 `deleted`, v2 `is_deleted`, or status `deleted`). */
export function isDeletedDeal(deal: PipedriveDeal): boolean {
  return deal.status === 'deleted' || deal.is_deleted === true || deal.deleted === true;
}

/** When the deal closed: its won or lost time as its status says, none while open. */
function closedAtOf(deal: PipedriveDeal): Date | null | undefined {
  switch (deal.status) {
    case 'won':
      return deal.won_time ?? deal.close_time;
    case 'lost':
      return deal.lost_time ?? deal.close_time;
    case 'open':
      return null;
    default:
      return deal.close_time;
  }
}

/** ISO 4217 in upper case; an empty currency is no currency. */
function currencyOf(currency: string | null | undefined): string | null | undefined {
  if (currency === undefined) return undefined;
  return currency ? currency.toUpperCase() : null;
}

/** The whole record as `DealFields`; fields the record leaves out stay undefined ("says nothing"). */
export function toDealFields(deal: PipedriveDeal, version: PipedriveVersion): DealFields {
  const status = deal.status === 'deleted' ? undefined : deal.status;
  return {
    name: deal.title,
    amountCents: deal.value,
    currency: currencyOf(deal.currency),
    stage: deal.stage_id,
    status,
    ownerId: ownerOf(deal, version),
    createdAt: deal.add_time,
    closedAt: closedAtOf(deal),
    leadSource: leadSourceOf(deal),
    customerId: deal.org_id,
  };
}

/** The problems zod found, on one line: `value: "-5" is not an amount; title: expected string`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message).join('; ');
}
