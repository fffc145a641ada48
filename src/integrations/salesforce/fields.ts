import type { DealFields } from '../crm-event.js';
import { isSalesforceId } from './ids.js';

/**
 * Reading Salesforce records into deal fields, the same way whether they came in an outbound
 * message (XML text) or from the REST API (JSON, turned into text by the caller): a record is a
 * map from field API name to its text, or null for an empty field. A field the map lacks was not
 * sent, and stays undefined ("this record says nothing about it").
 */
export type SalesforceRecord = ReadonlyMap<string, string | null>;

/** A field that is present but unreadable: the record is refused, with this message as the reason. */
export class InvalidRecordError extends Error {}

/** The Opportunity fields `opportunityFields` reads, for the REST API's `fields=` list. */
export const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'Amount',
  'StageName',
  'IsClosed',
  'IsWon',
  'CloseDate',
  'CreatedDate',
  'OwnerId',
  'AccountId',
  'LeadSource',
  'Type',
] as const;

/** Only organizations with multiple currencies enabled have this field; asking others for it is an error. */
export const CURRENCY_FIELD = 'CurrencyIsoCode';

type DealType = NonNullable<DealFields['dealType']>;

/**
 * The standard `Type` picklist ('New Customer', 'Existing Customer - Upgrade' / '- Replacement' /
 * '- Downgrade') plus the values admins commonly add. 'Replacement' is the standard value for a
 * contract renewed as is. A downgrade is neither new business, an upsell nor a plain renewal, so it
 * and any value not listed here read as null: a deal without a type.
 */
const DEAL_TYPES: ReadonlyMap<string, DealType> = new Map([
  ['new customer', 'new_business'],
  ['new business', 'new_business'],
  ['existing customer - upgrade', 'upsell'],
  ['upsell', 'upsell'],
  ['existing customer - replacement', 'renewal'],
  ['renewal', 'renewal'],
]);

/** Doubles as Salesforce writes them: `45000.0`, `12500.5`, `-3.25`, `1.0E7` (JSON numbers too). */
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** Longer than any double Salesforce writes; the limit keeps the BigInt arithmetic small. */
const MAX_DECIMAL_LENGTH = 40;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `2020-05-08T13:40:22.000Z` in SOAP, `2020-05-08T13:40:22.000+0000` in REST. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

function invalid(name: string, text: string, what: string): InvalidRecordError {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return new InvalidRecordError(`${name} "${shown}" is not ${what}`);
}

/** Reads a present, non-null field with `read`; null and absent pass through unchanged. */
export function readWith<T>(
  record: SalesforceRecord,
  name: string,
  what: string,
  read: (text: string) => T | null,
): T | null | undefined {
  const text = record.get(name);
  if (text === undefined || text === null) return text;
  const value = read(text);
  if (value === null) throw invalid(name, text, what);
  return value;
}

/** `digits × 10^shift` rounded half away from zero, or null when far past Number.MAX_SAFE_INTEGER. */
function shiftedInteger(digits: bigint, shift: number): bigint | null {
  if (digits === 0n) return 0n;
  // Both shortcuts also spare computing a huge power of ten for an exponent like 1e-400.
  if (shift > 16) return null;
  if (-shift > digits.toString().length) return 0n; // below a tenth
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  return digits / divisor + ((digits % divisor) * 2n >= divisor ? 1n : 0n);
}

/**
 * A decimal to whole cents, exactly (BigInt, never floating point), rounding half away from zero
 * past the second decimal. Null when it is not a number or its cents are not a safe integer.
 */
export function decimalToCents(text: string): number | null {
  const match = text.length <= MAX_DECIMAL_LENGTH ? DECIMAL.exec(text) : null;
  if (!match) return null;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const cents = shiftedInteger(BigInt(whole + fraction), 2 + Number(exponent) - fraction.length);
  if (cents === null || cents > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return sign === '-' && cents !== 0n ? -Number(cents) : Number(cents);
}

/** A UTC instant from its parts, or null when they are not a real calendar date and time. */
function utcDate(parts: readonly number[], offsetMinutes = 0): Date | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, ms = 0] = parts;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return real ? new Date(date.getTime() - offsetMinutes * 60_000) : null;
}

/** An ISO 8601 date-time with a `Z` or numeric offset, as both of Salesforce's APIs write them. */
export function parseDateTime(text: string): Date | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = '', offsetSign, offsetHours = '0', offsetMinutes = '0'] =
    match;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  const offset = (offsetSign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  return utcDate([year, month, day, hour, minute, second].map(Number).concat(ms), offset);
}

/**
 * A calendar date (`CloseDate`) has no time zone. It is placed at 12:00 UTC, which is that same
 * calendar day everywhere from UTC−11 to UTC+11, so a deal closed "on March 1st" counts in March
 * for a team in New York as well as in Berlin; midnight UTC would be February 29th in New York.
 */
export function parseDate(text: string): Date | null {
  const match = DATE.exec(text);
  return match ? utcDate([...match.slice(1).map(Number), 12]) : null;
}

/** XML Schema booleans: `true`, `false`, `1`, `0`. */
function parseBoolean(text: string): boolean | null {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return null;
}

export function readId(record: SalesforceRecord, name: string): string | null | undefined {
  return readWith(record, name, 'a Salesforce id', (text) => (isSalesforceId(text) ? text : null));
}

export function readDateTime(record: SalesforceRecord, name: string): Date | null | undefined {
  return readWith(record, name, 'a date and time', parseDateTime);
}

export function readBoolean(record: SalesforceRecord, name: string): boolean | null | undefined {
  return readWith(record, name, 'true or false', parseBoolean);
}

function readCurrency(record: SalesforceRecord): string | null | undefined {
  return readWith(record, CURRENCY_FIELD, 'an ISO 4217 currency code', (text) =>
    /^[A-Za-z]{3}$/.test(text) ? text.toUpperCase() : null,
  );
}

function readDealType(record: SalesforceRecord): DealType | null | undefined {
  const text = record.get('Type');
  return text == null ? text : (DEAL_TYPES.get(text.trim().toLowerCase()) ?? null);
}

/**
 * `IsWon` and `IsClosed` say it outright when the admin included them. Either alone can be
 * ambiguous (closed but not saying whether won; not won but maybe still open), and then the status
 * stays unknown and the stage decides.
 */
function dealStatus(isWon: boolean | null | undefined, isClosed: boolean | null | undefined): DealFields['status'] {
  if (isWon === true) return 'won';
  if (isClosed === false) return 'open';
  if (isClosed === true && isWon === false) return 'lost';
  return undefined;
}

function withoutUndefined<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

/**
 * An Opportunity's deal fields. `closedAt` is `CloseDate` as it stands: the expected close date
 * while the deal is open, which the processor ignores until the deal is won or lost.
 * Throws InvalidRecordError for a field that is present but unreadable.
 */
export function opportunityFields(record: SalesforceRecord): DealFields {
  return withoutUndefined<DealFields>({
    name: record.get('Name'),
    amountCents: readWith(record, 'Amount', 'an amount', decimalToCents),
    currency: readCurrency(record),
    stage: record.get('StageName'),
    status: dealStatus(readBoolean(record, 'IsWon'), readBoolean(record, 'IsClosed')),
    ownerId: readId(record, 'OwnerId'),
    createdAt: readDateTime(record, 'CreatedDate'),
    closedAt: readWith(record, 'CloseDate', 'a date (YYYY-MM-DD)', parseDate),
    leadSource: record.get('LeadSource'),
    dealType: readDealType(record),
    customerId: readId(record, 'AccountId'),
  });
}
