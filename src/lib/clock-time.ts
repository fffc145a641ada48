/**
 * A time of day as people type it: `8:30`, `08:30`, `8:30am`, `8:30 pm`, `17:00`, `5pm`, `9`.
 * Returns 24-hour `HH:MM` (what `members.nudge_time` and `board_subscriptions.time_of_day` store), or a friendly
 * error that says what was wrong.
 */
export type ClockTimeResult = { ok: true; time: string } | { ok: false; error: string };

const CLOCK = /^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$/i;

export function parseClockTime(text: string): ClockTimeResult {
  const match = CLOCK.exec(text.trim());
  if (!match) return { ok: false, error: 'Give a time like `8:30`, `8:30am`, `17:00` or `5pm`.' };
  const [, h = '', m = '00', suffix] = match;
  let hour = Number(h);
  const minute = Number(m);
  if (minute > 59) return { ok: false, error: `A time has minutes 00 to 59, not ${m}.` };
  if (suffix) {
    if (hour < 1 || hour > 12) return { ok: false, error: `With am or pm the hour is 1 to 12, not ${h}.` };
    const pm = suffix.toLowerCase().startsWith('p');
    hour = (hour % 12) + (pm ? 12 : 0);
  } else if (hour > 23) {
    return { ok: false, error: `A time has hours 0 to 23, not ${h}.` };
  }
  return { ok: true, time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}` };
}
