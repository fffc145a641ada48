import { describe, expect, it } from 'vitest';
import { nextNudgeAt } from '../../src/coaching/nudge-time.js';
import { parseClockTime } from '../../src/lib/clock-time.js';

describe('parseClockTime', () => {
  it.each([
    ['8:30', '08:30'],
    ['08:30', '08:30'],
    ['8:30am', '08:30'],
    ['8:30 AM', '08:30'],
    ['8.30', '08:30'],
    ['17:00', '17:00'],
    ['5pm', '17:00'],
    ['5 p.m.', '17:00'],
    ['12am', '00:00'],
    ['12pm', '12:00'],
    ['12:15 am', '00:15'],
    ['9', '09:00'],
    ['0:00', '00:00'],
    ['23:59', '23:59'],
  ])('reads %s as %s', (text, time) => {
    expect(parseClockTime(text)).toEqual({ ok: true, time });
  });

  it.each([
    ['24:00', 'A time has hours 0 to 23, not 24.'],
    ['8:60', 'A time has minutes 00 to 59, not 60.'],
    ['13pm', 'With am or pm the hour is 1 to 12, not 13.'],
    ['0am', 'With am or pm the hour is 1 to 12, not 0.'],
    ['noon', 'Give a time like `8:30`, `8:30am`, `17:00` or `5pm`.'],
    ['8:3', 'Give a time like `8:30`, `8:30am`, `17:00` or `5pm`.'],
    ['', 'Give a time like `8:30`, `8:30am`, `17:00` or `5pm`.'],
  ])('refuses %s kindly', (text, error) => {
    expect(parseClockTime(text)).toEqual({ ok: false, error });
  });
});

describe('nextNudgeAt', () => {
  const ny = (iso: string) => new Date(iso);
  const next = (now: string, opts: { time?: string; holidays?: string[]; decidedToday?: boolean } = {}) =>
    nextNudgeAt({
      now: ny(now),
      timezone: 'America/New_York',
      time: opts.time ?? '09:00',
      holidays: opts.holidays ?? [],
      decidedToday: opts.decidedToday ?? false,
    }).toISO();

  it('is today when the time is still ahead on a working day', () => {
    expect(next('2026-11-23T12:00:00Z')).toBe('2026-11-23T09:00:00.000-05:00');
  });

  it('is the next working day once today is decided, skipping the weekend and holidays', () => {
    expect(next('2026-11-23T15:00:00Z', { decidedToday: true })).toBe('2026-11-24T09:00:00.000-05:00');
    expect(next('2026-11-27T15:00:00Z', { decidedToday: true })).toBe('2026-11-30T09:00:00.000-05:00');
    expect(next('2026-11-25T15:00:00Z', { decidedToday: true, holidays: ['2026-11-26'] })).toBe(
      '2026-11-27T09:00:00.000-05:00',
    );
  });

  it('is now when today’s time has passed but today is not decided yet (it goes within the minute)', () => {
    expect(next('2026-11-23T15:00:00Z', { time: '08:30' })).toBe('2026-11-23T10:00:00.000-05:00');
  });

  it('keeps the local time across a clock change', () => {
    // Clocks go back on Sunday 1 November 2026 in New York.
    expect(next('2026-10-30T15:00:00Z', { decidedToday: true })).toBe('2026-11-02T09:00:00.000-05:00');
  });
});
