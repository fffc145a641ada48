/**
 * Reading numbers the way reps type them in Slack, and printing money back.
 *
 * Money is kept as integer cents (1/100 of the currency unit) so that sums stay exact. Parsing is
 * done on the digit string with BigInt, never with floating point, so `1.15k` is exactly 115,000
 * cents and a 400-digit number is refused instead of silently becoming `Infinity`.
 *
 * What is accepted: `12`, `12500`, `12,500`, `12500.50`, `$12.5k`, `1.2m`, `€3K`, `£40`, `12€`,
 * `1,200,000`, `1b`, and `$ 5k` (a space after a leading currency sign is harmless, so it is allowed).
 * Commas only group thousands (US style); the decimal separator is a dot.
 */

export type AmountResult = { ok: true; cents: number; explicitMoney: boolean } | { ok: false; error: string };
export type CountResult = { ok: true; count: number } | { ok: false; error: string };

export const MAX_AMOUNT_UNITS = 1_000_000_000;
export const MAX_COUNT = 10_000;

const SUFFIX_EXPONENT: Record<string, number> = { k: 3, m: 6, b: 9 };

/** Optional sign, optional space, digits with commas and one dot, optional k/m/b, optional trailing sign. */
const AMOUNT_SHAPE = /^([$€£])?\s*(\d[\d,]*(?:\.\d+)?)([kmb])?([$€£])?$/i;
const COUNT_SHAPE = /^\d[\d,]*$/;
/** Either plain digits or properly grouped thousands: `1200` or `1,200`, never `1,2,3` or `12,00`. */
const INTEGER_PART = /^(?:\d+|\d{1,3}(?:,\d{3})+)$/;
/** `12,50` is almost certainly a European decimal comma, which deserves a tailored hint. */
const DECIMAL_COMMA = /^([$€£]?)\s*(\d+),(\d{1,2})$/;

const NOT_PLAIN_DIGITS = 'Please type numbers with the plain digits 0–9.';

/** A non-negative decimal as digits and a count of decimal places: `12.50` → `1250`, 2. */
interface Decimal {
  digits: string;
  places: number;
}

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

function readDecimal(text: string): Decimal | null {
  const [integer = '', fraction = ''] = text.split('.');
  if (!INTEGER_PART.test(integer)) return null;
  return { digits: integer.replaceAll(',', '') + fraction, places: fraction.length };
}

/** Arabic-Indic, Devanagari, full-width… digits: reject rather than guess what the user meant. */
function hasForeignDigits(text: string): boolean {
  return /[^\P{Nd}0-9]/u.test(text);
}

/** `-5`, `−5`, `$-5`, `-$5` and the accountant's `(500)`. */
function looksNegative(text: string): boolean {
  return /^[$€£\s]*[-−–]/.test(text) || /^\(\s*[$€£]?\s*\d.*\)$/.test(text);
}

function groupThousands(digits: string): string {
  return BigInt(digits).toLocaleString('en-US');
}

function unreadableAmount(text: string): string {
  const comma = DECIMAL_COMMA.exec(text);
  if (comma) {
    const [, sign = '', whole = '', part = ''] = comma;
    return `“${text}” isn't a number I can read — try ${sign}${whole}.${part} or ${sign}${groupThousands(whole + part)}.`;
  }
  return `“${text}” isn't an amount I can read — try something like 12500, 12,500, $12.5k or 1.2m.`;
}

/**
 * Parses an amount of money into cents. `explicitMoney` tells whether the user marked it as money
 * (a currency sign or a k/m/b suffix), which `/kpi log` uses to tell amounts from counts.
 */
export function parseAmount(text: string): AmountResult {
  const input = text.trim();
  if (input === '') return fail('Please give an amount, like 12,500 or $12.5k.');
  if (hasForeignDigits(input)) return fail(NOT_PLAIN_DIGITS);
  if (looksNegative(input)) {
    return fail("Amounts can't be negative — to record a lost deal, log `deal lost` instead.");
  }
  const shape = AMOUNT_SHAPE.exec(input);
  const [, leadingSign, number = '', suffix, trailingSign] = shape ?? [];
  const decimal = shape && !(leadingSign && trailingSign) ? readDecimal(number) : null;
  if (!decimal) return fail(unreadableAmount(input));

  // Without a suffix, three decimals are refused rather than guessed: `12.500` means 12,500 in much of Europe.
  if (!suffix && decimal.places > 2) {
    return fail(
      `“${input}” has more than two decimals — for cents write ${number.slice(0, number.indexOf('.') + 3)}, for thousands write ${groupThousands(decimal.digits)}.`,
    );
  }
  const exponent = 2 + (suffix ? (SUFFIX_EXPONENT[suffix.toLowerCase()] ?? 0) : 0) - decimal.places;
  const mantissa = BigInt(decimal.digits);
  if (exponent < 0 && mantissa % 10n ** BigInt(-exponent) !== 0n) {
    return fail(
      `“${input}” is more precise than a cent — write the full amount with at most two decimals, like 1,234.56.`,
    );
  }
  const cents = exponent >= 0 ? mantissa * 10n ** BigInt(exponent) : mantissa / 10n ** BigInt(-exponent);
  if (cents > BigInt(MAX_AMOUNT_UNITS) * 100n) {
    return fail("That's more than one billion — amounts go up to 1,000,000,000. An extra zero, perhaps?");
  }
  return { ok: true, cents: Number(cents), explicitMoney: Boolean(leadingSign || trailingSign || suffix) };
}

/** Parses how many of something: a whole number from 1 to 10,000, thousands optionally grouped (`1,200`). */
export function parseCount(text: string): CountResult {
  const input = text.trim();
  if (input === '') return fail('Please give a count, like 12.');
  if (hasForeignDigits(input)) return fail(NOT_PLAIN_DIGITS);
  if (looksNegative(input)) {
    return fail("Counts can't be negative — to take back an entry, use `/kpi undo`.");
  }
  if (/^\d[\d,]*\.\d+$/.test(input)) return fail(`Counts are whole numbers — “${input}” has a fraction.`);
  if (/[$€£]|\d[kmb]$/i.test(input)) {
    return fail(`“${input}” looks like an amount of money; a count is a plain whole number like 12.`);
  }
  const decimal = COUNT_SHAPE.test(input) ? readDecimal(input) : null;
  if (!decimal) return fail(`“${input}” isn't a count I can read — try a whole number like 12 or 1,200.`);
  const count = Number(decimal.digits);
  if (count < 1) return fail('A count of zero logs nothing — use a number from 1 to 10,000.');
  if (count > MAX_COUNT) return fail("That's more than 10,000 at once — log at most 10,000 per entry.");
  return { ok: true, count };
}

const COUNT_WORDS: ReadonlyMap<string, number> = new Map(
  [
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
    'fifteen',
    'sixteen',
    'seventeen',
    'eighteen',
    'nineteen',
    'twenty',
  ]
    .map((word, i): [string, number] => [word, i + 1])
    .concat([['dozen', 12]]),
);

/**
 * `['twelve', 'cold']` → `['12', 'cold']`, `['a', 'dozen']` → `['12']`: a count written in words
 * (one to twenty, a dozen) at the start, as digits, so the count parsers read it like any other.
 */
export function countWordsAsDigits(words: readonly string[]): string[] {
  const [first = '', second = ''] = words.map((w) => w.toLowerCase());
  if (first === 'a' && second === 'dozen') return ['12', ...words.slice(2)];
  const count = COUNT_WORDS.get(first);
  return count === undefined ? [...words] : [String(count), ...words.slice(1)];
}

/** `$12,500` for whole amounts, `$12,500.50` otherwise; the sign follows `currency` (`€`, `£`, `CA$`…). */
export function formatMoney(cents: number, currency = 'USD'): string {
  const fractionDigits = cents % 100 === 0 ? 0 : 2;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(cents / 100);
}
