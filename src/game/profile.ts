import { DateTime } from 'luxon';
import { isWorkingDay } from '../goals/progress.js';
import { ACTIVITY_KIND_KEYS, type ActivityKind } from '../kpi/activity-kinds.js';
import { type Badge, computeBadges, type QuotaGoal } from './badges.js';
import { type Level, levelFor } from './levels.js';
import type { WorkspaceSettings } from './settings.js';
import { computeStreak } from './streaks.js';

/**
 * A rep's game standing, pure: points, level, streak and badges, all derived from their credited
 * totals per local day. The totals include reversals (negative quantities on the reversed entry's
 * own day), so an undo or a CRM correction changes every figure here at once.
 */

/**
 * One rep's credited totals on one local date, reversals included (the query module sums them
 * from the log; see game.queries.ts).
 */
export type DayTotals = {
  day: string;
  points: number;
  /** Credited activities toward the daily activity goal. */
  activities: number;
  dealsWon: number;
  revenueCents: number;
};

/** Outcomes and no-shows are not effort: they earn points by their weight but not streak days. */
const NOT_ACTIVITY: ReadonlySet<ActivityKind> = new Set(['deal_won', 'deal_lost', 'no_show']);
/** The kinds that count toward the daily activity goal. */
export const STREAK_KINDS: readonly ActivityKind[] = ACTIVITY_KIND_KEYS.filter((k) => !NOT_ACTIVITY.has(k));

export interface GameProfile {
  points: number;
  level: Level;
  streak: {
    current: number;
    best: number;
    dailyGoal: number;
    /** Credited activities so far today. */
    today: number;
    todayIsWorkingDay: boolean;
  };
  badges: Badge[];
}

export const STREAK_BADGE_DAYS = 10;

export function gameProfile(input: {
  days: readonly DayTotals[];
  settings: WorkspaceSettings;
  now: Date;
  timezone: string;
  quotaGoals?: readonly QuotaGoal[];
}): GameProfile {
  const { settings } = input;
  const days = [...input.days].sort((a, b) => a.day.localeCompare(b.day));
  const todayDate = DateTime.fromJSDate(input.now, { zone: input.timezone });
  const today = todayDate.toISODate() ?? '';
  const holidays = new Set(settings.holidays);
  const goal = settings.dailyActivityGoal;
  const streak = computeStreak({
    metDays: days.filter((d) => d.activities >= goal).map((d) => d.day),
    today,
    holidays,
    milestones: [STREAK_BADGE_DAYS],
  });
  const points = Math.max(0, Math.round(days.reduce((sum, d) => sum + d.points, 0)));
  return {
    points,
    level: levelFor(points),
    streak: {
      current: streak.current,
      best: streak.best,
      dailyGoal: goal,
      today: days.find((d) => d.day === today)?.activities ?? 0,
      todayIsWorkingDay: isWorkingDay(todayDate, holidays),
    },
    badges: computeBadges({
      days,
      streak10On: streak.milestoneDays.get(STREAK_BADGE_DAYS) ?? null,
      quotaGoals: input.quotaGoals ?? [],
    }),
  };
}
