import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  comparisonWindow,
  describeInstant,
  describeSchedule,
  dueWindow,
  nextRun,
  previousRun,
  recentPeriods,
  type Schedule,
  usableZone,
} from '../../src/boards/schedule.js';

const weekly = (timezone: string, timeOfDay = '09:00', dayOfWeek = 1): Schedule => ({
  cadence: 'weekly',
  dayOfWeek,
  dayOfMonth: 1,
  timeOfDay,
  timezone,
});

const local = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZ');

describe('weekly boards across DST', () => {
  const ny = weekly('America/New_York');

  it('stays at 09:00 New York the week the clocks fall back (1 Nov 2026)', () => {
    // Mon 26 Oct 09:00 EDT is 13:00Z; Mon 2 Nov 09:00 EST is 14:00Z: 169 hours apart.
    const first = nextRun(ny, new Date('2026-10-26T12:00:00Z'));
    expect(first.toISOString()).toBe('2026-10-26T13:00:00.000Z');
    const second = nextRun(ny, first);
    expect(second.toISOString()).toBe('2026-11-02T14:00:00.000Z');
    expect(local(second, 'America/New_York')).toBe('Mon 2026-11-02 09:00 -05:00');
    expect(previousRun(ny, second)).toEqual(first);
  });

  it('stays at 09:00 New York the week the clocks spring forward (8 Mar 2026)', () => {
    const before = nextRun(ny, new Date('2026-03-02T00:00:00Z'));
    expect(before.toISOString()).toBe('2026-03-02T14:00:00.000Z');
    expect(nextRun(ny, before).toISOString()).toBe('2026-03-09T13:00:00.000Z');
  });

  it('stays at 09:00 London across the March and October changes', () => {
    const london = weekly('Europe/London');
    expect(nextRun(london, new Date('2026-03-25T00:00:00Z')).toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(nextRun(london, new Date('2026-03-23T09:00:00Z')).toISOString()).toBe('2026-03-30T08:00:00.000Z');
    expect(nextRun(london, new Date('2026-10-20T00:00:00Z')).toISOString()).toBe('2026-10-26T09:00:00.000Z');
  });

  it('is strictly after: a run exactly at the scheduled instant moves on a week', () => {
    const at = new Date('2026-11-16T14:00:00Z');
    expect(nextRun(ny, at).toISOString()).toBe('2026-11-23T14:00:00.000Z');
    expect(previousRun(ny, at).toISOString()).toBe('2026-11-09T14:00:00.000Z');
  });

  it('finds a Sunday-evening run from a UTC instant that is already Monday', () => {
    const sunday = weekly('America/Los_Angeles', '22:00', 7);
    // Mon 23 Nov 05:00Z is Sun 22 Nov 21:00 in Los Angeles: the run is an hour away.
    expect(nextRun(sunday, new Date('2026-11-23T05:00:00Z')).toISOString()).toBe('2026-11-23T06:00:00.000Z');
  });
});

describe('times the clocks skip or repeat', () => {
  const daily = (timeOfDay: string, timezone: string): Schedule => ({
    cadence: 'daily',
    dayOfWeek: 1,
    dayOfMonth: 1,
    timeOfDay,
    timezone,
  });

  it('shifts a time in the spring-forward gap forward by the gap (02:30 → 03:30 EDT)', () => {
    const board = daily('02:30', 'America/New_York');
    const run = nextRun(board, new Date('2026-03-08T05:00:00Z'));
    expect(local(run, 'America/New_York')).toBe('Sun 2026-03-08 03:30 -04:00');
    // The day before and after keep their 02:30.
    expect(local(previousRun(board, run), 'America/New_York')).toBe('Sat 2026-03-07 02:30 -05:00');
    expect(local(nextRun(board, run), 'America/New_York')).toBe('Mon 2026-03-09 02:30 -04:00');
  });

  it('posts a time that happens twice once, at its first occurrence (01:30 EDT)', () => {
    const board = daily('01:30', 'America/New_York');
    const run = nextRun(board, new Date('2026-11-01T04:00:00Z'));
    expect(run.toISOString()).toBe('2026-11-01T05:30:00.000Z');
    expect(local(run, 'America/New_York')).toBe('Sun 2026-11-01 01:30 -04:00');
    // The second 01:30 (EST, 06:30Z) is not another run: the next is Monday's.
    expect(nextRun(board, run).toISOString()).toBe('2026-11-02T06:30:00.000Z');
  });

  it('handles London’s repeated 01:30 the same way', () => {
    const run = nextRun(daily('01:30', 'Europe/London'), new Date('2026-10-25T00:00:00Z'));
    expect(run.toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});

describe('monthly boards', () => {
  const monthly = (dayOfMonth: number, timezone = 'America/New_York'): Schedule => ({
    cadence: 'monthly',
    dayOfWeek: 1,
    dayOfMonth,
    timeOfDay: '09:00',
    timezone,
  });

  it('posts on the last day of months without a 31st', () => {
    const board = monthly(31);
    const runs: string[] = [];
    let at = new Date('2026-01-01T00:00:00Z');
    for (let i = 0; i < 5; i++) {
      at = nextRun(board, at);
      runs.push(DateTime.fromJSDate(at, { zone: 'America/New_York' }).toISODate() ?? '');
    }
    expect(runs).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
  });

  it('posts on 29 February in a leap year', () => {
    expect(nextRun(monthly(30), new Date('2028-02-01T00:00:00Z')).toISOString()).toBe('2028-02-29T14:00:00.000Z');
  });

  it('covers the whole month before: the comparison is the month before that', () => {
    const board = monthly(1);
    const window = dueWindow(board, new Date('2026-12-01T14:05:00Z'), null);
    expect(window).toEqual({
      // 1 Nov is the fall-back day: 09:00 is already EST.
      start: new Date('2026-11-01T14:00:00Z'),
      end: new Date('2026-12-01T14:00:00Z'),
      periods: 1,
    });
    expect(comparisonWindow(board, window)).toEqual({
      start: new Date('2026-10-01T13:00:00Z'),
      end: new Date('2026-11-01T14:00:00Z'),
    });
  });
});

describe('half-hour zones', () => {
  it('posts at 09:00 in Kolkata (UTC+05:30), 03:30Z', () => {
    const board = weekly('Asia/Kolkata');
    expect(nextRun(board, new Date('2026-11-18T00:00:00Z')).toISOString()).toBe('2026-11-23T03:30:00.000Z');
  });

  it('posts daily at 17:30 Kolkata, which is noon UTC', () => {
    const board: Schedule = {
      cadence: 'daily',
      dayOfWeek: 1,
      dayOfMonth: 1,
      timeOfDay: '17:30',
      timezone: 'Asia/Kolkata',
    };
    expect(nextRun(board, new Date('2026-11-18T12:00:00Z')).toISOString()).toBe('2026-11-19T12:00:00.000Z');
  });
});

describe('the window a post covers', () => {
  const ny = weekly('America/New_York');

  it('runs from where the last post ended to the scheduled instant', () => {
    const window = dueWindow(ny, new Date('2026-11-23T14:00:30Z'), new Date('2026-11-16T14:00:00Z'));
    expect(window).toEqual({
      start: new Date('2026-11-16T14:00:00Z'),
      end: new Date('2026-11-23T14:00:00Z'),
      periods: 1,
    });
  });

  it('starts a first post at the scheduled instant before, across the fall-back week', () => {
    const window = dueWindow(ny, new Date('2026-11-02T14:00:00Z'), null);
    expect(window.start.toISOString()).toBe('2026-10-26T13:00:00.000Z');
    expect(window.end.toISOString()).toBe('2026-11-02T14:00:00.000Z');
  });

  it('covers the whole missed span once after downtime, and compares it with as long a span before', () => {
    // Last post Mon 2 Nov; the bot was down until Wed 18 Nov: one window to Mon 16 Nov, two weeks long.
    const window = dueWindow(ny, new Date('2026-11-18T15:00:00Z'), new Date('2026-11-02T14:00:00Z'));
    expect(window).toEqual({
      start: new Date('2026-11-02T14:00:00Z'),
      end: new Date('2026-11-16T14:00:00Z'),
      periods: 2,
    });
    expect(comparisonWindow(ny, window)).toEqual({
      start: new Date('2026-10-19T13:00:00Z'),
      end: new Date('2026-11-02T14:00:00Z'),
    });
    expect(nextRun(ny, window.end).toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });

  it('lists the last periods for a trend, oldest first', () => {
    const periods = recentPeriods(ny, new Date('2026-11-16T14:00:00Z'), 3);
    expect(periods.map((p) => p.start.toISOString())).toEqual([
      '2026-10-26T13:00:00.000Z',
      '2026-11-02T14:00:00.000Z',
      '2026-11-09T14:00:00.000Z',
    ]);
    expect(periods.at(-1)?.end.toISOString()).toBe('2026-11-16T14:00:00.000Z');
  });
});

describe('describing a schedule', () => {
  it('reads as a sentence', () => {
    expect(describeSchedule(weekly('America/New_York', '16:00', 5))).toBe('every Friday at 16:00 (America/New_York)');
    expect(describeSchedule({ ...weekly('UTC'), cadence: 'daily' })).toBe('every day at 09:00 (UTC)');
    expect(describeSchedule({ ...weekly('UTC'), cadence: 'monthly', dayOfMonth: 31 })).toBe(
      'on the 31st of each month (or its last day) at 09:00 (UTC)',
    );
    expect(describeSchedule({ ...weekly('UTC'), cadence: 'monthly', dayOfMonth: 12 })).toBe(
      'on the 12th of each month at 09:00 (UTC)',
    );
    expect(describeInstant(new Date('2026-11-30T14:00:00Z'), 'America/Chicago')).toBe(
      'Mon 30 Nov 2026 08:00 (America/Chicago)',
    );
    expect(usableZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(usableZone('Asia/Kolkata')).toBe('Asia/Kolkata');
  });
});
