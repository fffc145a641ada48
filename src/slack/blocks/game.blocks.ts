import { DateTime } from 'luxon';
import { type GameProfile, STREAK_BADGE_DAYS } from '../../game/profile.js';
import { progressBar } from '../../goals/progress.js';
import { type Block, context, section } from './message.js';

export const n = (value: number) => value.toLocaleString('en-US');
export const day = (iso: string) => DateTime.fromISO(iso).setLocale('en-US').toFormat('d LLL yyyy');

/** Points, level, streak and badges: the section `/kpi me` (and the App Home) shows. */
export function gameBlocks(profile: GameProfile): Block[] {
  const { level, streak } = profile;
  const toNext = level.next - profile.points;
  const today = streak.todayIsWorkingDay
    ? ` · today ${n(streak.today)}/${n(streak.dailyGoal)}${streak.today >= streak.dailyGoal ? ' :white_check_mark:' : ''}`
    : ' · not a working day today';
  const lines = [
    `:star: *${n(profile.points)} points* · *level ${level.level}* ${progressBar(level.fraction)} ${n(toNext)} to level ${level.level + 1}`,
    `:fire: *Streak:* ${streak.current} working ${streak.current === 1 ? 'day' : 'days'} (best ${streak.best})${today}`,
  ];
  const badges =
    profile.badges.length > 0
      ? profile.badges.map((b) => `${b.emoji} ${b.label} (${day(b.earnedOn)})`).join(' · ')
      : `none yet: your first deal won or a ${STREAK_BADGE_DAYS}-day streak earns one`;
  lines.push(`:medal: *Badges:* ${badges}`);
  return [section(lines.join('\n')), context('How points, streaks, badges and levels work: `/kpi explain points`.')];
}
