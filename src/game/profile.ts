import { DateTime } from 'luxon';
import { isWorkingDay } from '../goals/progress.js';
import { ACTIVITY_KIND_KEYS, type ActivityKind, isActivityKind } from '../kpi/activity-kinds.js';
import { type Badge, computeBadges, type QuotaGoal } from './badges.js';
import { type Level, levelFor } from './levels.js';
import { pointsFor, type WorkspaceSettings } from './settings.js';
import { computeStreak } from './streaks.js';

/**
 * A rep's game standing, pure: points, level, streak and badges, all folded from their entries per
 * local day. Entries include reversals (negative quantities on the reversed entry's own day), so an
 * undo or a CRM correction changes every figure here at once.
 */

/** One rep's entries of one kind on one local date, summed (reversals included). */
export type DayKindRow = {
  day: string;
  kind: string;
  quantity: number;
  amountCents: number;
  /** The part of `quantity` that passed the workspace's quality gates. */
  creditedQuantity: number;
};

export interface DayTotals {
  day: string;
  points: number;
  /** Credited activities toward the daily activity goal. */
  activities: number;
  dealsWon: number;
  revenueCents: number;
}

/** Outcomes and no-shows are not effort: they earn points by their weight but not streak days. */
const NOT_ACTIVITY: ReadonlySet<ActivityKind> = new Set(['deal_won', 'deal_lost', 'no_show']);
export const STREAK_KINDS: readonly ActivityKind[] = ACTIVITY_KIND_KEYS.filter((k) => !NOT_ACTIVITY.has(k));

export function foldDays(rows: readonly DayKindRow[], settings: WorkspaceSettings): DayTotals[] {
  const byDay = new Map<string, DayTotals>();
  for (const row of rows) {
    if (!isActivityKind(row.kind)) continue;
    const d = byDay.get(row.day) ?? { day: row.day, points: 0, activities: 0, dealsWon: 0, revenueCents: 0 };
    d.points += row.creditedQuantity * pointsFor(settings, row.kind);
    if (!NOT_ACTIVITY.has(row.kind)) d.activities += row.creditedQuantity;
    if (row.kind === 'deal_won') {
      d.dealsWon += row.quantity;
      d.revenueCents += row.amountCents;
    }
    byDay.set(row.day, d);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}

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
  rows: readonly DayKindRow[];
  settings: WorkspaceSettings;
  now: Date;
  timezone: string;
  quotaGoals?: readonly QuotaGoal[];
}): GameProfile {
  const { settings } = input;
  const days = foldDays(input.rows, settings);
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
