import type { ActivityFields } from '../crm-event.js';

/**
 * HubSpot engagements (calls, meetings, emails, tasks) → activity fields, the same whether the
 * properties came one at a time in `object.propertyChange` webhooks or all at once from the API
 * (a backfill reads them the same way). Only the properties present are read: a webhook's one
 * property says nothing about the others.
 *
 * Property names and values: https://developers.hubspot.com/docs/api/crm/calls,
 * …/crm/meetings, …/crm/email, …/crm/tasks.
 */

export type EngagementType = 'call' | 'meeting' | 'email' | 'task';

/** The generic webhooks' `objectTypeId` of each engagement object, and its API path. */
export const ENGAGEMENTS: ReadonlyMap<string, { type: EngagementType; path: string }> = new Map([
  ['0-48', { type: 'call', path: 'calls' }],
  ['0-47', { type: 'meeting', path: 'meetings' }],
  ['0-49', { type: 'email', path: 'emails' }],
  ['0-27', { type: 'task', path: 'tasks' }],
]);

export const ENGAGEMENT_PATHS: Record<EngagementType, string> = {
  call: 'calls',
  meeting: 'meetings',
  email: 'emails',
  task: 'tasks',
};

/** What the API is asked for, per type: what `activityFieldsFromProperties` reads. */
export const ACTIVITY_PROPERTIES: Record<EngagementType, readonly string[]> = {
  call: ['hs_timestamp', 'hubspot_owner_id', 'hs_call_disposition', 'hs_call_status', 'hs_call_title'],
  meeting: ['hs_timestamp', 'hubspot_owner_id', 'hs_meeting_start_time', 'hs_meeting_outcome', 'hs_meeting_title'],
  email: ['hs_timestamp', 'hubspot_owner_id', 'hs_email_direction', 'hs_email_status', 'hs_email_subject'],
  task: [
    'hs_timestamp',
    'hubspot_owner_id',
    'hs_task_status',
    'hs_task_type',
    'hs_task_completion_date',
    'hs_task_subject',
  ],
};

/**
 * HubSpot's default call outcomes, stored in `hs_call_disposition` by GUID (calls API guide). A
 * portal's own outcomes have other GUIDs: they become keys as they are (`call:<guid>`).
 */
const CALL_DISPOSITIONS: ReadonlyMap<string, string> = new Map([
  ['9d9162e7-6cf3-4944-bf63-4dff82258764', 'busy'],
  ['f240bbac-87c9-4f6e-bf70-924b57d47db7', 'connected'],
  ['a4c4c377-d246-4b32-a13b-75a56a4cd0ff', 'left_live_message'],
  ['b2cf5968-551e-4856-9783-52b3da59a7d0', 'left_voicemail'],
  ['73a0d17f-1163-4015-bdd5-ec830791da20', 'no_answer'],
  ['17b47fee-58de-441e-a44c-c6300d46f273', 'wrong_number'],
]);

/** A call still ringing, or that never went out, is not a dial yet. */
const CALLS_NOT_MADE = new Set([
  'QUEUED',
  'RINGING',
  'CONNECTING',
  'IN_PROGRESS',
  'CALLING_CRM_USER',
  'FAILED',
  'CANCELED',
]);
/** An email that failed or is not sent yet was not sent. */
const EMAILS_NOT_SENT = new Set(['SCHEDULED', 'SENDING', 'FAILED', 'BOUNCED']);
const EMAIL_DIRECTIONS: ReadonlyMap<string, string> = new Map([
  ['EMAIL', 'sent'],
  ['INCOMING_EMAIL', 'received'],
  ['FORWARDED_EMAIL', 'forwarded'],
]);

/** Datetimes come as ISO 8601 from the API and as epoch milliseconds in webhooks. */
export function readHubSpotTime(value: string | null): Date | null {
  if (!value) return null;
  const time = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  return Number.isNaN(time.getTime()) ? null : time;
}

const blankToNull = (value: string | null) => (value === null || value.trim() === '' ? null : value);

/** Reads the properties present in `properties`; a property absent leaves its field undefined. */
export function activityFieldsFromProperties(
  type: EngagementType,
  properties: Readonly<Record<string, string | null>>,
): ActivityFields {
  const has = (name: string) => Object.hasOwn(properties, name);
  const get = (name: string) => blankToNull(properties[name] ?? null);
  const fields: ActivityFields = { type };
  if (has('hubspot_owner_id')) fields.ownerId = get('hubspot_owner_id');
  if (has('hs_timestamp')) fields.doneAt = readHubSpotTime(get('hs_timestamp'));
  switch (type) {
    case 'call': {
      if (has('hs_call_disposition')) {
        const disposition = get('hs_call_disposition');
        fields.outcome = disposition === null ? null : (CALL_DISPOSITIONS.get(disposition) ?? disposition);
      }
      if (has('hs_call_status')) fields.done = !CALLS_NOT_MADE.has(get('hs_call_status') ?? '');
      if (has('hs_call_title')) fields.subject = get('hs_call_title');
      break;
    }
    case 'meeting': {
      // The meeting's start is when it happens; hs_timestamp is only where the timeline shows it.
      const start = has('hs_meeting_start_time') ? readHubSpotTime(get('hs_meeting_start_time')) : undefined;
      if (start) fields.doneAt = start;
      if (has('hs_meeting_outcome')) fields.outcome = get('hs_meeting_outcome')?.toLowerCase() ?? null;
      fields.done = true;
      if (has('hs_meeting_title')) fields.subject = get('hs_meeting_title');
      break;
    }
    case 'email': {
      if (has('hs_email_direction')) {
        const direction = get('hs_email_direction');
        fields.outcome = direction === null ? null : (EMAIL_DIRECTIONS.get(direction) ?? direction.toLowerCase());
      }
      if (has('hs_email_status')) fields.done = !EMAILS_NOT_SENT.has(get('hs_email_status') ?? '');
      if (has('hs_email_subject')) fields.subject = get('hs_email_subject');
      break;
    }
    case 'task': {
      if (has('hs_task_status')) fields.done = get('hs_task_status') === 'COMPLETED';
      if (has('hs_task_type')) fields.outcome = get('hs_task_type')?.toLowerCase() ?? null;
      // A task counts when it was done, not when it was due.
      const completed = has('hs_task_completion_date') ? readHubSpotTime(get('hs_task_completion_date')) : undefined;
      if (completed) fields.doneAt = completed;
      if (has('hs_task_subject')) fields.subject = get('hs_task_subject');
      break;
    }
  }
  return fields;
}

/** Our id of an engagement: its type and HubSpot id (`call:901`), which also says where to read it. */
export function engagementActivityId(type: EngagementType, objectId: string): string {
  return `${type}:${objectId}`;
}

export function readEngagementActivityId(activityId: string): { type: EngagementType; objectId: string } | null {
  const [type, objectId] = activityId.split(':');
  if (!objectId || !(type === 'call' || type === 'meeting' || type === 'email' || type === 'task')) return null;
  return { type, objectId };
}
