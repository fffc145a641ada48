import type { ActivityFields } from '../crm-event.js';
import { parseDate, readBoolean, readDateTime, readId, readWith, type SalesforceRecord } from './fields.js';

/**
 * Salesforce Tasks and Events → activity fields, from an outbound message or a REST/SOQL record
 * alike (a backfill reads them the same way). Fields per
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
 * and …/sforce_api_objects_event.htm.
 *
 * - A Task's `TaskSubtype` says what it is: `Call` (its `CallDisposition`, free text, is the outcome),
 *   `Email`, `ListEmail` (a mass email: outcome `list`); anything else (`Task`, `Cadence`, `LinkedIn`,
 *   none) is a task whose `Type` picklist is the outcome. A Task counts once closed (`IsClosed`, or
 *   `Status` = Completed when IsClosed is not sent), at `CompletedDateTime` (else its due date).
 * - An Event is a meeting, at `StartDateTime` (`ActivityDateTime` for older orgs).
 * - `WhatId` naming an Opportunity (prefix 006) is its deal; `WhoId`, a Lead (00Q) or Contact (003),
 *   the lead it was done for.
 */

/** What Tasks and Events share: who, for what, and when it last changed (which orders the messages). */
const COMMON_FIELDS = ['Id', 'OwnerId', 'WhoId', 'WhatId', 'Subject', 'IsDeleted', 'LastModifiedDate'] as const;
/** The Task fields to put in the outbound message (and in a SOQL query). */
export const TASK_FIELDS = [
  ...COMMON_FIELDS,
  'TaskSubtype',
  'CallDisposition',
  'Type',
  'Status',
  'IsClosed',
  'CompletedDateTime',
  'ActivityDate',
] as const;
export const EVENT_FIELDS = [...COMMON_FIELDS, 'StartDateTime', 'ActivityDateTime'] as const;

const OPPORTUNITY_PREFIX = '006';
const LEAD_PREFIXES = ['00Q', '003'];

function linked(id: string | null | undefined, prefixes: readonly string[]): string | null | undefined {
  if (id === undefined || id === null) return id;
  return prefixes.some((p) => id.startsWith(p)) ? id : null;
}

function links(record: SalesforceRecord): Pick<ActivityFields, 'dealId' | 'leadId' | 'ownerId' | 'subject'> {
  return {
    ownerId: readId(record, 'OwnerId'),
    dealId: linked(readId(record, 'WhatId'), [OPPORTUNITY_PREFIX]),
    leadId: linked(readId(record, 'WhoId'), LEAD_PREFIXES),
    subject: record.get('Subject'),
  };
}

function taskKind(record: SalesforceRecord): Pick<ActivityFields, 'type' | 'outcome'> {
  const subtype = record.get('TaskSubtype');
  if (subtype === 'Call') return { type: 'call', outcome: record.get('CallDisposition') ?? null };
  if (subtype === 'Email') return { type: 'email', outcome: null };
  if (subtype === 'ListEmail') return { type: 'email', outcome: 'list' };
  return { type: 'task', outcome: record.get('Type') ?? null };
}

function taskDone(record: SalesforceRecord): boolean | null | undefined {
  const closed = readBoolean(record, 'IsClosed');
  if (closed !== undefined && closed !== null) return closed;
  const status = record.get('Status');
  return status === undefined || status === null ? status : status === 'Completed';
}

/** Throws InvalidRecordError for a field that is present but unreadable. */
export function taskFields(record: SalesforceRecord): ActivityFields {
  const due = readWith(record, 'ActivityDate', 'a date (YYYY-MM-DD)', parseDate);
  return {
    ...taskKind(record),
    done: taskDone(record),
    doneAt: readDateTime(record, 'CompletedDateTime') ?? due ?? null,
    ...links(record),
  };
}

export function eventFields(record: SalesforceRecord): ActivityFields {
  return {
    type: 'meeting',
    outcome: null,
    done: true,
    doneAt: readDateTime(record, 'StartDateTime') ?? readDateTime(record, 'ActivityDateTime') ?? null,
    ...links(record),
  };
}

/** A record Salesforce says is deleted (sent from the recycle bin's point of view). */
export function isDeletedActivity(record: SalesforceRecord): boolean {
  return readBoolean(record, 'IsDeleted') === true;
}
