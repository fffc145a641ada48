/**
 * HubSpot deal properties → normalised `DealFields`, shared by the webhook parser (one property per
 * `deal.propertyChange` event) and the REST client (every property of a batch read), so that both read
 * a value the same way.
 *
 * HubSpot sends every property value as a string: numbers as decimal text (`"1500.5"`), datetimes as
 * milliseconds since the epoch in webhooks (`"1712102400000"`) and as ISO 8601 in the REST API, and a
 * cleared property as `""` (webhooks) or `null` (REST). Cleared becomes `null`, "the CRM cleared it".
 */
import type { DealFields } from '../crm-event.js';

/** A value HubSpot sent that cannot be one of ours: the event is rejected, a batch read drops the field. */
class Unreadable {
  constructor(readonly reason: string) {}
}

/** How the text of one property becomes one field; `undefined` means "nothing we understand, say nothing". */
interface PropertyReader {
  field: keyof DealFields;
  read(text: string): unknown;
}

/** Ties each reader's result type to its field's type, so a reader cannot produce the wrong kind of value. */
function reader<K extends keyof DealFields>(
  field: K,
  read: (text: string) => NonNullable<DealFields[K]> | Unreadable | undefined,
): PropertyReader {
  return { field, read };
}

/** HubSpot's two default deal types; portals may add their own, which say nothing about ours. */
const DEAL_TYPES: ReadonlyMap<string, NonNullable<DealFields['dealType']>> = new Map([
  ['newbusiness', 'new_business'],
  ['existingbusiness', 'upsell'],
]);

const DECIMAL = /^([-+]?)(\d+)(?:\.(\d+))?$/;
const EPOCH_MILLIS = /^-?\d+$/;
/**
 * ISO 8601 dates, and datetimes with a zone: `Date.parse` alone would also accept `"1"` or `"May 5"`, and
 * would read a datetime without a zone in the server's local time.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2}))?$/;
const CURRENCY = /^[A-Z]{3}$/;

/** Decimal text to integer cents without floating point, rounding half away from zero past the cent. */
function readCents(text: string): number | Unreadable {
  const match = DECIMAL.exec(text);
  if (!match) return new Unreadable(`"${text}" is not a number`);
  const [, sign = '', whole = '', fraction = ''] = match;
  const roundUp = (fraction[2] ?? '0') >= '5';
  const magnitude = BigInt(whole + fraction.padEnd(2, '0').slice(0, 2)) + (roundUp ? 1n : 0n);
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) return new Unreadable(`"${text}" is too large`);
  // BigInt has no negative zero, so "-0.00" comes out as plain 0.
  return Number(sign === '-' ? -magnitude : magnitude);
}

function readDate(text: string): Date | Unreadable {
  const millis = EPOCH_MILLIS.test(text) ? Number(text) : ISO_DATE.test(text) ? Date.parse(text) : Number.NaN;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? new Unreadable(`"${text}" is not a date`) : date;
}

function readCurrency(text: string): string | Unreadable {
  const code = text.toUpperCase();
  return CURRENCY.test(code) ? code : new Unreadable(`"${text}" is not an ISO 4217 code`);
}

const READERS = {
  dealname: reader('name', (text) => text),
  amount: reader('amountCents', readCents),
  dealstage: reader('stage', (text) => text),
  hubspot_owner_id: reader('ownerId', (text) => text),
  closedate: reader('closedAt', readDate),
  createdate: reader('createdAt', readDate),
  deal_currency_code: reader('currency', readCurrency),
  dealtype: reader('dealType', (text) => DEAL_TYPES.get(text)),
} satisfies Record<string, PropertyReader>;

export type DealProperty = keyof typeof READERS;

/** The properties worth asking the REST API for: exactly those this module can read. */
export const DEAL_PROPERTIES = Object.keys(READERS) as DealProperty[];

/** A Map, not the object: a property named `constructor` or `__proto__` must not find a reader. */
const READER_BY_PROPERTY: ReadonlyMap<string, PropertyReader> = new Map(Object.entries(READERS));

export interface DealFieldsReading {
  fields: DealFields;
  /** One `property: reason` per value that could not be read; those fields are left out of `fields`. */
  problems: string[];
}

/** Reads the properties this app knows; any other property is ignored, an absent one says nothing. */
export function dealFieldsFromProperties(
  properties: Readonly<Record<string, string | null | undefined>>,
): DealFieldsReading {
  const fields: DealFields = {};
  const problems: string[] = [];
  for (const [property, raw] of Object.entries(properties)) {
    const propertyReader = READER_BY_PROPERTY.get(property);
    if (propertyReader === undefined || raw === undefined) continue;
    const text = raw?.trim() ?? '';
    const value = text === '' ? null : propertyReader.read(text);
    if (value instanceof Unreadable) problems.push(`${property}: ${value.reason}`);
    else if (value !== undefined) Object.assign(fields, { [propertyReader.field]: value });
  }
  return { fields, problems };
}
