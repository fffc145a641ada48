import { describe, expect, it } from 'vitest';
import {
  activityFieldsFromProperties,
  engagementActivityId,
  readEngagementActivityId,
} from '../../../src/integrations/hubspot/activity-properties.js';

/** Property names and values from HubSpot's calls, meetings, emails and tasks API guides. */
describe('HubSpot engagement properties', () => {
  it('reads a call: its default outcome GUID by name, its status as whether it was made', () => {
    expect(
      activityFieldsFromProperties('call', {
        hs_timestamp: '2026-11-18T09:30:00.000Z',
        hubspot_owner_id: '77',
        hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
        hs_call_status: 'COMPLETED',
        hs_call_title: 'Discovery',
      }),
    ).toEqual({
      type: 'call',
      ownerId: '77',
      doneAt: new Date('2026-11-18T09:30:00.000Z'),
      outcome: 'connected',
      done: true,
      subject: 'Discovery',
    });
    expect(activityFieldsFromProperties('call', { hs_call_status: 'RINGING' }).done).toBe(false);
    // A portal's own outcome keeps its GUID as the key.
    expect(activityFieldsFromProperties('call', { hs_call_disposition: 'abc-123' }).outcome).toBe('abc-123');
  });

  it('reads a webhook’s one property alone, with epoch milliseconds for times', () => {
    expect(activityFieldsFromProperties('call', { hs_timestamp: '1763458200000' })).toEqual({
      type: 'call',
      doneAt: new Date(1763458200000),
    });
    expect(activityFieldsFromProperties('task', { hs_task_status: 'COMPLETED' })).toEqual({ type: 'task', done: true });
  });

  it('reads meetings at their start, emails by direction, tasks at completion', () => {
    expect(
      activityFieldsFromProperties('meeting', {
        hs_timestamp: '2026-11-18T08:00:00.000Z',
        hs_meeting_start_time: '2026-11-18T11:00:00.000Z',
        hs_meeting_outcome: 'NO_SHOW',
      }),
    ).toMatchObject({ doneAt: new Date('2026-11-18T11:00:00.000Z'), outcome: 'no_show', done: true });
    expect(activityFieldsFromProperties('email', { hs_email_direction: 'INCOMING_EMAIL' }).outcome).toBe('received');
    expect(
      activityFieldsFromProperties('email', { hs_email_direction: 'EMAIL', hs_email_status: 'BOUNCED' }),
    ).toMatchObject({ outcome: 'sent', done: false });
    expect(
      activityFieldsFromProperties('task', {
        hs_timestamp: '2026-11-20T09:00:00.000Z',
        hs_task_type: 'TODO',
        hs_task_status: 'COMPLETED',
        hs_task_completion_date: '2026-11-18T14:00:00.000Z',
      }),
    ).toMatchObject({ outcome: 'todo', done: true, doneAt: new Date('2026-11-18T14:00:00.000Z') });
  });

  it('reads blank values as empty and unreadable times as none', () => {
    expect(activityFieldsFromProperties('call', { hubspot_owner_id: '', hs_timestamp: 'soon' })).toEqual({
      type: 'call',
      ownerId: null,
      doneAt: null,
    });
  });

  it('names an engagement by type and id, and reads the name back', () => {
    expect(engagementActivityId('meeting', '42')).toBe('meeting:42');
    expect(readEngagementActivityId('meeting:42')).toEqual({ type: 'meeting', objectId: '42' });
    expect(readEngagementActivityId('note:42')).toBeNull();
    expect(readEngagementActivityId('42')).toBeNull();
  });
});
