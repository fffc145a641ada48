import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedBatch, ParseResult } from '../../../src/integrations/crm-event.js';
import { parseHubSpotBatch } from '../../../src/integrations/hubspot/parse.js';
import {
  body,
  contactCreation,
  DOCUMENTED_BATCH,
  DOCUMENTED_V1,
  dealCreation,
  dealDeletion,
  dealPropertyChange,
  OBJECT_TYPE,
  OCCURRED_AT,
  objectCreation,
  objectDeletion,
  objectPropertyChange,
} from './fixtures.js';

function parsed(result: ParseResult): ParsedBatch {
  if (!result.ok) throw new Error(`expected a batch, got: ${result.reason}`);
  return result.batch;
}

const parse = (events: unknown) => parsed(parseHubSpotBatch(body(events)));

describe("parseHubSpotBatch on HubSpot's documented examples", () => {
  it('reads the contact creation and skips the contact property change', () => {
    expect(parse(DOCUMENTED_BATCH)).toEqual({
      accountId: '33',
      rejected: [],
      events: [
        {
          type: 'lead.create',
          eventId: '22:3816279480:1246978',
          occurredAt: new Date(1462216307945),
          leadId: '1246978',
        },
      ],
    });
  });

  it('reads the body of the v1 validation example', () => {
    expect(parsed(parseHubSpotBatch(Buffer.from(DOCUMENTED_V1.body)))).toEqual({
      accountId: '62515',
      rejected: [],
      events: [{ type: 'lead.create', eventId: '12345:1:123', occurredAt: new Date(1564113600000), leadId: '123' }],
    });
  });
});

describe('parseHubSpotBatch mapping', () => {
  it('turns deal.creation into an upsert that knows only when the deal was created', () => {
    expect(parse([dealCreation(5001)]).events).toEqual([
      {
        type: 'deal.upsert',
        eventId: '25:3816279340:5001',
        occurredAt: new Date(OCCURRED_AT),
        dealId: '5001',
        fields: { createdAt: new Date(OCCURRED_AT) },
      },
    ]);
  });

  it.each([
    ['dealstage', 'closedwon', { stage: 'closedwon' }],
    ['amount', '12500.75', { amountCents: 1_250_075 }],
    ['amount', '', { amountCents: null }],
    ['hubspot_owner_id', '8675309', { ownerId: '8675309' }],
    ['hubspot_owner_id', '', { ownerId: null }],
    ['closedate', '1712102400000', { closedAt: new Date('2024-04-03T00:00:00.000Z') }],
    ['closedate', '2024-04-03T00:00:00Z', { closedAt: new Date('2024-04-03T00:00:00.000Z') }],
    ['dealname', 'Acme — 40 seats', { name: 'Acme — 40 seats' }],
    ['deal_currency_code', 'gbp', { currency: 'GBP' }],
    ['dealtype', 'newbusiness', { dealType: 'new_business' }],
    ['dealtype', 'existingbusiness', { dealType: 'upsell' }],
    ['hs_priority', 'high', {}],
    ['description', 'no field of ours', {}],
  ])('turns a change of %s to %j into an upsert of %j', (propertyName, propertyValue, fields) => {
    const [event] = parse([dealPropertyChange(5001, propertyName, propertyValue)]).events;
    expect(event).toEqual({
      type: 'deal.upsert',
      eventId: '25:3816279340:5001',
      occurredAt: new Date(OCCURRED_AT),
      dealId: '5001',
      fields,
    });
  });

  it('reads a property change without a value as the property being cleared', () => {
    const change = dealPropertyChange(5001, 'dealstage', '');
    delete change.propertyValue;
    expect(
      parse([change, { ...change, propertyValue: null }]).events.map(
        (event) => event.type === 'deal.upsert' && event.fields,
      ),
    ).toEqual([{ stage: null }, { stage: null }]);
  });

  it('rejects a property change whose value cannot be read', () => {
    expect(parse([dealPropertyChange(5001, 'amount', 'twelve')])).toMatchObject({
      events: [],
      rejected: [{ index: 0, reason: 'amount: "twelve" is not a number' }],
    });
  });

  it('turns deal.deletion into a delete', () => {
    expect(parse([dealDeletion(5001)]).events).toEqual([
      { type: 'deal.delete', eventId: '25:3816279340:5001', occurredAt: new Date(OCCURRED_AT), dealId: '5001' },
    ]);
  });

  it('uses eventId and objectId alone when a payload has no subscriptionId', () => {
    const event = dealDeletion(5001);
    delete event.subscriptionId;
    expect(parse([event]).events[0]?.eventId).toBe('3816279340:5001');
  });

  it('accepts ids sent as digit strings', () => {
    const [event] = parse([dealDeletion(5001, { objectId: '5001', eventId: '77', portalId: '33' })]).events;
    expect(event).toMatchObject({ dealId: '5001', eventId: '25:77:5001' });
  });

  it('skips subscription types it does not read, without rejecting them', () => {
    const others = [
      'company.creation',
      'ticket.propertyChange',
      'conversation.newMessage',
      'deal.merge',
      'constructor',
    ];
    const batch = parse([...others.map((type) => ({ ...dealCreation(1), subscriptionType: type })), dealCreation(2)]);
    expect(batch.rejected).toEqual([]);
    expect(batch.events.map((event) => event.type === 'deal.upsert' && event.dealId)).toEqual(['2']);
  });
});

describe('parseHubSpotBatch batches', () => {
  it('reads a batch of 100 events', () => {
    const events = Array.from({ length: 100 }, (_, i) => dealCreation(6000 + i, { eventId: i }));
    const batch = parse(events);
    expect(batch.events).toHaveLength(100);
    expect(batch.rejected).toEqual([]);
  });

  it('refuses a batch of 101 events whole', () => {
    const events = Array.from({ length: 101 }, (_, i) => dealCreation(6000 + i, { eventId: i }));
    expect(parseHubSpotBatch(body(events))).toEqual({
      ok: false,
      reason: 'batch has 101 events; HubSpot sends at most 100',
    });
  });

  it('refuses a body that is not a JSON array', () => {
    expect(parseHubSpotBatch(Buffer.from('[{"eventId":'))).toEqual({ ok: false, reason: 'body is not valid JSON' });
    expect(parseHubSpotBatch(Buffer.from(''))).toEqual({ ok: false, reason: 'body is not valid JSON' });
    expect(parseHubSpotBatch(body(dealCreation(1)))).toEqual({
      ok: false,
      reason: 'body is not a JSON array of events',
    });
  });

  it('reads an empty batch as no events and no account', () => {
    expect(parse([])).toEqual({ events: [], rejected: [], accountId: null });
  });

  it('rejects bad events by index and still reads the others', () => {
    const noObject = dealCreation(1);
    delete noObject.objectId;
    const batch = parse([
      dealCreation(5001),
      noObject,
      42,
      null,
      { ...dealCreation(5002), portalId: 'thirty-three' },
      { ...dealCreation(5003), occurredAt: '2024-04-03' },
      { ...dealCreation(5004), subscriptionType: undefined },
      dealPropertyChange(5005, '', 'x'),
      dealCreation(5006),
    ]);
    expect(batch.events.map((event) => event.type === 'deal.upsert' && event.dealId)).toEqual(['5001', '5006']);
    expect(batch.rejected).toEqual([
      { index: 1, reason: 'objectId: expected a numeric HubSpot id' },
      { index: 2, reason: 'Invalid input: expected object, received number' },
      { index: 3, reason: 'Invalid input: expected object, received null' },
      { index: 4, reason: 'portalId: expected a numeric HubSpot id' },
      { index: 5, reason: 'occurredAt: Invalid input: expected number, received string' },
      { index: 6, reason: 'subscriptionType: Invalid input: expected string, received undefined' },
      { index: 7, reason: 'propertyName: Too small: expected string to have >=1 characters' },
    ]);
  });

  it('rejects ids too large to be read exactly from JSON', () => {
    const raw = JSON.stringify([dealCreation(1)]).replace('"objectId":1', '"objectId":9007199254740993');
    expect(parsed(parseHubSpotBatch(Buffer.from(raw))).rejected).toEqual([
      { index: 0, reason: 'objectId: Too big: expected int to be <=9007199254740991' },
    ]);
  });

  it('keeps duplicates: the inbox deduplicates', () => {
    const batch = parse([dealCreation(5001), dealCreation(5001, { attemptNumber: 1 })]);
    expect(batch.events).toHaveLength(2);
    expect(batch.events[0]).toEqual(batch.events[1]);
  });

  it('sorts events by occurredAt, keeping arrival order for equal times', () => {
    const batch = parse([
      dealPropertyChange(1, 'dealstage', 'closedwon', { occurredAt: OCCURRED_AT + 2000 }),
      dealCreation(1, { occurredAt: OCCURRED_AT }),
      dealPropertyChange(1, 'amount', '10', { occurredAt: OCCURRED_AT + 1000, eventId: 1 }),
      dealPropertyChange(1, 'dealname', 'B', { occurredAt: OCCURRED_AT + 1000, eventId: 2 }),
      contactCreation(9, { occurredAt: OCCURRED_AT - 1 }),
    ]);
    expect(batch.events.map((event) => event.eventId)).toEqual([
      '25:3816279340:9',
      '25:3816279340:1',
      '25:1:1',
      '25:2:1',
      '25:3816279340:1',
    ]);
    expect(batch.events.map((event) => event.occurredAt.getTime() - OCCURRED_AT)).toEqual([-1, 0, 1000, 1000, 2000]);
  });

  it('belongs to the portal of its first event and rejects events of other portals', () => {
    const batch = parse([
      { ...dealCreation(1), subscriptionType: 'company.creation', portalId: 99 },
      dealCreation(5001, { portalId: 33 }),
      dealCreation(5002, { portalId: 34 }),
      dealCreation(5003, { portalId: 33 }),
    ]);
    expect(batch.accountId).toBe('33');
    expect(batch.events.map((event) => event.type === 'deal.upsert' && event.dealId)).toEqual(['5001', '5003']);
    expect(batch.rejected).toEqual([{ index: 2, reason: 'event is from portal 34, the batch from 33' }]);
  });
});

describe('parseHubSpotBatch never throws', () => {
  /** Every index of the input is an event, a rejection or skipped: never reported twice, never out of range. */
  function expectWellFormed(result: ParseResult, length: number): void {
    if (!result.ok) {
      expect(result.reason).toEqual(expect.any(String));
      return;
    }
    const indexes = result.batch.rejected.map((rejection) => rejection.index);
    expect(new Set(indexes).size).toBe(indexes.length);
    for (const index of indexes) expect(index).toBeLessThan(length);
    expect(result.batch.events.length + indexes.length).toBeLessThanOrEqual(length);
  }

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expectWellFormed(parseHubSpotBatch(Buffer.from(bytes)), Number.POSITIVE_INFINITY);
      }),
    );
  });

  it('on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        expectWellFormed(parseHubSpotBatch(Buffer.from(json)), Number.POSITIVE_INFINITY);
      }),
    );
  });

  it('on arrays of events with arbitrary field values', () => {
    const value = fc.oneof(fc.jsonValue(), fc.constantFrom('deal.propertyChange', 'amount', 'closedate', '', '33'));
    const event = fc.record(
      {
        eventId: value,
        subscriptionId: value,
        portalId: fc.oneof(fc.constant(33), value),
        occurredAt: fc.oneof(fc.integer(), value),
        subscriptionType: fc.oneof(
          fc.constantFrom('deal.creation', 'deal.propertyChange', 'deal.deletion', 'contact.creation'),
          value,
        ),
        objectId: fc.oneof(fc.nat(), value),
        propertyName: fc.oneof(fc.constantFrom('amount', 'closedate', 'dealtype', 'constructor'), value),
        propertyValue: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 120 }), (events) => {
        expectWellFormed(parseHubSpotBatch(body(events)), events.length);
      }),
    );
  });
});

describe('engagements (generic object.* subscriptions)', () => {
  it('reads creation, a property change and deletion of calls, meetings, emails and tasks', () => {
    const { events, rejected } = parse([
      objectCreation(OBJECT_TYPE.call, 901, { eventId: 1 }),
      objectPropertyChange(OBJECT_TYPE.meeting, 911, 'hs_meeting_outcome', 'NO_SHOW', { eventId: 2 }),
      objectPropertyChange(OBJECT_TYPE.task, 931, 'hs_task_status', 'COMPLETED', { eventId: 3 }),
      objectDeletion(OBJECT_TYPE.email, 921, { eventId: 4 }),
    ]);
    expect(rejected).toEqual([]);
    expect(events.map((e) => ('activityId' in e ? [e.type, e.activityId, e.eventId] : e.type))).toEqual([
      ['activity.upsert', 'call:901', '25:1:901'],
      ['activity.upsert', 'meeting:911', '25:2:911'],
      ['activity.upsert', 'task:931', '25:3:931'],
      ['activity.delete', 'email:921', '25:4:921'],
    ]);
    expect(events[1]).toMatchObject({ fields: { type: 'meeting', outcome: 'no_show' } });
    expect(events[2]).toMatchObject({ fields: { type: 'task', done: true } });
  });

  it('reads a contact created through object.creation as a lead, and skips other object types silently', () => {
    const { events, rejected } = parse([
      objectCreation(OBJECT_TYPE.contact, 501, { eventId: 5 }),
      objectCreation('0-2', 601, { eventId: 6 }),
      objectCreation('0-46', 701, { eventId: 7 }),
    ]);
    expect(rejected).toEqual([]);
    expect(events).toEqual([
      { type: 'lead.create', eventId: '25:5:501', occurredAt: new Date(OCCURRED_AT), leadId: '501' },
    ]);
  });

  it('rejects an engagement event without its objectTypeId', () => {
    const { objectTypeId: _, ...withoutType } = objectCreation(OBJECT_TYPE.call, 901);
    expect(parse([withoutType]).rejected).toEqual([{ index: 0, reason: expect.stringContaining('objectTypeId') }]);
  });
});
