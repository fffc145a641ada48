import { DateTime } from 'luxon';
import { dayNumber, mondayOf } from '../lib/calendar-date.js';
import type { DayTotals } from './profile.js';

/**
 * Milestone badges, each derived from the day totals of the event log with the date it was earned:
 * an undo or a correction that takes the milestone away takes the badge away too.
 */

export type BadgeKey = 'first_deal' | 'streak_10' | 'personal_best_week' | 'quota_hit';

export interface Badge {
  key: BadgeKey;
  emoji: string;
  label: string;
  /** Local date (yyyy-mm-dd) it was earned; for a personal best, the latest one. */
  earnedOn: string;
}

export const BADGE_RULES: Readonly<Record<BadgeKey, { emoji: string; label: string; rule: string }>> = {
  first_deal: {
    emoji: ':tada:',
    label: 'First deal',
    rule: 'your first deal won (a deal that was undone does not count)',
  },
  streak_10: {
    emoji: ':fire:',
    label: '10-day streak',
    rule: 'ten working days in a row meeting your daily activity goal',
  },
  personal_best_week: {
    emoji: ':chart_with_upwards_trend:',
    label: 'Personal best week',
    rule: 'a week (Monday to Sunday) with more credited activities than any week of yours before it',
  },
  quota_hit: {
    emoji: ':trophy:',
    label: 'Quota hit',
    rule: 'revenue in a week, month, quarter or date range reaching the revenue goal you had for it',
  },
};

/** A revenue goal as badges need it: its period and when (local dates) it was live. */
export interface QuotaGoal {
  period: 'week' | 'month' | 'quarter' | 'year' | 'custom';
  target: number;
  startsOn: string | null;
  endsOn: string | null;
  createdOn: string;
  /** The last local date it applied: the day it was archived, or today. */
  liveUntil: string;
}

function badge(key: BadgeKey, earnedOn: string): Badge {
  const { emoji, label } = BADGE_RULES[key];
  return { key, emoji, label, earnedOn };
}

function utcDate(iso: string): DateTime {
  return DateTime.fromISO(iso, { zone: 'UTC' });
}

/** The first day on which a running total of `value` over `days` (in date order) reaches `target`. */
function crossing(days: readonly DayTotals[], value: (d: DayTotals) => number, target: number): string | null {
  let total = 0;
  for (const d of days) {
    total += value(d);
    if (total >= target) return d.day;
  }
  return null;
}

function firstDeal(days: readonly DayTotals[]): string | null {
  return crossing(days, (d) => d.dealsWon, 1);
}

/** Each week of the rep's history, in order, against the best week before it. */
function personalBestWeek(days: readonly DayTotals[]): string | null {
  const weeks = new Map<number, DayTotals[]>();
  for (const d of days) {
    const monday = mondayOf(dayNumber(d.day));
    const week = weeks.get(monday);
    if (week) week.push(d);
    else weeks.set(monday, [d]);
  }
  let bestBefore = 0;
  let latest: string | null = null;
  for (const monday of [...weeks.keys()].sort((a, b) => a - b)) {
    const week = weeks.get(monday) ?? [];
    if (bestBefore > 0) latest = crossing(week, (d) => d.activities, bestBefore + 1) ?? latest;
    bestBefore = Math.max(
      bestBefore,
      week.reduce((sum, d) => sum + d.activities, 0),
    );
  }
  return latest;
}

const UNIT = { week: 'week', month: 'month', quarter: 'quarter', year: 'year' } as const;

/** The periods (inclusive local date ranges) a goal covered while it was live. */
function goalPeriods(goal: QuotaGoal): Array<{ from: string; to: string }> {
  if (goal.period === 'custom') {
    return goal.startsOn && goal.endsOn ? [{ from: goal.startsOn, to: goal.endsOn }] : [];
  }
  const unit = UNIT[goal.period];
  const periods: Array<{ from: string; to: string }> = [];
  const last = utcDate(goal.liveUntil);
  for (let start = utcDate(goal.createdOn).startOf(unit); start <= last; start = start.plus({ [`${unit}s`]: 1 })) {
    periods.push({ from: start.toISODate() ?? '', to: start.endOf(unit).toISODate() ?? '' });
  }
  return periods;
}

function quotaHit(days: readonly DayTotals[], goals: readonly QuotaGoal[]): string | null {
  let earliest: string | null = null;
  for (const goal of goals) {
    if (goal.target <= 0) continue;
    for (const { from, to } of goalPeriods(goal)) {
      const hit = crossing(
        days.filter((d) => d.day >= from && d.day <= to),
        (d) => d.revenueCents,
        goal.target,
      );
      if (hit !== null && (earliest === null || hit < earliest)) earliest = hit;
    }
  }
  return earliest;
}

export function computeBadges(input: {
  days: readonly DayTotals[];
  streak10On: string | null;
  quotaGoals: readonly QuotaGoal[];
}): Badge[] {
  const earned: Array<[BadgeKey, string | null]> = [
    ['first_deal', firstDeal(input.days)],
    ['streak_10', input.streak10On],
    ['personal_best_week', personalBestWeek(input.days)],
    ['quota_hit', quotaHit(input.days, input.quotaGoals)],
  ];
  return earned
    .flatMap(([key, on]) => (on === null ? [] : [badge(key, on)]))
    .sort((a, b) => a.earnedOn.localeCompare(b.earnedOn));
}
