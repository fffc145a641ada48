import { describe, expect, it } from 'vitest';
import { DEAL_PROPERTIES, dealFieldsFromProperties } from '../../../src/integrations/hubspot/deal-properties.js';

const read = (property: string, value: string | null) => dealFieldsFromProperties({ [property]: value });

describe('dealFieldsFromProperties', () => {
  it('asks the API for exactly the properties it reads', () => {
    expect(DEAL_PROPERTIES).toEqual([
      'dealname',
      'amount',
      'dealstage',
      'hubspot_owner_id',
      'closedate',
      'createdate',
      'deal_currency_code',
      'dealtype',
    ]);
  });

  it.each([
    ['1500', 150_000],
    ['1500.5', 150_050],
    ['1500.50', 150_050],
    ['0.015', 2],
    ['0.014', 1],
    ['1234.565', 123_457],
    ['-20', -2000],
    ['-0.004', 0],
    ['+7', 700],
    [' 42 ', 4200],
    ['90071992547409.91', 9_007_199_254_740_991],
  ])('reads amount %j as %i cents', (value, cents) => {
    expect(read('amount', value)).toEqual({ fields: { amountCents: cents }, problems: [] });
  });

  it.each(['abc', '1,500', '1e3', '$5', '.5', '90071992547409.92'])('cannot read amount %j', (value) => {
    const { fields, problems } = read('amount', value);
    expect(fields).toEqual({});
    expect(problems).toEqual([expect.stringMatching(/^amount: ".*" is (not a number|too large)$/)]);
  });

  it('reads a cleared property, "" or null, as null', () => {
    for (const cleared of ['', '  ', null]) {
      expect(read('amount', cleared).fields).toEqual({ amountCents: null });
      expect(read('dealstage', cleared).fields).toEqual({ stage: null });
      expect(read('closedate', cleared).fields).toEqual({ closedAt: null });
    }
  });

  it('reads dates as epoch milliseconds (webhooks) or ISO 8601 (REST API)', () => {
    expect(read('closedate', '1712102400000').fields).toEqual({ closedAt: new Date('2024-04-03T00:00:00.000Z') });
    expect(read('closedate', '2024-04-03T10:11:12.345Z').fields).toEqual({
      closedAt: new Date('2024-04-03T10:11:12.345Z'),
    });
    expect(read('createdate', '2024-04-03').fields).toEqual({ createdAt: new Date('2024-04-03T00:00:00.000Z') });
    expect(read('closedate', 'tomorrow')).toEqual({ fields: {}, problems: ['closedate: "tomorrow" is not a date'] });
    expect(read('closedate', '2024-04-03T10:00:00').problems).toHaveLength(1); // no zone: whose local time?
    expect(read('closedate', '99999999999999999999').problems).toHaveLength(1);
  });

  it('reads names, stages and owners as they are', () => {
    expect(
      dealFieldsFromProperties({ dealname: 'Acme renewal', dealstage: 'closedwon', hubspot_owner_id: '910' }),
    ).toEqual({ fields: { name: 'Acme renewal', stage: 'closedwon', ownerId: '910' }, problems: [] });
  });

  it('reads currencies as upper-case ISO 4217 codes', () => {
    expect(read('deal_currency_code', 'eur').fields).toEqual({ currency: 'EUR' });
    expect(read('deal_currency_code', 'EURO').problems).toEqual(['deal_currency_code: "EURO" is not an ISO 4217 code']);
  });

  it("maps HubSpot's two default deal types and says nothing about a portal's own", () => {
    expect(read('dealtype', 'newbusiness').fields).toEqual({ dealType: 'new_business' });
    expect(read('dealtype', 'existingbusiness').fields).toEqual({ dealType: 'upsell' });
    expect(read('dealtype', 'partner_referral')).toEqual({ fields: {}, problems: [] });
  });

  it('ignores other properties, including ones named like Object.prototype members', () => {
    for (const property of ['hs_priority', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(read(property, '1')).toEqual({ fields: {}, problems: [] });
    }
  });

  it('keeps the readable fields when one value is unreadable', () => {
    expect(dealFieldsFromProperties({ amount: 'n/a', dealstage: 'appointmentscheduled' })).toEqual({
      fields: { stage: 'appointmentscheduled' },
      problems: ['amount: "n/a" is not a number'],
    });
  });
});
