import { describe, expect, it } from 'vitest';
import { eventFields, isDeletedActivity, taskFields } from '../../../src/integrations/salesforce/activity-fields.js';
import { InvalidRecordError } from '../../../src/integrations/salesforce/fields.js';

/** Task and Event fields per Salesforce's object reference (sforce_api_objects_task / _event). */
const record = (fields: Record<string, string | null>) => new Map(Object.entries(fields));
const OWNER = '0055w00000FzKqLAAV';

describe('Salesforce Tasks and Events', () => {
  it('reads a logged call: subtype Call, its disposition as the outcome, links by id prefix', () => {
    expect(
      taskFields(
        record({
          TaskSubtype: 'Call',
          CallDisposition: 'Connected',
          IsClosed: 'true',
          CompletedDateTime: '2026-11-18T09:15:00.000Z',
          OwnerId: OWNER,
          WhatId: '0065w000023STAmAAO',
          WhoId: '0035w00000ABCdeAAA',
          Subject: 'Call',
        }),
      ),
    ).toEqual({
      type: 'call',
      outcome: 'Connected',
      done: true,
      doneAt: new Date('2026-11-18T09:15:00.000Z'),
      ownerId: OWNER,
      dealId: '0065w000023STAmAAO',
      leadId: '0035w00000ABCdeAAA',
      subject: 'Call',
    });
  });

  it('tells emails, mass emails and other tasks apart, done by IsClosed or else Status', () => {
    expect(taskFields(record({ TaskSubtype: 'Email' }))).toMatchObject({ type: 'email', outcome: null });
    expect(taskFields(record({ TaskSubtype: 'ListEmail' }))).toMatchObject({ type: 'email', outcome: 'list' });
    expect(taskFields(record({ TaskSubtype: 'Task', Type: 'Other', Status: 'Completed' }))).toMatchObject({
      type: 'task',
      outcome: 'Other',
      done: true,
    });
    expect(taskFields(record({ TaskSubtype: 'Task', Status: 'Completed', IsClosed: 'false' })).done).toBe(false);
    expect(taskFields(record({ TaskSubtype: 'Task' })).done).toBeUndefined();
  });

  it('places a task without a completion time on its due date, and links only opportunities and leads', () => {
    const fields = taskFields(record({ ActivityDate: '2026-11-20', WhatId: '0015w00000ACCNTAAA', WhoId: null }));
    expect(fields.doneAt).toEqual(new Date('2026-11-20T12:00:00Z'));
    expect(fields.dealId).toBeNull();
    expect(fields.leadId).toBeNull();
  });

  it('reads an Event as a meeting at its start, and IsDeleted as a deletion', () => {
    expect(eventFields(record({ StartDateTime: '2026-11-19T15:00:00.000Z', OwnerId: OWNER }))).toMatchObject({
      type: 'meeting',
      done: true,
      doneAt: new Date('2026-11-19T15:00:00.000Z'),
    });
    expect(isDeletedActivity(record({ IsDeleted: 'true' }))).toBe(true);
    expect(isDeletedActivity(record({}))).toBe(false);
  });

  it('refuses a field that is present but unreadable', () => {
    expect(() => taskFields(record({ CompletedDateTime: 'yesterday' }))).toThrow(InvalidRecordError);
    expect(() => taskFields(record({ OwnerId: 'not an id' }))).toThrow(InvalidRecordError);
  });
});
