import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { dayNumber, isoDate, mondayOf, weekday } from '../../src/lib/calendar-date.js';

describe('calendar dates as day numbers', () => {
  it('agree with luxon on every date from 1969 to 2040, leap days included', () => {
    const wrong: string[] = [];
    for (let d = DateTime.utc(1969, 1, 1); d.year < 2040; d = d.plus({ days: 1 })) {
      const iso = d.toISODate() ?? '';
      const n = dayNumber(iso);
      const ok =
        isoDate(n) === iso &&
        weekday(n) === d.weekday &&
        isoDate(mondayOf(n)) === d.startOf('week').toISODate() &&
        dayNumber(d.plus({ days: 1 }).toISODate() ?? '') === n + 1;
      if (!ok) wrong.push(iso);
    }
    expect(wrong).toEqual([]);
  });

  it('numbers 1970-01-01 as day 0, a Thursday', () => {
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(weekday(0)).toBe(4);
  });
});
