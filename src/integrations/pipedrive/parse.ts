import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CrmEvent, ParsedBatch, ParseResult } from '../crm-event.js';
import {
  describeIssues,
  isDeletedDeal,
  leadSourceOf,
  PipedriveActivity,
  PipedriveDeal,
  PipedriveId,
  PipedriveLead,
  type PipedriveVersion,
  parsePipedriveTime,
  toActivityFields,
  toDealFields,
} from './records.js';

/**
 * Pipedrive webhooks, v1 (`{ v: 1, event, meta, current, previous }`) and v2 (`{ meta, data,
 * previous }`), one event per request. What becomes what:
 *
 * - deal created or changed (v1 `added`, `updated`, `merged`) → `deal.upsert` with the whole record;
 *   deal deleted, or a record that says it is deleted → `deal.delete`;
 * - lead created (v2) or person added (v1, which has no lead webhooks) → `lead.create`. v2 person
 *   events are ignored: a lead created with a new contact also creates a person, and would count twice;
 * - activity created or changed → `activity.upsert` with the whole record; deleted → `activity.delete`
 *   (what each type counts as is the workspace's activity mapping, applied later);
 * - anything else (other entities, lead and person changes, actions Pipedrive may add) is accepted and
 *   ignored: Pipedrive only needs a 2xx, and a refusal would make it retry.
 *
 * Unreadable JSON or an envelope that is neither version is refused; a readable envelope whose record
 * does not validate is accepted with the event in `rejected`.
 */

type Action = 'create' | 'change' | 'delete';

/** One webhook delivery, whatever its version. */
interface Delivery {
  version: PipedriveVersion;
  /** Null for an action this parser does not know. */
  action: Action | null;
  entity: string;
  entityId: string | null;
  eventId: string;
  occurredAt: Date;
  accountId: string;
  /** The object now (v1 `current`, v2 `data`); null after a delete. */
  current: unknown;
  /** The object before (v1: whole, v2: only the fields that changed); null after a create. */
  previous: unknown;
}

// Maps, not object literals: an action named `constructor` must not find Object's.
const V1_ACTIONS = new Map<string, Action>([
  ['added', 'create'],
  ['updated', 'change'],
  ['merged', 'change'],
  ['deleted', 'delete'],
]);
const V2_ACTIONS = new Map<string, Action>([
  ['create', 'create'],
  ['change', 'change'],
  ['delete', 'delete'],
]);
/** v1 has no lead webhooks; a new person is the closest thing to a new lead there. */
const LEAD_ENTITY: Record<PipedriveVersion, string> = { v1: 'person', v2: 'lead' };

/** Meta timestamps: unix seconds in v1, RFC 3339 in v2 (whose guide still says "10 character timestamp"). */
const EventTime = z.union([z.number(), z.string()], { error: 'expected a timestamp' }).transform((value, ctx) => {
  const time = /^\d+$/.test(String(value)) ? new Date(Number(value) * 1000) : parsePipedriveTime(String(value));
  if (time && !Number.isNaN(time.getTime())) return time;
  ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a timestamp` });
  return z.NEVER;
});

/** The object's id in the meta block; test deliveries send `""`, so a bad one falls back to the record's. */
const MetaEntityId = PipedriveId.nullish().catch(null);

const V1Envelope = z.object({
  meta: z.object({
    action: z.string(),
    object: z.string(),
    id: MetaEntityId,
    company_id: PipedriveId,
    timestamp: EventTime,
    timestamp_micro: z.number().int().nonnegative().optional().catch(undefined),
  }),
  current: z.unknown(),
  previous: z.unknown(),
});

const V2Envelope = z.object({
  meta: z.object({
    version: z.literal('2.0'),
    action: z.string(),
    entity: z.string(),
    entity_id: MetaEntityId,
    id: PipedriveId,
    company_id: PipedriveId,
    timestamp: EventTime,
  }),
  data: z.unknown(),
  previous: z.unknown(),
});

/** A record that is there but cannot be used: the event goes to `rejected`, the request still succeeds. */
class Rejection extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function recordId(record: unknown): string | null {
  const id = PipedriveId.safeParse(isObject(record) ? record.id : undefined);
  return id.success ? id.data : null;
}

function envelopeVersion(body: unknown): PipedriveVersion | null {
  if (!isObject(body)) return null;
  const meta = isObject(body.meta) ? body.meta : {};
  if (body.v === 1 || meta.v === 1) return 'v1';
  if (meta.version === '2.0') return 'v2';
  return null;
}

/**
 * v1's `meta.id` is the object's id, not the event's, so it cannot tell two updates apart: the id is a
 * hash of what identifies the delivery. Pipedrive's retries resend the same meta, so they hash alike.
 */
function v1EventId(parts: readonly (string | number | null)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function readV1(body: unknown): Delivery | string {
  const envelope = V1Envelope.safeParse(body);
  if (!envelope.success) return `Pipedrive v1 webhook is invalid: ${describeIssues(envelope.error)}`;
  const { meta, current, previous } = envelope.data;
  const entityId = meta.id ?? recordId(current) ?? recordId(previous);
  const time = meta.timestamp_micro ?? meta.timestamp.getTime();
  return {
    version: 'v1',
    action: V1_ACTIONS.get(meta.action) ?? null,
    entity: meta.object,
    entityId,
    eventId: v1EventId([meta.company_id, meta.action, meta.object, entityId, time]),
    // Microseconds when given: several updates of one deal often share a second.
    occurredAt: meta.timestamp_micro === undefined ? meta.timestamp : new Date(meta.timestamp_micro / 1000),
    accountId: meta.company_id,
    current: current ?? null,
    previous: previous ?? null,
  };
}

function readV2(body: unknown): Delivery | string {
  const envelope = V2Envelope.safeParse(body);
  if (!envelope.success) return `Pipedrive v2 webhook is invalid: ${describeIssues(envelope.error)}`;
  const { meta, data, previous } = envelope.data;
  return {
    version: 'v2',
    action: V2_ACTIONS.get(meta.action) ?? null,
    entity: meta.entity,
    entityId: meta.entity_id ?? recordId(data) ?? recordId(previous),
    eventId: meta.id,
    occurredAt: meta.timestamp,
    accountId: meta.company_id,
    current: data ?? null,
    previous: previous ?? null,
  };
}

function readRecord<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new Rejection(`${what} is invalid: ${describeIssues(result.error)}`);
}

function requireEntityId(delivery: Delivery): string {
  if (delivery.entityId === null) throw new Rejection(`${delivery.entity} id is missing`);
  return delivery.entityId;
}

function dealEvent(delivery: Delivery): CrmEvent {
  const base = { eventId: delivery.eventId, occurredAt: delivery.occurredAt };
  const dealId = requireEntityId(delivery);
  if (delivery.action === 'delete') return { ...base, type: 'deal.delete', dealId };
  const deal = readRecord(PipedriveDeal, delivery.current, `deal ${dealId}`);
  if (isDeletedDeal(deal)) return { ...base, type: 'deal.delete', dealId };
  return { ...base, type: 'deal.upsert', dealId, fields: toDealFields(deal, delivery.version) };
}

/**
 * An activity's create and change carry the whole record: it becomes `activity.upsert`, and the
 * mapping decides what it counts as once done. A delete (or a record marked deleted) reverses it.
 */
function activityEvent(delivery: Delivery): CrmEvent {
  const base = { eventId: delivery.eventId, occurredAt: delivery.occurredAt };
  const activityId = requireEntityId(delivery);
  if (delivery.action === 'delete') return { ...base, type: 'activity.delete', activityId };
  const activity = readRecord(PipedriveActivity, delivery.current, `activity ${activityId}`);
  if (activity.is_deleted === true) return { ...base, type: 'activity.delete', activityId };
  return { ...base, type: 'activity.upsert', activityId, fields: toActivityFields(activity, delivery.version) };
}

function leadEvent(delivery: Delivery): CrmEvent | null {
  if (delivery.action !== 'create') return null;
  const leadId = requireEntityId(delivery);
  const lead = readRecord(PipedriveLead, delivery.current, `${delivery.entity} ${leadId}`);
  return {
    eventId: delivery.eventId,
    occurredAt: delivery.occurredAt,
    type: 'lead.create',
    leadId,
    ownerId: lead.owner_id ?? null,
    leadSource: leadSourceOf(lead) ?? null,
  };
}

function eventOf(delivery: Delivery): CrmEvent | null {
  if (delivery.action === null) return null;
  if (delivery.entity === 'deal') return dealEvent(delivery);
  if (delivery.entity === 'activity') return activityEvent(delivery);
  if (delivery.entity === LEAD_ENTITY[delivery.version]) return leadEvent(delivery);
  return null;
}

function parseJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function parsePipedriveWebhook(rawBody: Buffer): ParseResult {
  const body = parseJson(rawBody);
  if (body === undefined) return { ok: false, reason: 'The body is not JSON.' };
  const version = envelopeVersion(body);
  if (!version) return { ok: false, reason: 'The body is not a Pipedrive v1 or v2 webhook.' };
  const delivery = version === 'v1' ? readV1(body) : readV2(body);
  if (typeof delivery === 'string') return { ok: false, reason: delivery };

  const batch: ParsedBatch = { events: [], rejected: [], accountId: delivery.accountId };
  try {
    const event = eventOf(delivery);
    if (event) batch.events.push(event);
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    batch.rejected.push({ index: 0, reason: error.message });
  }
  return { ok: true, batch };
}
