import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CrmEvent, ParsedBatch, ParseResult } from '../../../src/integrations/crm-event.js';
import { parsePipedriveWebhook } from '../../../src/integrations/pipedrive/parse.js';
import { toCents } from '../../../src/integrations/pipedrive/records.js';
import {
  COMPANY_ID,
  type Json,
  OWNER_ID,
  v1ActivityRecord,
  v1DealEvent,
  v1Event,
  v1PersonRecord,
  v2ActivityRecord,
  v2DealEvent,
  v2Event,
  v2LeadRecord,
} from '../../support/fake-pipedrive.js';

const EVENT_ID = '6ba407fc-006d-4556-9804-8298e584a288';

function parse(payload: unknown): ParseResult {
  return parsePipedriveWebhook(Buffer.from(JSON.stringify(payload)));
}

function batchOf(payload: unknown): ParsedBatch {
  const result = parse(payload);
  if (!result.ok) throw new Error(`expected a batch, got: ${result.reason}`);
  return result.batch;
}

/** The one event a delivery turned into. */
function eventOf(payload: unknown): CrmEvent {
  const batch = batchOf(payload);
  expect(batch.rejected).toEqual([]);
  expect(batch.events).toHaveLength(1);
  return batch.events[0] as CrmEvent;
}

function upsertOf(payload: unknown) {
  const event = eventOf(payload);
  if (event.type !== 'deal.upsert') throw new Error(`expected deal.upsert, got ${event.type}`);
  return event;
}

function rejectionOf(payload: unknown): string {
  const batch = batchOf(payload);
  expect(batch.events).toEqual([]);
  expect(batch.rejected).toHaveLength(1);
  expect(batch.rejected[0]?.index).toBe(0);
  return batch.rejected[0]?.reason ?? '';
}

describe('webhooks v2: deals', () => {
  it('turns a created deal into deal.upsert with the whole record', () => {
    const payload = v2DealEvent('create', { id: 213973, value: 1234.56, currency: 'eur' }, { meta: { id: EVENT_ID } });
    expect(batchOf(payload).accountId).toBe(String(COMPANY_ID));
    expect(eventOf(payload)).toEqual({
      type: 'deal.upsert',
      eventId: EVENT_ID,
      occurredAt: new Date('2026-01-14T18:16:56.057Z'),
      dealId: '213973',
      fields: {
        name: 'Acme renewal',
        amountCents: 123456,
        currency: 'EUR',
        stage: '1',
        status: 'open',
        ownerId: String(OWNER_ID),
        createdAt: new Date('2025-12-23T15:39:38Z'),
        closedAt: null,
        leadSource: 'ManuallyCreated',
        customerId: '5063',
      },
    });
  });

  it('turns a changed deal into deal.upsert of its current state, not of `previous`', () => {
    const payload = v2DealEvent('change', { id: 7, stage_id: 428 }, { previous: { stage_id: 427 } });
    const event = upsertOf(payload);
    expect(event.dealId).toBe('7');
    expect(event.fields.stage).toBe('428');
  });

  it('turns a deleted deal into deal.delete, from meta.entity_id', () => {
    const payload = v2DealEvent('delete', { id: 7 }, { meta: { id: EVENT_ID } });
    expect(eventOf(payload)).toEqual({
      type: 'deal.delete',
      eventId: EVENT_ID,
      occurredAt: new Date('2026-01-14T18:16:56.057Z'),
      dealId: '7',
    });
  });

  it('treats a record that says it is deleted as a delete', () => {
    expect(eventOf(v2DealEvent('change', { id: 7, is_deleted: true })).type).toBe('deal.delete');
    expect(eventOf(v2DealEvent('change', { id: 7, status: 'deleted' })).type).toBe('deal.delete');
  });

  it('dates a won deal by won_time and a lost one by lost_time', () => {
    const won = upsertOf(
      v2DealEvent(
        'change',
        { id: 7, status: 'won', won_time: '2026-01-14T17:18:22Z', close_time: '2026-01-14T17:18:22Z' },
        { previous: { status: 'open', won_time: null, close_time: null } },
      ),
    );
    expect(won.fields).toMatchObject({ status: 'won', closedAt: new Date('2026-01-14T17:18:22Z') });

    const lost = upsertOf(v2DealEvent('change', { id: 7, status: 'lost', lost_time: '2026-01-14T17:18:17Z' }));
    expect(lost.fields).toMatchObject({ status: 'lost', closedAt: new Date('2026-01-14T17:18:17Z') });
  });

  it('falls back to close_time when won_time is missing, and clears closedAt on reopening', () => {
    const won = upsertOf(v2DealEvent('change', { id: 7, status: 'won', close_time: '2026-01-14T17:18:22Z' }));
    expect(won.fields.closedAt).toEqual(new Date('2026-01-14T17:18:22Z'));
    const reopened = upsertOf(v2DealEvent('change', { id: 7, status: 'open', close_time: null }));
    expect(reopened.fields.closedAt).toBeNull();
  });

  it('keeps null (cleared) apart from absent (not said)', () => {
    const record = v2DealEvent('create', { id: 7, org_id: null, currency: null });
    const data = record.data as Json;
    delete data.title;
    const event = upsertOf(record);
    expect(event.fields.customerId).toBeNull();
    expect(event.fields.currency).toBeNull();
    expect(event.fields.name).toBeUndefined();
  });

  it('takes the user-picked channel as the lead source before the origin', () => {
    expect(upsertOf(v2DealEvent('create', { id: 7, channel: 52 })).fields.leadSource).toBe('52');
    expect(upsertOf(v2DealEvent('create', { id: 7, channel: null })).fields.leadSource).toBe('ManuallyCreated');
  });

  it('reads ids and timestamps whether they arrive as strings or numbers', () => {
    const asStrings = v2DealEvent('create', { id: 7, stage_id: '428', owner_id: '99', org_id: '5' });
    expect(upsertOf(asStrings).fields).toMatchObject({ stage: '428', ownerId: '99', customerId: '5' });

    // Some deliveries (and the guide's meta table) use numbers and a 10-character unix timestamp.
    const numeric = v2DealEvent(
      'create',
      { id: 7 },
      { meta: { id: 42, entity_id: 7, company_id: 123, timestamp: 1727447128 } },
    );
    const event = eventOf(numeric);
    expect(event).toMatchObject({ eventId: '42', dealId: '7', occurredAt: new Date(1727447128 * 1000) });
    expect(batchOf(numeric).accountId).toBe('123');
  });
});

describe('webhooks v1: deals', () => {
  it('turns updated.deal into deal.upsert, with user_id as the owner and zone-less times as UTC', () => {
    const event = upsertOf(v1DealEvent('updated', { id: 9, value: 0.1, stage_id: 3 }));
    expect(event).toMatchObject({
      dealId: '9',
      // timestamp_micro, for the order of updates within one second.
      occurredAt: new Date(1739827361322),
      fields: {
        name: 'Acme renewal',
        amountCents: 10,
        stage: '3',
        status: 'open',
        ownerId: String(OWNER_ID),
        createdAt: new Date('2025-02-17T18:06:03Z'),
        customerId: '5063',
      },
    });
    expect(batchOf(v1DealEvent('updated', { id: 9 })).accountId).toBe(String(COMPANY_ID));
  });

  it('turns added.deal and merged.deal into upserts and deleted.deal into a delete', () => {
    expect(eventOf(v1DealEvent('added', { id: 9 })).type).toBe('deal.upsert');
    expect(eventOf(v1DealEvent('merged', { id: 9 })).type).toBe('deal.upsert');
    expect(eventOf(v1DealEvent('deleted', { id: 9 }))).toMatchObject({ type: 'deal.delete', dealId: '9' });
  });

  it('dates a won deal by won_time; an empty lost_time is no time', () => {
    const event = upsertOf(
      v1DealEvent('updated', { id: 9, status: 'won', won_time: '2025-02-18 10:00:00', lost_time: '' }),
    );
    expect(event.fields).toMatchObject({ status: 'won', closedAt: new Date('2025-02-18T10:00:00Z') });
  });

  it('gives the same eventId to retries of one delivery, and different ones to different deliveries', () => {
    const id = (payload: unknown) => eventOf(payload).eventId;
    const first = id(v1DealEvent('updated', { id: 9 }, { retry: 0 }));
    expect(id(v1DealEvent('updated', { id: 9 }, { retry: 3 }))).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    // meta.id is the deal's id, so it must not be the event's: two updates of deal 9 differ.
    expect(id(v1DealEvent('updated', { id: 9 }, { meta: { timestamp_micro: 1739827361322663 } }))).not.toBe(first);
    expect(id(v1DealEvent('updated', { id: 10 }))).not.toBe(first);
    expect(id(v1DealEvent('deleted', { id: 9 }))).not.toBe(first);
  });

  it('uses the seconds timestamp when there is no timestamp_micro, and the record id when meta.id is empty', () => {
    const payload = v1DealEvent('updated', { id: 9 }, { meta: { timestamp_micro: undefined, id: '' } });
    expect(eventOf(payload)).toMatchObject({ dealId: '9', occurredAt: new Date(1739827361 * 1000) });
    expect(eventOf(payload).eventId).toBe(eventOf(structuredClone(payload)).eventId);
  });
});

describe('deal values in cents', () => {
  it.each([
    [1234.56, 123456],
    [0.1, 10],
    [1.15, 115],
    [19.99, 1999],
    [0, 0],
    [12500, 1250000],
    ['1234.56', 123456],
    ['0.10', 10],
    [0.125, 13],
    [0.124, 12],
    [1e-7, 0],
    [1e13, 1e15],
    ['90071992547409.91', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %i cents', (value, cents) => {
    expect(toCents(value)).toBe(cents);
  });

  it.each([
    ['90071992547409.92'],
    [-5],
    [1e21],
    [Number.POSITIVE_INFINITY],
    ['12,50'],
    ['abc'],
    [''],
    ['1'.repeat(41)],
  ])('refuses %j', (value) => {
    expect(toCents(value)).toBeNull();
  });

  it('is exact for every amount of cents a double can print back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 15 - 1 }), (cents) => {
        expect(toCents(cents / 100)).toBe(cents);
      }),
    );
  });

  it('reads the value exactly as it is written in the JSON body', () => {
    const body = JSON.stringify(v2DealEvent('create', { id: 7, value: 0 })).replace('"value":0', '"value":1234.56');
    const result = parsePipedriveWebhook(Buffer.from(body));
    expect(result.ok && result.batch.events[0]).toMatchObject({ fields: { amountCents: 123456 } });
  });

  it('rejects the event of a deal whose value is not an amount', () => {
    expect(rejectionOf(v2DealEvent('create', { id: 7, value: -5 }))).toMatch(
      /deal 7 is invalid: value: -5 is not an amount/,
    );
    expect(rejectionOf(v2DealEvent('create', { id: 7, value: 'abc' }))).toMatch(/value/);
  });
});

describe('activities', () => {
  const v2Activity = (action: 'create' | 'change' | 'delete', record: Json & { id: number }, previous: Json | null) =>
    v2Event({
      action,
      entity: 'activity',
      entityId: record.id,
      data: v2ActivityRecord(record),
      previous,
      meta: { id: EVENT_ID },
    });

  it('turns a created activity into the whole record: type, done, time, owner, deal and lead', () => {
    expect(eventOf(v2Activity('create', { id: 5, done: true }, null))).toEqual({
      type: 'activity.upsert',
      eventId: EVENT_ID,
      occurredAt: new Date('2026-01-14T18:16:56.057Z'),
      activityId: '5',
      fields: {
        type: 'call',
        outcome: null,
        done: true,
        // Not marked done with a time: its due time (UTC) stands for when it happened.
        doneAt: new Date('2026-01-14T10:00:00Z'),
        ownerId: String(OWNER_ID),
        dealId: '213973',
        leadId: null,
        subject: 'Intro call',
      },
    });
  });

  it('links an activity to the lead it answers (v2: lead_id), for lead response time', () => {
    const leadId = 'adf21080-0e10-11eb-879b-05d71fb426ec';
    expect(eventOf(v2Activity('create', { id: 5, done: true, lead_id: leadId }, null))).toMatchObject({
      fields: { leadId },
    });
  });

  it('takes the time it was marked done over its due time', () => {
    const event = eventOf(
      v2Activity('change', { id: 5, done: true, marked_as_done_time: '2026-01-14T10:42:00Z' }, { done: false }),
    );
    expect(event).toMatchObject({ fields: { done: true, doneAt: new Date('2026-01-14T10:42:00Z') } });
  });

  it.each(['call', 'email', 'meeting', 'task', 'lunch', 'demo_call'])(
    'keeps the type key %s for the mapping',
    (type) => {
      expect(eventOf(v2Activity('change', { id: 5, type, done: true }, { done: false }))).toMatchObject({
        type: 'activity.upsert',
        fields: { type },
      });
    },
  );

  it('keeps activities not done yet (they count once done), and reads a delete as one', () => {
    expect(eventOf(v2Activity('create', { id: 5, done: false }, null))).toMatchObject({ fields: { done: false } });
    const deleted = v2Event({
      action: 'delete',
      entity: 'activity',
      entityId: 5,
      data: null,
      previous: v2ActivityRecord({ id: 5 }),
      meta: { id: EVENT_ID },
    });
    expect(batchOf(deleted)).toEqual({
      events: [
        {
          type: 'activity.delete',
          eventId: EVENT_ID,
          occurredAt: new Date('2026-01-14T18:16:56.057Z'),
          activityId: '5',
        },
      ],
      rejected: [],
      accountId: String(COMPANY_ID),
    });
    expect(eventOf(v2Activity('change', { id: 5, is_deleted: true }, { is_deleted: false }))).toMatchObject({
      type: 'activity.delete',
      activityId: '5',
    });
  });

  it('reads v1 activities, whose owner is user_id, whose lead is the person and whose times have no zone', () => {
    const payload = v1Event({
      action: 'updated',
      object: 'activity',
      id: 5,
      current: v1ActivityRecord({ id: 5, type: 'meeting', done: true, user_id: 77, person_id: 12 }),
      previous: v1ActivityRecord({ id: 5, type: 'meeting', done: false, user_id: 77 }),
    });
    expect(eventOf(payload)).toMatchObject({
      type: 'activity.upsert',
      activityId: '5',
      fields: {
        type: 'meeting',
        done: true,
        ownerId: '77',
        dealId: '9',
        leadId: '12',
        doneAt: new Date('2025-02-17T10:00:00Z'),
      },
    });
  });

  it('keeps an activity without an owner (it waits for one), and rejects one whose record is unreadable', () => {
    expect(eventOf(v2Activity('create', { id: 5, done: true, owner_id: null }, null))).toMatchObject({
      fields: { ownerId: null },
    });
    expect(rejectionOf(v2Activity('create', { id: 5, done: 'yes' }, null))).toMatch(/activity 5 is invalid: done/);
  });
});

describe('leads', () => {
  const LEAD_ID = 'adf21080-0e10-11eb-879b-05d71fb426ec';

  it('turns a v2 lead creation into lead.create', () => {
    const payload = v2Event({
      action: 'create',
      entity: 'lead',
      entityId: LEAD_ID,
      data: v2LeadRecord({ id: LEAD_ID, channel: 3 }),
      previous: null,
      meta: { id: EVENT_ID },
    });
    expect(eventOf(payload)).toEqual({
      type: 'lead.create',
      eventId: EVENT_ID,
      occurredAt: new Date('2026-01-14T18:16:56.057Z'),
      leadId: LEAD_ID,
      ownerId: String(OWNER_ID),
      leadSource: '3',
    });
  });

  it('turns a v1 added.person into lead.create (v1 has no lead webhooks)', () => {
    const payload = v1Event({
      action: 'added',
      object: 'person',
      id: 10,
      current: v1PersonRecord({ id: 10 }),
      previous: null,
    });
    expect(eventOf(payload)).toMatchObject({
      type: 'lead.create',
      leadId: '10',
      ownerId: String(OWNER_ID),
      leadSource: null,
    });
  });

  it('ignores lead changes and v2 persons, which a lead with a new contact would count twice', () => {
    const change = v2Event({
      action: 'change',
      entity: 'lead',
      entityId: LEAD_ID,
      data: v2LeadRecord({ id: LEAD_ID }),
      previous: { title: 'x' },
    });
    expect(batchOf(change).events).toEqual([]);
    const person = v2Event({
      action: 'create',
      entity: 'person',
      entityId: 10,
      data: { id: 10, owner_id: 1 },
      previous: null,
    });
    expect(batchOf(person).events).toEqual([]);
  });
});

describe('other deliveries', () => {
  it.each(['note', 'organization', 'product', 'user', 'pipeline', 'stage', 'deal_product'])(
    'accepts and ignores v2 %s events',
    (entity) => {
      const payload = v2Event({ action: 'create', entity, entityId: 1, data: { id: 1 }, previous: null });
      expect(batchOf(payload)).toEqual({ events: [], rejected: [], accountId: String(COMPANY_ID) });
    },
  );

  it('accepts and ignores v1 events of other objects and actions it does not know', () => {
    const note = v1Event({ action: 'added', object: 'note', id: 1, current: { id: 1 }, previous: null });
    expect(batchOf(note).events).toEqual([]);
    const unknown = v2DealEvent('create', { id: 7 }, { meta: { action: 'archive' } });
    expect(batchOf(unknown).events).toEqual([]);
  });

  it('rejects a recognised delivery whose record is unusable, keeping the account', () => {
    const noData = v2Event({ action: 'change', entity: 'deal', entityId: 7, data: null, previous: null });
    expect(rejectionOf(noData)).toMatch(/^deal 7 is invalid/);
    expect(batchOf(noData).accountId).toBe(String(COMPANY_ID));
    const noId = v2Event({ action: 'delete', entity: 'deal', entityId: '', data: null, previous: null });
    expect(rejectionOf(noId)).toBe('deal id is missing');
    expect(rejectionOf(v2DealEvent('create', { id: 7, add_time: 'yesterday' }))).toMatch(
      /add_time: "yesterday" is not a date-time/,
    );
  });

  it.each<[string, string | Buffer]>([
    ['not JSON', '{"meta":'],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b])],
    ['an array', '[]'],
    ['a number', '42'],
    ['an empty object', '{}'],
    ['another version', '{"meta":{"version":"3.0"},"data":{}}'],
  ])('refuses %s', (_, body) => {
    const result = parsePipedriveWebhook(Buffer.isBuffer(body) ? body : Buffer.from(body));
    expect(result.ok).toBe(false);
  });

  it('refuses envelopes whose meta block cannot be read', () => {
    const noEventId = v2DealEvent('create', { id: 7 }, { meta: { id: undefined } });
    expect(parse(noEventId)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^Pipedrive v2 webhook is invalid: meta\.id/),
    });
    expect(parse(v2DealEvent('create', { id: 7 }, { meta: { timestamp: 'soon' } })).ok).toBe(false);
    expect(parse(v1DealEvent('updated', { id: 9 }, { meta: { company_id: null } }))).toEqual({
      ok: false,
      reason: expect.stringMatching(/^Pipedrive v1 webhook is invalid: meta\.company_id/),
    });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        parsePipedriveWebhook(Buffer.from(bytes));
      }),
    );
  });

  it('never throws, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parse(value);
      }),
    );
  });

  it('never throws on envelopes with arbitrary records', () => {
    const action = fc.constantFrom('create', 'change', 'delete', 'added', 'updated', 'deleted', 'merged', 'x');
    const entity = fc.constantFrom('deal', 'activity', 'lead', 'person', 'note');
    const record = fc.dictionary(
      fc.constantFrom(
        'id',
        'value',
        'status',
        'done',
        'type',
        'owner_id',
        'user_id',
        'won_time',
        'channel',
        'add_time',
      ),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(action, entity, fc.option(record), fc.option(record), fc.boolean(), (act, ent, now, before, v1) => {
        const payload = v1
          ? {
              v: 1,
              meta: { action: act, object: ent, id: 1, company_id: 2, timestamp: 3 },
              current: now,
              previous: before,
            }
          : {
              meta: {
                version: '2.0',
                action: act,
                entity: ent,
                entity_id: '1',
                id: 'e',
                company_id: '2',
                timestamp: 3,
              },
              data: now,
              previous: before,
            };
        const result = parse(payload);
        expect(result.ok).toBe(true);
      }),
    );
  });
});
