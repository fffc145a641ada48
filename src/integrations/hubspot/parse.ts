/**
 * HubSpot webhook batches → normalised events.
 *
 * HubSpot POSTs a JSON array of events ("under 100 notifications" per its docs), each with `eventId`,
 * `subscriptionId`, `portalId`, `occurredAt` (ms), `subscriptionType`, `attemptNumber`, `objectId` and,
 * for property changes, `propertyName` and `propertyValue` (always a string). Order is not guaranteed
 * and a notification may come more than once. See https://developers.hubspot.com/docs/api/webhooks.
 *
 * Decisions:
 * - Subscription types this app does not read (company.*, ticket.*, conversation.*, merges…) are skipped
 *   silently: neither events nor rejections. Rejecting them would report an error for every batch of an
 *   app that subscribes to more than we read, and HubSpot could do nothing about it.
 * - HubSpot documents `eventId` as "not guaranteed to be unique", so the event id is
 *   `${subscriptionId}:${eventId}:${objectId}`: one notification of one event, to one subscription, about
 *   one object. A retry repeats all three, so the inbox still recognises it.
 * - Duplicates within a batch are kept: deduplication is the inbox's job.
 */
import { z } from 'zod';
import type { CrmEvent, ParseResult, RejectedEvent } from '../crm-event.js';
import { activityFieldsFromProperties, ENGAGEMENTS, engagementActivityId } from './activity-properties.js';
import { dealFieldsFromProperties } from './deal-properties.js';

const MAX_EVENTS_PER_BATCH = 100;

const NOT_AN_ID = 'expected a numeric HubSpot id';
/** HubSpot ids are numbers in JSON; a few payload variants send digit strings. Unsafe integers are refused. */
const hubspotId = z
  .union([z.int().nonnegative(), z.string().regex(/^\d+$/, NOT_AN_ID)], { error: NOT_AN_ID })
  .transform(String);

/** Older versions of HubSpot's docs call the type `eventType`; deliveries and today's docs say `subscriptionType`. */
function withSubscriptionType(event: unknown): unknown {
  if (typeof event !== 'object' || event === null || 'subscriptionType' in event || !('eventType' in event)) {
    return event;
  }
  return { ...event, subscriptionType: event.eventType };
}

/** What every event carries, whatever its type: enough to identify it and to know whether we read it. */
const Envelope = z.preprocess(
  withSubscriptionType,
  z.object({
    eventId: hubspotId,
    subscriptionId: hubspotId.optional(),
    portalId: hubspotId,
    /** Milliseconds since the epoch; the bound keeps it a valid Date. */
    occurredAt: z.int().min(0).max(8.64e15),
    subscriptionType: z.string(),
  }),
);
type Envelope = z.infer<typeof Envelope>;

const ObjectEvent = z.object({ objectId: hubspotId });
const PropertyChange = z.object({
  objectId: hubspotId,
  propertyName: z.string().min(1),
  /** A missing or null value can only mean the property was cleared, like HubSpot's usual `""`. */
  propertyValue: z.string().nullish(),
});

/** An event, a reason to reject it, or null: an object this app does not read (skipped silently). */
type Mapped = CrmEvent | { reason: string } | null;
type EventBase = { eventId: string; occurredAt: Date };

/** Turns one event whose envelope is valid into a normalised event, or a reason to reject it. */
type EventMapper = (event: unknown, envelope: Envelope) => Mapped;

function eventBase({ subscriptionId, eventId, occurredAt }: Envelope, objectId: string): EventBase {
  const notification = subscriptionId === undefined ? [eventId, objectId] : [subscriptionId, eventId, objectId];
  return { eventId: notification.join(':'), occurredAt: new Date(occurredAt) };
}

/** The first problem zod found, as `path: message`, short enough for a rejection reason. */
function firstIssue(error: z.ZodError): string {
  const [issue] = error.issues;
  if (issue === undefined) return 'invalid event';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** Validates the type-specific fields with `schema`, then builds the event from them. */
function mapper<S extends z.ZodType<{ objectId: string }>>(
  schema: S,
  build: (data: z.output<S>, base: EventBase) => Mapped,
): EventMapper {
  return (event, envelope) => {
    const parsed = schema.safeParse(event);
    if (!parsed.success) return { reason: firstIssue(parsed.error) };
    return build(parsed.data, eventBase(envelope, parsed.data.objectId));
  };
}

/** One property per event; a property we do not read still yields an upsert, which says the deal exists. */
function dealPropertyChange(change: z.output<typeof PropertyChange>, base: EventBase): Mapped {
  const { objectId, propertyName, propertyValue } = change;
  const { fields, problems } = dealFieldsFromProperties({ [propertyName]: propertyValue ?? null });
  if (problems.length > 0) return { reason: problems.join('; ') };
  return { type: 'deal.upsert', ...base, dealId: objectId, fields };
}

/**
 * The current platform's generic `object.*` events name their object type in `objectTypeId`; only
 * the engagements (calls, meetings, emails, tasks) are read from them. Creation says only that the
 * engagement exists; its properties and links are read from the API.
 */
const ObjectTypeEvent = z.object({ objectId: hubspotId, objectTypeId: z.string() });
const ObjectTypePropertyChange = PropertyChange.extend({ objectTypeId: z.string() });

function engagementMapper<S extends z.ZodType<{ objectId: string; objectTypeId: string }>>(
  schema: S,
  build: (
    data: z.output<S>,
    type: { activityId: string; type: 'call' | 'meeting' | 'email' | 'task' },
    base: EventBase,
  ) => Mapped,
): EventMapper {
  return mapper(schema, (data, base) => {
    const engagement = ENGAGEMENTS.get(data.objectTypeId);
    if (!engagement) return null;
    return build(
      data,
      { activityId: engagementActivityId(engagement.type, data.objectId), type: engagement.type },
      base,
    );
  });
}

const CONTACT_TYPE_ID = '0-1';
const contactCreation: EventMapper = mapper(ObjectTypeEvent, ({ objectId, objectTypeId }, base) =>
  objectTypeId === CONTACT_TYPE_ID ? { type: 'lead.create', ...base, leadId: objectId } : null,
);

const ENGAGEMENT_MAPPERS: [string, EventMapper][] = [
  [
    'object.creation',
    (event, envelope) =>
      // A contact created is a lead, as with the legacy `contact.creation`.
      contactCreation(event, envelope) ??
      engagementMapper(ObjectTypeEvent, (_data, { activityId, type }, base) => ({
        type: 'activity.upsert',
        ...base,
        activityId,
        fields: { type },
      }))(event, envelope),
  ],
  [
    'object.propertyChange',
    engagementMapper(ObjectTypePropertyChange, (data, { activityId, type }, base) => ({
      type: 'activity.upsert',
      ...base,
      activityId,
      fields: activityFieldsFromProperties(type, { [data.propertyName]: data.propertyValue ?? null }),
    })),
  ],
  [
    'object.deletion',
    engagementMapper(ObjectTypeEvent, (_data, { activityId }, base) => ({
      type: 'activity.delete',
      ...base,
      activityId,
    })),
  ],
];

/** A Map, not an object literal: a `subscriptionType` of `constructor` must not find a mapper. */
const MAPPERS: ReadonlyMap<string, EventMapper> = new Map([
  [
    'deal.creation',
    mapper(ObjectEvent, ({ objectId }, base) => ({
      type: 'deal.upsert',
      ...base,
      dealId: objectId,
      fields: { createdAt: base.occurredAt },
    })),
  ],
  ['deal.propertyChange', mapper(PropertyChange, dealPropertyChange)],
  ['deal.deletion', mapper(ObjectEvent, ({ objectId }, base) => ({ type: 'deal.delete', ...base, dealId: objectId }))],
  [
    'contact.creation',
    mapper(ObjectEvent, ({ objectId }, base) => ({ type: 'lead.create', ...base, leadId: objectId })),
  ],
  ...ENGAGEMENT_MAPPERS,
]);

function readJsonArray(rawBody: Buffer): unknown[] | string {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return 'body is not valid JSON';
  }
  if (!Array.isArray(body)) return 'body is not a JSON array of events';
  if (body.length > MAX_EVENTS_PER_BATCH) {
    return `batch has ${body.length} events; HubSpot sends at most ${MAX_EVENTS_PER_BATCH}`;
  }
  return body;
}

/**
 * Parses a raw webhook body. A bad event is rejected alone; the batch fails only when the body is not a
 * JSON array of at most 100 events. The batch belongs to the portal of its first event we read; events of
 * other portals are rejected. Events come back in `occurredAt` order (stable for equal times).
 */
export function parseHubSpotBatch(rawBody: Buffer): ParseResult {
  const items = readJsonArray(rawBody);
  if (typeof items === 'string') return { ok: false, reason: items };

  const events: CrmEvent[] = [];
  const rejected: RejectedEvent[] = [];
  let accountId: string | null = null;
  for (const [index, item] of items.entries()) {
    const envelope = Envelope.safeParse(item);
    if (!envelope.success) {
      rejected.push({ index, reason: firstIssue(envelope.error) });
      continue;
    }
    const { portalId, subscriptionType } = envelope.data;
    const mapEvent = MAPPERS.get(subscriptionType);
    if (mapEvent === undefined) continue;
    accountId ??= portalId;
    if (portalId !== accountId) {
      rejected.push({ index, reason: `event is from portal ${portalId}, the batch from ${accountId}` });
      continue;
    }
    const mapped = mapEvent(item, envelope.data);
    if (mapped === null) continue;
    if ('reason' in mapped) rejected.push({ index, reason: mapped.reason });
    else events.push(mapped);
  }

  events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return { ok: true, batch: { events, rejected, accountId } };
}
