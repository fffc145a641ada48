import type { CrmEvent, ParseResult, RejectedEvent } from '../crm-event.js';
import { eventFields, isDeletedActivity, taskFields } from './activity-fields.js';
import { InvalidRecordError, opportunityFields, readDateTime, readId, type SalesforceRecord } from './fields.js';
import { isSalesforceId } from './ids.js';
import {
  attribute,
  child,
  childElements,
  children,
  elementText,
  isNode,
  localName,
  parseXml,
  UNREADABLE,
  type XmlNode,
} from './xml.js';

/**
 * Salesforce outbound messages: a SOAP 1.1 `notifications` call carrying the organization's id and
 * 1 to 100 `Notification`s, each an id (the same on every retry of that notification, so it is
 * the event id) and an `sObject` with the fields the admin chose. Opportunities become
 * `deal.upsert`, Leads `lead.create`, Tasks and Events `activity.upsert` (see activity-fields.ts);
 * any other object is refused.
 *
 * A field the message leaves out is unknown (undefined); `xsi:nil="true"` is an empty field (null).
 */

export const MAX_NOTIFICATIONS = 100;

type Failure = { ok: false; reason: string };

export interface OutboundEnvelope {
  organizationId: string;
  /** Between 1 and MAX_NOTIFICATIONS, each still unchecked. */
  notifications: unknown[];
}

function fail(reason: string): Failure {
  return { ok: false, reason };
}

/**
 * The organization and the notifications, or why the whole message is refused. `verify` uses it
 * too, to check the organization before anything is stored.
 */
export function readEnvelope(rawBody: Buffer): { ok: true; envelope: OutboundEnvelope } | Failure {
  const parsed = parseXml(rawBody.toString('utf8'));
  if (!parsed.ok) return parsed;
  const call = child(child(child(parsed.document, 'Envelope'), 'Body'), 'notifications');
  if (!isNode(call)) return fail('not a Salesforce outbound message: no Envelope/Body/notifications');
  const organizationId = elementText(child(call, 'OrganizationId'));
  if (!isSalesforceId(organizationId)) return fail('OrganizationId is missing or not a Salesforce id');
  const notifications = children(call, 'Notification');
  if (notifications.length === 0) return fail('the message has no Notification');
  if (notifications.length > MAX_NOTIFICATIONS) {
    return fail(`${notifications.length} notifications; Salesforce sends at most ${MAX_NOTIFICATIONS}`);
  }
  return { ok: true, envelope: { organizationId, notifications } };
}

/** The sObject's fields by local name. Salesforce sends each field once, as a plain value. */
function sObjectRecord(sObject: XmlNode): SalesforceRecord {
  const record = new Map<string, string | null>();
  for (const [name, value] of childElements(sObject)) {
    const text = elementText(value);
    if (text === UNREADABLE) throw new InvalidRecordError(`${name} is not a single value`);
    record.set(name, text);
  }
  return record;
}

function recordId(record: SalesforceRecord): string {
  const id = readId(record, 'Id');
  if (!id) throw new InvalidRecordError('the sObject has no Id');
  return id;
}

/**
 * The event happened when the record was last modified. Without `LastModifiedDate` (the admin did
 * not include it) the parse time stands in: later than the change, so include it to order events right.
 */
function opportunityEvent(eventId: string, record: SalesforceRecord, now: Date): CrmEvent {
  return {
    type: 'deal.upsert',
    eventId,
    occurredAt: readDateTime(record, 'LastModifiedDate') ?? now,
    dealId: recordId(record),
    fields: opportunityFields(record),
  };
}

function leadEvent(eventId: string, record: SalesforceRecord, now: Date): CrmEvent {
  return {
    type: 'lead.create',
    eventId,
    occurredAt: readDateTime(record, 'CreatedDate') ?? now,
    leadId: recordId(record),
    ownerId: readId(record, 'OwnerId'),
    leadSource: record.get('LeadSource'),
  };
}

/** A Task or Event, whole as the message carries it; one marked deleted reverses what it counted. */
function activityEvent(eventId: string, type: 'Task' | 'Event', record: SalesforceRecord, now: Date): CrmEvent {
  const base = { eventId, occurredAt: readDateTime(record, 'LastModifiedDate') ?? now, activityId: recordId(record) };
  if (isDeletedActivity(record)) return { ...base, type: 'activity.delete' };
  return { ...base, type: 'activity.upsert', fields: type === 'Task' ? taskFields(record) : eventFields(record) };
}

/** Throws InvalidRecordError when this one notification cannot be used. */
function notificationEvent(notification: unknown, now: Date): CrmEvent {
  const eventId = elementText(child(notification, 'Id'));
  if (!isSalesforceId(eventId)) throw new InvalidRecordError('the Notification Id is missing or not a Salesforce id');
  const sObject = child(notification, 'sObject');
  if (!isNode(sObject)) throw new InvalidRecordError('the Notification has no sObject');
  const type = localName(attribute(sObject, 'type') ?? '');
  const record = sObjectRecord(sObject);
  if (type === 'Opportunity') return opportunityEvent(eventId, record, now);
  if (type === 'Lead') return leadEvent(eventId, record, now);
  if (type === 'Task' || type === 'Event') return activityEvent(eventId, type, record, now);
  throw new InvalidRecordError(`sObject type "${type}" is not supported: only Opportunity, Lead, Task and Event are`);
}

/**
 * Parses an outbound message. The whole message is refused when it is not one (not XML, no
 * OrganizationId, 0 or over 100 notifications); a single unusable notification lands in `rejected`.
 * `now` stands in for a missing LastModifiedDate / CreatedDate.
 */
export function parseOutboundMessage(rawBody: Buffer, now: Date = new Date()): ParseResult {
  const read = readEnvelope(rawBody);
  if (!read.ok) return read;
  const events: CrmEvent[] = [];
  const rejected: RejectedEvent[] = [];
  read.envelope.notifications.forEach((notification, index) => {
    try {
      events.push(notificationEvent(notification, now));
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      rejected.push({ index, reason: error.message });
    }
  });
  return { ok: true, batch: { events, rejected, accountId: read.envelope.organizationId } };
}
