import { DateTime } from 'luxon';
import { goalWindow } from '../goals/goal-status.js';
import type { Goal } from '../goals/goals.repository.js';
import { workingDaysBetween } from '../goals/progress.js';
import { rankCompetition } from '../kpi/ranking.js';
import { type ScorecardWeights, weightedScore } from '../kpi/weighted-score.js';
import type { Prizes } from './contest.js';

/**
 * Contest maths, pure: scores, places, prizes and the gap to the next prize. The figures going in
 * come from the same catalogue maths as every board (see contest-standings.ts); this module only
 * decides what they mean for the contest.
 *
 * The rules, as `/kpi explain contests` states them:
 * - Ranked by percent of each rep's own goal (the default), so a rep in a small territory with a
 *   smaller goal competes on equal terms. A rep with no goal for the metric is measured against the
 *   median goal of the participants who have one; when nobody has one, the contest ranks raw values.
 * - A weighted scorecard scores each metric's share of its target (capped at 150%), out of 100.
 * - Ties share a place (1, 2, 2, 4) and its prize. Nobody at zero wins, and nobody below the
 *   minimum score. An opted-out rep keeps their real place (prizes are at stake) but is never
 *   named in a public post.
 */

export type ScoreMode = 'goal_percent' | 'raw' | 'scorecard';

export interface Entrant {
  userId: string;
  name: string;
  /** False when the person opted out of public posts. */
  public: boolean;
  /** The metric's value over the window, or the scorecard score. */
  value: number;
  /** The goal the value is measured against (goal-percent ranking), in the metric's unit. */
  goal: number | null;
}

export interface Standing extends Entrant {
  /** What ranks: percent of goal (100 = goal met), the raw value, or scorecard points. */
  score: number;
  rank: number;
  prize: string | null;
}

export interface ContestRules {
  mode: ScoreMode;
  prizes: Prizes;
  minScore: number | null;
}

export function scoreOf(entrant: Pick<Entrant, 'value' | 'goal'>, mode: ScoreMode): number {
  if (mode !== 'goal_percent') return entrant.value;
  return entrant.goal !== null && entrant.goal > 0 ? (100 * entrant.value) / entrant.goal : 0;
}

/** Whether a score may win anything: above zero and at least the minimum. */
export function canWin(score: number, minScore: number | null): boolean {
  return score > 0 && score >= (minScore ?? 0);
}

/** The official standings over every participant, best first, ties sharing a place and its prize. */
export function rankContest(entrants: readonly Entrant[], rules: ContestRules): Standing[] {
  const scored = entrants.map((e) => ({ ...e, score: scoreOf(e, rules.mode) }));
  return rankCompetition(scored, { value: (e) => e.score, direction: 'higher_is_better', name: (e) => e.name }).map(
    ({ row, rank }) => ({ ...row, rank, prize: prizeFor(row.score, rank, rules) }),
  );
}

function prizeFor(score: number, rank: number, rules: ContestRules): string | null {
  if (!canWin(score, rules.minScore)) return null;
  const { prizes } = rules;
  if (prizes.kind === 'threshold') return score >= prizes.score ? prizes.prize : null;
  return prizes.places[rank - 1] ?? null;
}

export function winners(standings: readonly Standing[]): Standing[] {
  return standings.filter((s) => s.prize !== null);
}

/**
 * What a public standings post may show: people who did something, not opted out, from the top
 * half of the field only (never more than `limit`), so nobody is shown at the bottom.
 */
export function publicTop(standings: readonly Standing[], limit = 5): Standing[] {
  const shown = Math.min(limit, Math.max(1, Math.floor(standings.length / 2)));
  return standings.filter((s) => s.public && s.score > 0 && s.rank <= shown);
}

/**
 * Goals for goal-percent ranking: each person's own, else the median of those who have one. With
 * nobody holding a goal the contest cannot be goal-relative and ranks raw values instead.
 */
export function fillGoals(own: ReadonlyMap<string, number | null>): {
  mode: 'goal_percent' | 'raw';
  goals: Map<string, number | null>;
  typical: number | null;
} {
  const known = [...own.values()].filter((g): g is number => g !== null && g > 0).sort((a, b) => a - b);
  if (known.length === 0) return { mode: 'raw', goals: new Map([...own.keys()].map((k) => [k, null])), typical: null };
  const middle = Math.floor(known.length / 2);
  const typical = known.length % 2 === 1 ? (known[middle] ?? 0) : ((known[middle - 1] ?? 0) + (known[middle] ?? 0)) / 2;
  return {
    mode: 'goal_percent',
    goals: new Map([...own].map(([userId, goal]) => [userId, goal !== null && goal > 0 ? goal : typical])),
    typical,
  };
}

/**
 * A goal's target scaled to the contest window by working days: a weekly goal of 10 demos is 20
 * for a two-week contest. Of several goals for the metric the one whose period is closest in length
 * to the contest wins (a custom goal covering the window first).
 */
export function goalForWindow(
  goals: readonly Goal[],
  window: { start: Date; end: Date },
  timezone: string,
  holidays: readonly string[] = [],
): number | null {
  const days = new Set(holidays);
  const contestDays = workingDaysBetween(window.start, window.end, timezone, days);
  if (contestDays <= 0) return null;
  const candidates = goals.map((goal) => {
    const period = goalWindow(goal, window.start, timezone);
    const periodDays = workingDaysBetween(period.start, period.end, timezone, days);
    const covers = goal.period === 'custom' && period.start <= window.start && period.end >= window.end;
    return { goal, periodDays, covers };
  });
  const best = candidates
    .filter((c) => c.periodDays > 0)
    .sort(
      (a, b) =>
        Number(b.covers) - Number(a.covers) ||
        Math.abs(a.periodDays - contestDays) - Math.abs(b.periodDays - contestDays),
    )[0];
  return best ? (best.goal.target * contestDays) / best.periodDays : null;
}

/** A scorecard's score, each metric's target replaced by the rep's own (scaled) goal where they have one. */
export function scorecardScore(
  weights: ScorecardWeights,
  valueOf: (metric: string) => number | null,
  ownTargets: ReadonlyMap<string, number> = new Map(),
): number {
  return weightedScore(
    weights.map((w) => ({ ...w, target: ownTargets.get(w.metric) ?? w.target })),
    valueOf,
  ).score;
}

export interface NextPrize {
  prize: string;
  /** The score still needed (in score units: percent, value or points). */
  scoreGap: number;
  /** The same gap in the metric's unit when the score is goal-relative or raw; null for scorecards. */
  valueGap: number | null;
}

/**
 * What one participant still needs for the next prize they do not have: the threshold, or the
 * lowest prize place (to tie it, which shares the place). Null when they already have a prize or
 * no prize is in reach (every place is taken by a tie above them, or none exist).
 */
export function nextPrize(standings: readonly Standing[], userId: string, rules: ContestRules): NextPrize | null {
  const me = standings.find((s) => s.userId === userId);
  if (!me || me.prize !== null) return null;
  const { prizes } = rules;
  let target: number;
  let prize: string;
  if (prizes.kind === 'threshold') {
    target = prizes.score;
    prize = prizes.prize;
  } else {
    const lastPlace = prizes.places.length;
    const holders = standings.filter((s) => s.userId !== userId && s.rank <= lastPlace);
    // With fewer rivals than places, the last place open to them is the lowest prize.
    const rival = holders.length >= lastPlace ? holders[lastPlace - 1] : undefined;
    target = rival?.score ?? 0;
    const place = rival ? Math.min(rival.rank, lastPlace) : Math.min(holders.length + 1, lastPlace);
    prize = prizes.places[place - 1] ?? prizes.places[lastPlace - 1] ?? '';
  }
  // Nothing wins at zero: the least score that can win is the minimum, or just above zero.
  target = Math.max(target, rules.minScore ?? 0, Number.MIN_VALUE);
  const scoreGap = Math.max(0, target - me.score);
  if (scoreGap === 0) return null;
  const valueGap =
    rules.mode === 'raw' ? scoreGap : rules.mode === 'goal_percent' && me.goal ? (scoreGap * me.goal) / 100 : null;
  return { prize, scoreGap, valueGap };
}

/** 'Mon 16 Nov – Sun 29 Nov 2026' for posts: the last day shown is the one before the exclusive end. */
export function contestDates(start: Date, end: Date, timezone: string): string {
  const first = DateTime.fromJSDate(start, { zone: timezone }).setLocale('en-US');
  const last = DateTime.fromJSDate(end, { zone: timezone }).minus({ milliseconds: 1 }).setLocale('en-US');
  const sameYear = first.year === last.year;
  return `${first.toFormat(sameYear ? 'ccc d LLL' : 'ccc d LLL yyyy')} – ${last.toFormat('ccc d LLL yyyy')}`;
}
