import { describe, expect, it } from 'vitest';
import type { CrmEvent, ParsedBatch, ParseResult } from '../../../src/integrations/crm-event.js';
import { decimalToCents, parseDate, parseDateTime } from '../../../src/integrations/salesforce/fields.js';
import { MAX_NOTIFICATIONS, parseOutboundMessage } from '../../../src/integrations/salesforce/parse.js';
import { type OutboundNotification, outboundMessage, type SalesforceValue } from '../../support/fake-salesforce.js';

const ORG = '00D5w000004qGTOEA2';
const NOW = new Date('2024-06-01T09:00:00.000Z');

/** In the shape of Salesforce's documented message: soapenv envelope, default outbound namespace, sf: fields. */
const EXAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00D5w000004qGTOEA2</OrganizationId>
   <ActionId>04k5w000000TSwMAAW</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://acme.my.salesforce.com/services/Soap/c/60.0/00D5w000004qGTO</EnterpriseUrl>
   <PartnerUrl>https://acme.my.salesforce.com/services/Soap/u/60.0/00D5w000004qGTO</PartnerUrl>
   <Notification>
    <Id>04l5w00005286hAAAQ</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>0065w000023STAmAAO</sf:Id>
     <sf:AccountId>0015w00002BFDeLAAX</sf:AccountId>
     <sf:Amount>45000.0</sf:Amount>
     <sf:CloseDate>2024-05-31</sf:CloseDate>
     <sf:CreatedDate>2024-04-02T13:40:22.000Z</sf:CreatedDate>
     <sf:CurrencyIsoCode>EUR</sf:CurrencyIsoCode>
     <sf:IsClosed>true</sf:IsClosed>
     <sf:IsDeleted>false</sf:IsDeleted>
     <sf:IsWon>true</sf:IsWon>
     <sf:LastModifiedDate>2024-05-31T16:04:32.000Z</sf:LastModifiedDate>
     <sf:LeadSource>Partner Referral</sf:LeadSource>
     <sf:Name>Northwind &amp; Sons — 40 seats</sf:Name>
     <sf:OwnerId>0055w00000BhqR0AAJ</sf:OwnerId>
     <sf:Probability>100.0</sf:Probability>
     <sf:StageName>Closed Won</sf:StageName>
     <sf:Type>New Customer</sf:Type>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;

function parse(xml: string): ParseResult {
  return parseOutboundMessage(Buffer.from(xml), NOW);
}

function batchOf(xml: string): ParsedBatch {
  const result = parse(xml);
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result.batch;
}

function opportunity(id: string, fields: Record<string, SalesforceValue>, dealId = '0065w000023STAmAAO') {
  return { id, sObject: { type: 'Opportunity', fields: { Id: dealId, ...fields } } } satisfies OutboundNotification;
}

function message(...notifications: OutboundNotification[]): string {
  return outboundMessage({ organizationId: ORG, notifications });
}

/** The deal fields of a one-notification message. */
function dealFields(fields: Record<string, SalesforceValue>) {
  const [event] = batchOf(message(opportunity('04l5w00005286hAAAQ', fields))).events;
  if (event?.type !== 'deal.upsert') throw new Error(`not a deal: ${JSON.stringify(event)}`);
  return event.fields;
}

function rejection(fields: Record<string, SalesforceValue>): string | undefined {
  return batchOf(message(opportunity('04l5w00005286hAAAQ', fields))).rejected[0]?.reason;
}

function notifications(count: number): OutboundNotification[] {
  return Array.from({ length: count }, (_, i) =>
    opportunity(
      `04l5w000052${String(i).padStart(4, '0')}AAQ`,
      { Amount: i },
      `0065w000023${String(i).padStart(4, '0')}AAO`,
    ),
  );
}

describe('parseOutboundMessage', () => {
  it('reads the documented example', () => {
    expect(parse(EXAMPLE)).toEqual({
      ok: true,
      batch: {
        accountId: ORG,
        rejected: [],
        events: [
          {
            type: 'deal.upsert',
            eventId: '04l5w00005286hAAAQ',
            occurredAt: new Date('2024-05-31T16:04:32.000Z'),
            dealId: '0065w000023STAmAAO',
            fields: {
              name: 'Northwind & Sons — 40 seats',
              amountCents: 4_500_000,
              currency: 'EUR',
              stage: 'Closed Won',
              status: 'won',
              ownerId: '0055w00000BhqR0AAJ',
              createdAt: new Date('2024-04-02T13:40:22.000Z'),
              closedAt: new Date('2024-05-31T12:00:00.000Z'),
              leadSource: 'Partner Referral',
              dealType: 'new_business',
              customerId: '0015w00002BFDeLAAX',
            },
          },
        ] satisfies CrmEvent[],
      },
    });
  });

  it(`accepts ${MAX_NOTIFICATIONS} notifications and refuses ${MAX_NOTIFICATIONS + 1}`, () => {
    const batch = batchOf(message(...notifications(MAX_NOTIFICATIONS)));
    expect(batch.events).toHaveLength(MAX_NOTIFICATIONS);
    expect(new Set(batch.events.map((e) => e.eventId)).size).toBe(MAX_NOTIFICATIONS);
    expect(parse(message(...notifications(MAX_NOTIFICATIONS + 1)))).toEqual({
      ok: false,
      reason: '101 notifications; Salesforce sends at most 100',
    });
  });

  it('refuses a message with no notification', () => {
    expect(parse(message())).toEqual({ ok: false, reason: 'the message has no Notification' });
  });

  it.each([
    ['not XML', 'hello', /^not well-formed XML/],
    ['empty', '', /^not well-formed XML/],
    ['JSON', '{"OrganizationId":"00D5w000004qGTOEA2"}', /^not well-formed XML/],
    ['unclosed tags', EXAMPLE.slice(0, 400), /^not well-formed XML/],
    ['another SOAP call', EXAMPLE.replaceAll('notifications', 'somethingElse'), /no Envelope\/Body\/notifications/],
    ['no OrganizationId', EXAMPLE.replace(/<OrganizationId>.*<\/OrganizationId>/, ''), /OrganizationId is missing/],
    [
      'a nil OrganizationId',
      EXAMPLE.replace(/<OrganizationId>.*<\/OrganizationId>/, '<OrganizationId xsi:nil="true"/>'),
      /OrganizationId is missing/,
    ],
    ['a malformed OrganizationId', EXAMPLE.replace(ORG, "00D5w' OR 1=1"), /not a Salesforce id/],
  ])('refuses the whole message when it is %s', (_, xml, reason) => {
    const result = parse(xml);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('refuses single bad notifications and keeps the good ones', () => {
    const batch = batchOf(
      message(
        opportunity('04l5w0000528000AAQ', { Amount: 100 }),
        opportunity('04l5w0000528001AAQ', { Amount: '12,500' }),
        opportunity('04l5w0000528002AAQ', { CloseDate: '2024-02-30' }),
        opportunity('04l5w0000528003AAQ', { LastModifiedDate: 'yesterday' }),
        opportunity('', { Amount: 1 }),
        { id: '04l5w0000528005AAQ', sObject: { type: 'Opportunity', fields: { Amount: 1 } } },
        opportunity('04l5w0000528006AAQ', { IsWon: 'yes' }),
        opportunity('04l5w0000528007AAQ', { OwnerId: 'someone' }),
        opportunity('04l5w0000528008AAQ', { Amount: 200 }),
      ),
    );
    expect(batch.events.map((e) => e.eventId)).toEqual(['04l5w0000528000AAQ', '04l5w0000528008AAQ']);
    expect(batch.rejected).toEqual([
      { index: 1, reason: 'Amount "12,500" is not an amount' },
      { index: 2, reason: 'CloseDate "2024-02-30" is not a date (YYYY-MM-DD)' },
      { index: 3, reason: 'LastModifiedDate "yesterday" is not a date and time' },
      { index: 4, reason: 'the Notification Id is missing or not a Salesforce id' },
      { index: 5, reason: 'the sObject has no Id' },
      { index: 6, reason: 'IsWon "yes" is not true or false' },
      { index: 7, reason: 'OwnerId "someone" is not a Salesforce id' },
    ]);
  });

  it('refuses a notification with a repeated field or without an sObject', () => {
    const repeated = message(opportunity('04l5w00005286hAAAQ', { Amount: 1 })).replace(
      '<sf:Amount>1.0</sf:Amount>',
      '<sf:Amount>1.0</sf:Amount><sf:Amount>2.0</sf:Amount>',
    );
    expect(batchOf(repeated).rejected).toEqual([{ index: 0, reason: 'Amount is not a single value' }]);
    const empty = message(opportunity('04l5w00005286hAAAQ', {})).replace(/<sObject[\s\S]*<\/sObject>/, '');
    expect(batchOf(empty).rejected).toEqual([{ index: 0, reason: 'the Notification has no sObject' }]);
  });

  it('reads xsi:nil as null and leaves omitted fields undefined', () => {
    const fields = dealFields({ Amount: null, AccountId: null, LeadSource: null, Type: null, Name: 'Renewal 2025' });
    expect(fields).toEqual({
      name: 'Renewal 2025',
      amountCents: null,
      customerId: null,
      leadSource: null,
      dealType: null,
    });
    expect('stage' in fields).toBe(false);
  });

  it.each([
    ['soap', 'ns1'],
    ['SOAP-ENV', 'ns1'],
    ['s', 'sf2'],
  ])('matches local names whatever the prefixes (%s, %s)', (envelopePrefix, sObjectPrefix) => {
    const xml = outboundMessage({
      organizationId: ORG,
      envelopePrefix,
      sObjectPrefix,
      notifications: [opportunity('04l5w00005286hAAAQ', { Amount: 12500.5, StageName: 'Negotiation/Review' })],
    });
    expect(xml).toContain(`<${envelopePrefix}:Envelope`);
    expect(xml).toContain(`<${sObjectPrefix}:Amount>`);
    expect(batchOf(xml).events[0]).toMatchObject({ fields: { amountCents: 1_250_050, stage: 'Negotiation/Review' } });
  });

  it('reads a message whose elements carry no prefixes at all', () => {
    const xml = EXAMPLE.replaceAll('soapenv:', '')
      .replaceAll('xmlns:soapenv=', 'xmlns=')
      .replaceAll('sf:', '')
      .replace('xmlns:sf=', 'xmlns=');
    expect(batchOf(xml).events[0]).toMatchObject({ dealId: '0065w000023STAmAAO', fields: { amountCents: 4_500_000 } });
  });

  it('turns a Lead into lead.create, dated by its CreatedDate', () => {
    const xml = message({
      id: '04l5w00005286hBAAQ',
      sObject: {
        type: 'Lead',
        fields: {
          Id: '00Q5w00001vYB4kEAG',
          OwnerId: '0055w00000BhqR0AAJ',
          LeadSource: 'Web',
          CreatedDate: '2024-05-30T08:15:00.000Z',
          Company: 'Initech',
        },
      },
    });
    expect(batchOf(xml).events).toEqual([
      {
        type: 'lead.create',
        eventId: '04l5w00005286hBAAQ',
        occurredAt: new Date('2024-05-30T08:15:00.000Z'),
        leadId: '00Q5w00001vYB4kEAG',
        ownerId: '0055w00000BhqR0AAJ',
        leadSource: 'Web',
      },
    ]);
  });

  it('refuses other sObject types, naming them', () => {
    const xml = message({
      id: '04l5w00005286hAAAQ',
      sObject: { type: 'Account', fields: { Id: '0015w00002BFDeLAAX' } },
    });
    expect(batchOf(xml)).toEqual({
      accountId: ORG,
      events: [],
      rejected: [
        { index: 0, reason: 'sObject type "Account" is not supported: only Opportunity, Lead, Task and Event are' },
      ],
    });
  });

  it('dates an event by LastModifiedDate, else by the parse time', () => {
    expect(
      batchOf(message(opportunity('04l5w00005286hAAAQ', { StageName: 'Prospecting' }))).events[0]?.occurredAt,
    ).toEqual(NOW);
  });

  it.each([
    [{ IsWon: true }, 'won'],
    [{ IsWon: true, IsClosed: true }, 'won'],
    [{ IsWon: false, IsClosed: true }, 'lost'],
    [{ IsWon: false, IsClosed: false }, 'open'],
    [{ IsClosed: false }, 'open'],
    [{ IsClosed: true }, undefined],
    [{ IsWon: false }, undefined],
    [{}, undefined],
  ])('reads %j as status %s', (flags, status) => {
    expect(dealFields(flags).status).toBe(status);
  });

  it.each([
    ['New Customer', 'new_business'],
    ['New Business', 'new_business'],
    ['Existing Customer - Upgrade', 'upsell'],
    ['Upsell', 'upsell'],
    ['Existing Customer - Replacement', 'renewal'],
    ['Renewal', 'renewal'],
    ['existing customer - replacement ', 'renewal'],
    ['Existing Customer - Downgrade', null],
    ['Partner Resale', null],
  ])('reads Type %j as %s', (type, dealType) => {
    expect(dealFields({ Type: type }).dealType).toBe(dealType);
  });

  it('upper-cases the currency and refuses what is not a currency code', () => {
    expect(dealFields({ CurrencyIsoCode: 'usd' }).currency).toBe('USD');
    expect(rejection({ CurrencyIsoCode: 'US Dollar' })).toBe(
      'CurrencyIsoCode "US Dollar" is not an ISO 4217 currency code',
    );
  });
});

describe('amounts', () => {
  it.each([
    ['12500.50', 1_250_050],
    ['12500.5', 1_250_050],
    ['45000.0', 4_500_000],
    ['0', 0],
    ['-3.25', -325],
    ['1.0E7', 1_000_000_000],
    ['1.25e+3', 125_000],
    ['5E-2', 5],
    ['0.125', 13],
    ['0.124', 12],
    ['-0.125', -13],
    ['0.001', 0],
    ['1e-400', 0],
    ['90071992547409.91', 9_007_199_254_740_991],
  ])('reads %s as %i cents, exactly', (text, cents) => {
    expect(decimalToCents(text)).toBe(cents);
  });

  it.each(['', '12,500', '$12', 'NaN', 'Infinity', '1.', '.5', '1e', '0x10', ' 1', '90071992547409.92', '1e400'])(
    'refuses %j',
    (text) => {
      expect(decimalToCents(text)).toBeNull();
    },
  );

  it('converts a message amount to cents exactly', () => {
    expect(dealFields({ Amount: '12500.50' }).amountCents).toBe(1_250_050);
    expect(dealFields({ Amount: '0.07' }).amountCents).toBe(7);
  });
});

describe('dates', () => {
  it.each([
    ['2020-05-08T13:40:22.000Z', '2020-05-08T13:40:22.000Z'],
    ['2020-05-08T13:40:22Z', '2020-05-08T13:40:22.000Z'],
    ['2020-05-08T13:40:22.000+0000', '2020-05-08T13:40:22.000Z'],
    ['2020-05-08T15:40:22.5+02:00', '2020-05-08T13:40:22.500Z'],
    ['2020-05-08T08:40:22.123456-0500', '2020-05-08T13:40:22.123Z'],
    ['2024-02-29T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
  ])('reads the date-time %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2020-05-08T24:00:00Z',
    '2020-05-08 13:40:22Z',
    '2020-05-08T13:40:22',
    '1588945222',
  ])('refuses the date-time %j', (text) => {
    expect(parseDateTime(text)).toBeNull();
  });

  it('places a calendar date at noon UTC, so it is that day from UTC−11 to UTC+11', () => {
    expect(parseDate('2024-03-01')?.toISOString()).toBe('2024-03-01T12:00:00.000Z');
    expect(parseDate('0099-01-01')?.getUTCFullYear()).toBe(99);
    expect(parseDate('2024-13-01')).toBeNull();
    expect(parseDate('2024-3-1')).toBeNull();
  });
});
