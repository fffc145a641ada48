import { describe, expect, it } from 'vitest';
import { foldActivity, missingActivityFields } from '../../src/integrations/activity-apply.js';
import {
  DEFAULT_ACTIVITY_MAPPINGS,
  describeMapping,
  effectiveMapping,
  kindsFor,
  mappingKeys,
  parseKinds,
} from '../../src/integrations/activity-mapping.js';
import type { ActivityFields } from '../../src/integrations/crm-event.js';

const hubspot = effectiveMapping('hubspot', []);

describe('mapping keys', () => {
  it('go from the most specific to the type alone, in lower case with underscores', () => {
    expect(mappingKeys({ type: 'call', outcome: 'Left voicemail', done: true })).toEqual([
      'call:left_voicemail',
      'call',
    ]);
    expect(mappingKeys({ type: 'Meeting', outcome: 'NO-SHOW' })).toEqual(['meeting:no_show', 'meeting']);
    expect(mappingKeys({ type: 'email', outcome: null })).toEqual(['email']);
  });

  it('are none for a record not done yet or without a type', () => {
    expect(mappingKeys({ type: 'task', outcome: 'todo', done: false })).toEqual([]);
    expect(mappingKeys({ outcome: 'connected', done: true })).toEqual([]);
  });
});

describe('the default mapping', () => {
  const kinds = (fields: ActivityFields) => kindsFor(fields, hubspot);

  it('makes a connected call also a conversation, any other call a dial', () => {
    expect(kinds({ type: 'call', outcome: 'connected', done: true })).toEqual(['call', 'conversation']);
    expect(kinds({ type: 'call', outcome: 'no_answer', done: true })).toEqual(['call']);
    expect(kinds({ type: 'call', outcome: null, done: true })).toEqual(['call']);
  });

  it('reads meetings, no-shows and cancellations from a meeting’s outcome', () => {
    expect(kinds({ type: 'meeting', outcome: 'completed', done: true })).toEqual(['meeting']);
    expect(kinds({ type: 'meeting', outcome: 'no_show', done: true })).toEqual(['meeting', 'no_show']);
    expect(kinds({ type: 'meeting', outcome: 'canceled', done: true })).toEqual([]);
  });

  it('counts emails sent, not received; completed tasks as follow-ups; unknown types as nothing', () => {
    expect(kinds({ type: 'email', outcome: 'sent', done: true })).toEqual(['email']);
    expect(kinds({ type: 'email', outcome: 'received', done: true })).toEqual([]);
    expect(kinds({ type: 'task', outcome: 'todo', done: true })).toEqual(['follow_up']);
    expect(kinds({ type: 'task', outcome: 'todo', done: false })).toEqual([]);
    expect(kinds({ type: 'note', done: true })).toEqual([]);
  });

  it('has a default for each CRM’s call, meeting and email', () => {
    for (const defaults of Object.values(DEFAULT_ACTIVITY_MAPPINGS)) {
      expect(defaults.call).toEqual(['call']);
      expect(defaults.meeting).toEqual(['meeting']);
      expect(defaults.email).toEqual(['email']);
    }
  });
});

describe('a workspace’s own mapping', () => {
  const mapping = effectiveMapping('hubspot', [
    { crmKey: 'call:left_voicemail', kinds: ['call', 'follow_up'] },
    { crmKey: 'task', kinds: [] },
    { crmKey: 'email', kinds: ['email', 'not_a_kind'] },
  ]);

  it('replaces the default of its keys only, and drops kinds that do not exist', () => {
    expect(kindsFor({ type: 'call', outcome: 'left_voicemail', done: true }, mapping)).toEqual(['call', 'follow_up']);
    expect(kindsFor({ type: 'task', outcome: 'todo', done: true }, mapping)).toEqual([]);
    expect(kindsFor({ type: 'call', outcome: 'connected', done: true }, mapping)).toEqual(['call', 'conversation']);
    expect(kindsFor({ type: 'email', outcome: 'sent', done: true }, mapping)).toEqual(['email']);
  });

  it('is described key by key, its changes marked', () => {
    const lines = describeMapping('hubspot', mapping);
    expect(lines).toContain('`call:left_voicemail` → call + follow-up (changed here)');
    expect(lines).toContain('`task` → not counted (changed here)');
    expect(lines).toContain('`call:connected` → call + conversation');
    expect(lines).toContain('`email` → email');
  });
});

describe('parseKinds', () => {
  it('reads kinds and their aliases, once each, or none', () => {
    expect(parseKinds('dials, convos + call')).toEqual({ ok: true, kinds: ['call', 'conversation'] });
    expect(parseKinds('NONE')).toEqual({ ok: true, kinds: [] });
    expect(parseKinds('call,hugs')).toEqual({ ok: false, word: 'hugs' });
  });
});

describe('folding a record’s events', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 18, 9, minute));
  const upsert = (minute: number, fields: ActivityFields) =>
    ({ type: 'activity.upsert', eventId: `e${minute}`, occurredAt: at(minute), activityId: 'call:1', fields }) as const;
  const remove = (minute: number) =>
    ({ type: 'activity.delete', eventId: `d${minute}`, occurredAt: at(minute), activityId: 'call:1' }) as const;

  it('lets later events win field by field, and a delete hide the record', () => {
    const state = foldActivity([
      upsert(0, { type: 'call', outcome: 'connected' }),
      upsert(1, { outcome: 'no_answer' }),
    ]);
    expect(state?.fields).toEqual({ type: 'call', outcome: 'no_answer' });
    expect(foldActivity([upsert(0, { type: 'call' }), remove(2)])?.deleted).toBe(true);
    expect(foldActivity([])).toBeNull();
  });

  it('knows when a webhook left out what the mapping needs', () => {
    const whole: ActivityFields = {
      type: 'call',
      outcome: null,
      done: true,
      doneAt: at(0),
      ownerId: '1',
      dealId: null,
      leadId: null,
    };
    expect(missingActivityFields(whole)).toBe(false);
    expect(missingActivityFields({ type: 'call' })).toBe(true);
    expect(missingActivityFields({ ...whole, ownerId: null })).toBe(true);
    expect(missingActivityFields({ ...whole, ownerId: null, ownerEmail: 'a@b.test' })).toBe(false);
  });
});
