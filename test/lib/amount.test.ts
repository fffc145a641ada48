import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, parseAmount, parseCount } from '../../src/lib/amount.js';

describe('parseAmount', () => {
  it.each([
    ['12', 1200, false],
    ['12,500', 1250000, false],
    ['12500.50', 1250050, false],
    ['0.5', 50, false],
    ['0', 0, false],
    ['1,200,000', 120000000, false],
    ['$12.5k', 1250000, true],
    ['1.2m', 120000000, true],
    ['€3K', 300000, true],
    ['£40', 4000, true],
    ['12€', 1200, true],
    ['$ 5k', 500000, true],
    ['  $1,250.75  ', 125075, true],
    ['1.2345k', 123450, true],
    ['1.23456k', 123456, true],
    ['1b', 100000000000, true],
    ['1,000,000,000', 100000000000, false],
  ])('reads %j as %i cents (explicit money: %s)', (text, cents, explicitMoney) => {
    expect(parseAmount(text)).toEqual({ ok: true, cents, explicitMoney });
  });

  it('suggests both readings of a decimal comma', () => {
    expect(parseAmount('12,50')).toEqual({
      ok: false,
      error: "“12,50” isn't a number I can read — try 12.50 or 1,250.",
    });
    expect(parseAmount('$3,5')).toEqual({ ok: false, error: "“$3,5” isn't a number I can read — try $3.5 or $35." });
  });

  it.each([
    ['', /give an amount/],
    ['   ', /give an amount/],
    ['-5', /can't be negative/],
    ['−5', /can't be negative/],
    ['$-5', /can't be negative/],
    ['(500)', /can't be negative/],
    ['1,2,3', /isn't an amount I can read/],
    ['1,2345', /isn't an amount I can read/],
    ['12,', /isn't an amount I can read/],
    ['NaN', /isn't an amount I can read/],
    ['1e5', /isn't an amount I can read/],
    ['.5', /isn't an amount I can read/],
    ['1.2.3', /isn't an amount I can read/],
    ['$5€', /isn't an amount I can read/],
    ['5 k', /isn't an amount I can read/],
    ['12.500', /more than two decimals — for cents write 12\.50, for thousands write 12,500/],
    ['12.505', /more than two decimals/],
    ['1.234567k', /more precise than a cent/],
    ['1,000,000,000.01', /more than one billion/],
    ['1.5b', /more than one billion/],
    ['9'.repeat(400), /more than one billion/],
    ['١٢', /plain digits 0–9/],
    ['１２', /plain digits 0–9/],
    ['१२०', /plain digits 0–9/],
  ])('refuses %j', (text, error) => {
    const result = parseAmount(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('round-trips formatted amounts', () => {
    const cents = fc.integer({ min: 0, max: 100_000_000_000 });
    const currency = fc.constantFrom('USD', 'EUR', 'GBP');
    fc.assert(
      fc.property(cents, currency, (value, code) => {
        expect(parseAmount(formatMoney(value, code))).toEqual({ ok: true, cents: value, explicitMoney: true });
      }),
    );
  });

  it('reads plain and grouped whole numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), (units) => {
        const expected = { ok: true, cents: units * 100, explicitMoney: false };
        expect(parseAmount(String(units))).toEqual(expected);
        expect(parseAmount(units.toLocaleString('en-US'))).toEqual(expected);
      }),
    );
  });

  it('never throws, and only returns whole cents within range', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'0123456789,.$€£kmb- ()'), maxLength: 20 }),
    );
    fc.assert(
      fc.property(text, (input) => {
        const result = parseAmount(input);
        if (result.ok) {
          expect(Number.isSafeInteger(result.cents)).toBe(true);
          expect(result.cents).toBeGreaterThanOrEqual(0);
          expect(result.cents).toBeLessThanOrEqual(100_000_000_000);
        } else {
          expect(result.error).not.toBe('');
        }
      }),
    );
  });
});

describe('parseCount', () => {
  it.each([
    ['1', 1],
    ['12', 12],
    [' 12 ', 12],
    ['1,200', 1200],
    ['10000', 10000],
    ['10,000', 10000],
  ])('reads %j as %i', (text, count) => {
    expect(parseCount(text)).toEqual({ ok: true, count });
  });

  it.each([
    ['', /give a count/],
    ['0', /zero logs nothing/],
    ['10001', /more than 10,000/],
    ['9'.repeat(400), /more than 10,000/],
    ['-3', /can't be negative/],
    ['12.5', /whole numbers — “12.5” has a fraction/],
    ['$5', /looks like an amount of money/],
    ['5k', /looks like an amount of money/],
    ['1,2,3', /isn't a count I can read/],
    ['twelve', /isn't a count I can read/],
    ['١٢', /plain digits 0–9/],
  ])('refuses %j', (text, error) => {
    const result = parseCount(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('reads every count from 1 to 10,000, grouped or not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (count) => {
        expect(parseCount(String(count))).toEqual({ ok: true, count });
        expect(parseCount(count.toLocaleString('en-US'))).toEqual({ ok: true, count });
      }),
    );
  });
});

describe('formatMoney', () => {
  it.each([
    [1250000, 'USD', '$12,500'],
    [1250050, 'USD', '$12,500.50'],
    [5, 'USD', '$0.05'],
    [0, 'USD', '$0'],
    [300000, 'EUR', '€3,000'],
    [4000, 'GBP', '£40'],
    [100000000000, 'USD', '$1,000,000,000'],
  ])('formats %i cents of %s as %s', (cents, currency, text) => {
    expect(formatMoney(cents, currency)).toBe(text);
  });

  it('defaults to dollars', () => {
    expect(formatMoney(1250000)).toBe('$12,500');
  });
});
