import { describe, expect, it } from 'vitest';
import { backdatedLabel, dayLabel } from '../../../src/activities/activity-day.js';
import { trailingDay } from '../../../src/slack/subcommands/day-phrase.js';
import { type ParseResult, parseKpiCommand, USAGE } from '../../../src/slack/subcommands/registry.js';
import type { ParseContext } from '../../../src/slack/subcommands/words.js';

// Wednesday 18 November 2026, 14:00 in New York.
const WED = new Date('2026-11-18T19:00:00Z');
const ZONE = 'America/New_York';

function parseAt(text: string, now = WED): ParseResult {
  const ctx: ParseContext = { now, timezone: ZONE, findMetric: () => undefined };
  return parseKpiCommand(text, ctx);
}

function logged(text: string, now = WED) {
  const result = parseAt(text, now);
  if (!result.ok) throw new Error(`${text}: ${result.error}`);
  if (result.command.type !== 'log') throw new Error(`${text} parsed as ${result.command.type}`);
  return result.command;
}

function refused(text: string): string {
  const result = parseAt(text);
  if (result.ok) throw new Error(`${text} parsed as ${JSON.stringify(result.command)}`);
  return result.error;
}

describe('/kpi log with a day at the end', () => {
  it.each([
    ['log calls 12 yesterday', { kind: 'call', quantity: 12, note: null, day: '2026-11-17' }],
    ['log calls yesterday', { kind: 'call', quantity: 1, note: null, day: '2026-11-17' }],
    ['log calls twelve Yesterday', { kind: 'call', quantity: 12, note: null, day: '2026-11-17' }],
    ['log meeting on monday', { kind: 'meeting', quantity: 1, note: null, day: '2026-11-16' }],
    ['log meeting with Acme on Mon', { kind: 'meeting', quantity: 1, note: 'with Acme', day: '2026-11-16' }],
    // "last wednesday" on a Wednesday is a week ago, the edge of the bound.
    ['log demo last wednesday', { kind: 'demo', quantity: 1, note: null, day: '2026-11-11' }],
    ['log calls 5 nov 12', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 November 12th', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 on nov 12', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 on 12 nov', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 2026-11-12', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 on 2026-11-12', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 11/12', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log calls 5 on 12 Nov 2026', { kind: 'call', quantity: 5, note: null, day: '2026-11-12' }],
    ['log deal won $5k Acme yesterday', { kind: 'deal_won', amountCents: 500000, note: 'Acme', day: '2026-11-17' }],
  ] as const)('%j', (text, expected) => {
    expect(logged(text)).toMatchObject(expected);
  });

  it.each([
    ['log calls 12 today', { quantity: 12, note: null }],
    ['log meeting on wednesday', { quantity: 1, note: null }],
    ['log calls 3 2026-11-18', { quantity: 3, note: null }],
  ])('%j names today, which is not backdating', (text, expected) => {
    const command = logged(text);
    expect(command).toMatchObject(expected);
    expect(command).not.toHaveProperty('day');
  });

  it.each([
    // A day phrase anywhere but the end is part of the note.
    ['log meeting Monday meeting with Acme', 'Monday meeting with Acme'],
    ['log meeting yesterday with Acme', 'yesterday with Acme'],
    // A bare weekday often means the next one: it stays in the note.
    ['log demo prep for monday', 'prep for monday'],
    // "12 nov" without "on" could be a count and a note.
    ['log calls 5 12 nov', '12 nov'],
    ['log calls 12 on the phone', 'on the phone'],
    ['log calls on', 'on'],
  ])('%j keeps the words in the note', (text, note) => {
    const command = logged(text);
    expect(command.note).toBe(note);
    expect(command).not.toHaveProperty('day');
  });

  it('refuses a day more than 7 days back, naming the earliest day', () => {
    expect(refused('log calls 12 nov 10')).toBe(
      'You can log up to 7 days back (as far as Wed 11 Nov). For older entries, ask your manager.',
    );
    expect(refused('log calls 2026-11-01')).toContain('up to 7 days back');
  });

  it('refuses a day that has not happened yet, and one that does not exist', () => {
    expect(refused('log calls 2026-11-19')).toContain("hasn't happened yet");
    expect(refused('log calls nov 31')).toContain("“nov 31” isn't a real date");
    expect(refused('log calls 2026-02-30')).toContain("“2026-02-30” isn't a real date");
  });

  it('reads the day in the rep’s zone: 22:00 on Tuesday in New York is Wednesday in UTC', () => {
    const tuesdayNight = new Date('2026-11-18T03:00:00Z');
    expect(logged('log calls yesterday', tuesdayNight).day).toBe('2026-11-16');
  });

  it('takes a month and day in the past year across new year', () => {
    expect(logged('log calls dec 30', new Date('2027-01-02T15:00:00Z')).day).toBe('2026-12-30');
  });

  it('documents the rule in the usage line', () => {
    expect(USAGE.log).toContain('`/kpi log calls 12 yesterday`');
    expect(USAGE.log).toContain('a day anywhere else stays in the note');
  });
});

describe('trailingDay and dayLabel', () => {
  it('returns the words before the phrase', () => {
    expect(trailingDay(['12', 'on', 'friday'], WED, ZONE)).toEqual({ rest: ['12'], day: '2026-11-13' });
    expect(trailingDay(['12'], WED, ZONE)).toBeNull();
    expect(trailingDay([], WED, ZONE)).toBeNull();
  });

  it('names yesterday as such and other days by weekday and date', () => {
    expect(dayLabel('2026-11-17', WED, ZONE)).toBe('yesterday');
    expect(dayLabel('2026-11-13', WED, ZONE)).toBe('Fri 13 Nov');
    expect(backdatedLabel(new Date('2026-11-16T17:00:00Z'), WED, ZONE)).toBe('Mon 16 Nov');
    // 20:00 on Wednesday in New York is Thursday in UTC, and still today for the rep.
    expect(backdatedLabel(new Date('2026-11-19T01:00:00Z'), WED, ZONE)).toBeUndefined();
  });
});
