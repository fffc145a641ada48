import { describe, expect, it } from 'vitest';
import { LOG_FIELDS, type LogStateValues, readLogForm } from '../../src/activities/log-form.js';
import { ACTIVITY_KIND_KEYS, MAX_NOTE_CHARS } from '../../src/kpi/activity-kinds.js';
import { type LogFormFields, logFormValues } from './log-form-values.js';

// Wednesday 18 November 2026, 10:00 in New York (UTC−5).
const now = new Date('2026-11-18T15:00:00Z');
const ctx = { now, timezone: 'America/New_York', kinds: ACTIVITY_KIND_KEYS };

const values = (o: LogFormFields) => logFormValues(o) as LogStateValues;

describe('readLogForm', () => {
  it('reads a won deal with its amount, name and note, yesterday at local midday', () => {
    const form = readLogForm(
      values({ kind: 'deal_won', amount: '$12.5k', subject: 'Acme', note: 'signed', day: '2026-11-17' }),
      ctx,
    );
    expect(form).toEqual({
      ok: true,
      entry: {
        kind: 'deal_won',
        quantity: 1,
        amountCents: 1_250_000,
        note: 'Acme — signed',
        occurredAt: new Date('2026-11-17T17:00:00Z'),
      },
    });
  });

  it('logs today at the moment of submission, with the count typed', () => {
    expect(readLogForm(values({ kind: 'call', count: '12' }), ctx)).toEqual({
      ok: true,
      entry: { kind: 'call', quantity: 12, amountCents: 0, note: null, occurredAt: now },
    });
  });

  it('puts each problem under its own field', () => {
    const form = readLogForm(values({ count: 'many', day: '2026-11-10' }), ctx);
    expect(form.ok).toBe(false);
    if (form.ok) return;
    expect(Object.keys(form.errors).sort()).toEqual([LOG_FIELDS.count, LOG_FIELDS.day, LOG_FIELDS.kind].sort());
    expect(form.errors[LOG_FIELDS.kind]).toBe('Choose what you did.');
    expect(form.errors[LOG_FIELDS.day]).toContain('up to 7 days back');

    const amount = readLogForm(values({ kind: 'call', amount: '$500' }), ctx);
    expect(!amount.ok && amount.errors[LOG_FIELDS.amount]).toContain('An amount goes with a deal');
    const future = readLogForm(values({ kind: 'call', day: '2026-11-19' }), ctx);
    expect(!future.ok && future.errors[LOG_FIELDS.day]).toContain("hasn't happened yet");
    const long = readLogForm(values({ kind: 'demo', subject: 'Acme', note: 'x'.repeat(MAX_NOTE_CHARS) }), ctx);
    expect(!long.ok && long.errors[LOG_FIELDS.note]).toContain(`notes can be up to ${MAX_NOTE_CHARS}`);
  });

  it('refuses a kind the workspace does not offer, even in a crafted payload', () => {
    const form = readLogForm(values({ kind: 'call' }), { ...ctx, kinds: ['meeting'] });
    expect(!form.ok && form.errors[LOG_FIELDS.kind]).toBe('Choose what you did.');
    const unknown = readLogForm(values({ kind: 'nap' }), ctx);
    expect(unknown.ok).toBe(false);
  });
});
