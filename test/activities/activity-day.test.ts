import { describe, expect, it } from 'vitest';
import { activityDay, localDate, MAX_BACKDATE_DAYS } from '../../src/activities/activity-day.js';

// 2026-11-02 is a Monday; 03:30 UTC is still Sunday evening in Los Angeles.
const now = new Date('2026-11-02T03:30:00Z');

describe('activityDay', () => {
  it('stores today as now and an earlier day at local midday', () => {
    expect(activityDay('2026-11-01', now, 'America/Los_Angeles')).toEqual({
      ok: true,
      occurredAt: now,
      day: '2026-11-01',
      backdated: false,
    });
    const yesterday = activityDay('2026-10-31', now, 'America/Los_Angeles');
    // 31 Oct is still on daylight time in Los Angeles (UTC-7): midday is 19:00 UTC.
    expect(yesterday).toEqual({
      ok: true,
      occurredAt: new Date('2026-10-31T19:00:00Z'),
      day: '2026-10-31',
      backdated: true,
    });
  });

  it(`accepts ${MAX_BACKDATE_DAYS} days back and refuses the day before, and the future`, () => {
    expect(activityDay('2026-10-26', now, 'UTC')).toMatchObject({ ok: true, backdated: true });
    const tooOld = activityDay('2026-10-25', now, 'UTC');
    expect(tooOld).toMatchObject({ ok: false });
    expect(!tooOld.ok && tooOld.error).toContain('up to 7 days back (as far as Mon 26 Oct)');
    expect(activityDay('2026-11-03', now, 'UTC')).toMatchObject({ ok: false });
  });

  it('refuses what is not a date, and falls back to UTC for an unknown zone', () => {
    expect(activityDay('2026-02-30', now, 'UTC')).toMatchObject({ ok: false });
    expect(activityDay('yesterday', now, 'UTC')).toMatchObject({ ok: false });
    expect(activityDay('2026-11-02', now, 'Not/AZone')).toMatchObject({ ok: true, backdated: false });
  });

  it('reads the local date', () => {
    expect(localDate(now, 'America/Los_Angeles')).toBe('2026-11-01');
    expect(localDate(now, 'Europe/Paris', 1)).toBe('2026-11-01');
  });
});
