import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { goalProgress, progressBar, workingDaysBetween } from '../../src/goals/progress.js';

const NY = 'America/New_York';
const at = (iso: string) => new Date(iso);

describe('workingDaysBetween', () => {
  it('counts Monday to Friday of a local week, not weekends', () => {
    // Mon 16 Nov to Mon 23 Nov 2026, New York.
    expect(workingDaysBetween(at('2026-11-16T05:00:00Z'), at('2026-11-23T05:00:00Z'), NY, new Set())).toBe(5);
  });

  it('leaves holidays out and counts half a working day as half', () => {
    const holidays = new Set(['2026-11-26']);
    expect(workingDaysBetween(at('2026-11-23T05:00:00Z'), at('2026-11-30T05:00:00Z'), NY, holidays)).toBe(4);
    expect(workingDaysBetween(at('2026-11-16T05:00:00Z'), at('2026-11-16T17:00:00Z'), NY, new Set())).toBeCloseTo(0.5);
  });

  it('measures a day by its own length across a clock change', () => {
    // Sun 1 Nov 2026 is 25 hours long in New York; Monday 2 Nov is a normal day.
    expect(workingDaysBetween(at('2026-11-02T05:00:00Z'), at('2026-11-03T05:00:00Z'), NY, new Set())).toBe(1);
  });
});

describe('workingDaysBetween against a day-by-day walk', () => {
  /** The definition, spelt out: walk each local day, counting a working day by the share inside. */
  function walk(from: Date, to: Date, zone: string, holidays: ReadonlySet<string>): number {
    let cursor = DateTime.fromJSDate(from, { zone });
    const stop = DateTime.fromJSDate(to, { zone });
    let days = 0;
    while (cursor < stop) {
      const dayStart = cursor.startOf('day');
      const nextDay = dayStart.plus({ days: 1 });
      if (dayStart.weekday <= 5 && !holidays.has(dayStart.toISODate() ?? '')) {
        const until = nextDay < stop ? nextDay : stop;
        days += until.diff(cursor).toMillis() / nextDay.diff(dayStart).toMillis();
      }
      cursor = nextDay;
    }
    return days;
  }

  it('agrees to the bit, in zones with clock changes by an hour and by half an hour', () => {
    const zones = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC'];
    const instant = fc.integer({ min: Date.UTC(2027, 0, 1), max: Date.UTC(2028, 11, 31) }).map((ms) => new Date(ms));
    const midnight = fc
      .tuple(fc.integer({ min: 0, max: 700 }), fc.constantFrom(...zones))
      .map(([d, zone]) => DateTime.fromObject({ year: 2027, month: 1, day: 1 }, { zone }).plus({ days: d }).toJSDate());
    const when = fc.oneof(instant, midnight);
    const holiday = fc
      .integer({ min: 0, max: 700 })
      .map((d) => DateTime.utc(2027, 1, 1).plus({ days: d }).toISODate() ?? '');
    fc.assert(
      fc.property(
        when,
        when,
        fc.constantFrom(...zones),
        fc.uniqueArray(holiday, { maxLength: 20 }),
        (a, b, zone, hol) => {
          const holidays = new Set(hol);
          expect(workingDaysBetween(a, b, zone, holidays)).toBe(walk(a, b, zone, holidays));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('counts the first hour of a day that follows a clock change at midnight as that day (the walk gave it to the day before)', () => {
    // Santiago skips from midnight to 01:00 on Sun 5 Sep 2027; Mon 6 Sep starts at 03:00Z.
    const monday = at('2027-09-06T03:00:00Z');
    const half = at('2027-09-06T03:30:00Z');
    expect(workingDaysBetween(monday, half, 'America/Santiago', new Set())).toBeCloseTo(1 / 48, 12);
    expect(workingDaysBetween(at('2027-09-04T04:00:00Z'), half, 'America/Santiago', new Set())).toBeCloseTo(1 / 48, 12);
  });
});

describe('goalProgress', () => {
  const week = { start: at('2026-11-16T05:00:00Z'), end: at('2026-11-23T05:00:00Z'), timezone: NY };

  it('is on track when the pace so far reaches the target', () => {
    // Wednesday midnight: two working days done, 20 of 50 meetings.
    const p = goalProgress({ ...week, value: 20, target: 50, now: at('2026-11-18T05:00:00Z') });
    expect(p.fraction).toBeCloseTo(0.4);
    expect(p.remaining).toBe(30);
    expect(p.workingDaysLeft).toBe(3);
    expect(p.pacePerDay).toBe(10);
    expect(p.projected).toBeCloseTo(50);
    expect(p.status).toBe('on_track');
  });

  it('is behind when the projection falls short, and says so before the end', () => {
    const p = goalProgress({ ...week, value: 10, target: 50, now: at('2026-11-18T05:00:00Z') });
    expect(p.status).toBe('behind');
    expect(p.projected).toBeCloseTo(25);
  });

  it('is met as soon as the value reaches the target, and needs no more pace', () => {
    const p = goalProgress({ ...week, value: 55, target: 50, now: at('2026-11-17T15:00:00Z') });
    expect(p.status).toBe('met');
    expect(p.pacePerDay).toBeNull();
  });

  it('is missed once the window is over short of the target', () => {
    const p = goalProgress({ ...week, value: 40, target: 50, now: at('2026-11-24T12:00:00Z') });
    expect(p.status).toBe('missed');
    expect(p.workingDaysLeft).toBe(0);
  });

  it('has no projection before any working time has passed (a Monday at midnight)', () => {
    const p = goalProgress({ ...week, value: 0, target: 50, now: week.start });
    expect(p.status).toBe('not_started');
    expect(p.projected).toBeNull();
    expect(p.pacePerDay).toBe(10);
  });

  it('spreads the pace over working days only when asked on a weekend', () => {
    const month = { start: at('2026-11-01T04:00:00Z'), end: at('2026-12-01T05:00:00Z'), timezone: NY };
    // Saturday 21 Nov: Mon 23 … Mon 30 Nov are six working days.
    const p = goalProgress({ ...month, value: 0, target: 60, now: at('2026-11-21T15:00:00Z') });
    expect(p.workingDaysLeft).toBe(6);
    expect(p.pacePerDay).toBe(10);
  });
});

describe('progressBar', () => {
  it('fills a cell per tenth and stops at full', () => {
    expect(progressBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱');
    expect(progressBar(0.4)).toBe('▰▰▰▰▱▱▱▱▱▱');
    expect(progressBar(1.7)).toBe('▰▰▰▰▰▰▰▰▰▰');
  });
});
