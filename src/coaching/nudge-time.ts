import { DateTime } from 'luxon';
import { isWorkingDay } from '../goals/progress.js';

/**
 * When the next nudge is due: today at `time` if that is still ahead (or reached but today's nudge
 * is not decided yet) and today is a working day, else the next working day at `time`.
 */
export function nextNudgeAt(opts: {
  now: Date;
  timezone: string;
  time: string;
  holidays: readonly string[];
  decidedToday: boolean;
}): DateTime {
  const holidays = new Set(opts.holidays);
  const [hour = 9, minute = 0] = opts.time.split(':').map(Number);
  const now = DateTime.fromJSDate(opts.now, { zone: opts.timezone });
  let day = now.startOf('day');
  if (opts.decidedToday) day = day.plus({ days: 1 });
  // Settings hold at most a year of holidays, so a year always finds a working day.
  for (let i = 0; i < 366; i++) {
    if (isWorkingDay(day, holidays)) {
      const at = day.set({ hour, minute });
      return at < now ? now : at;
    }
    day = day.plus({ days: 1 });
  }
  return day.set({ hour, minute });
}
