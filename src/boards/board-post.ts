import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { activeGoals } from '../goals/goals.repository.js';
import { getKpi, type KpiDefinition } from '../kpi/catalogue.js';
import type { FactsPair } from '../kpi/kpi.queries.js';
import { type BoardScope, buildLeaderboard, type Leaderboard } from '../kpi/leaderboard.js';
import type { WindowPair } from '../kpi/scope.js';
import { scorecardSchema } from '../kpi/weighted-score.js';
import { describeWindow, type TimeWindow } from '../kpi/windows.js';
import { scorecardKpi, teamFigure } from './board-metric.js';
import type { BoardSubscription } from './board-subscriptions.repository.js';
import { comparisonWindow, type PostWindow, recentPeriods, type Schedule } from './schedule.js';

/**
 * Everything one scheduled board post shows, computed from the stored log for exactly the post's
 * window, the team being the channel's members. The Block Kit and the chart input are built from
 * this by pure functions.
 */

export interface TrendPoint {
  start: Date;
  value: number;
}

export interface BoardPostData {
  subscriptionId: number;
  channelId: string;
  metric: KpiDefinition;
  isScorecard: boolean;
  board: Leaderboard;
  /** How many scheduled periods the window spans (more than one after missed runs). */
  periods: number;
  cadence: Schedule['cadence'];
  /** People on the team (channel members who are people of the workspace). */
  teamSize: number;
  /** How many of the team have something to show in the window (public or not). */
  active: number;
  team: { value: number | null; previous: number | null };
  /** The team goal for the board's period (week or month), if the channel has one for this metric. */
  goal: { target: number; period: string } | null;
  /** The team's figure for each of the last periods, oldest first, ending with this window's period. */
  trend: TrendPoint[];
  currency: string;
}

export const TREND_PERIODS = 8;

const GOAL_PERIOD: Partial<Record<Schedule['cadence'], string>> = { weekly: 'week', monthly: 'month' };

/** A window of a board post as the KPI code takes it: exact instants, described in the board's zone. */
export function postTimeWindow(start: Date, end: Date, timezone: string): TimeWindow {
  const day = (d: Date) => DateTime.fromJSDate(d, { zone: timezone }).toISODate() ?? '';
  const base = { spec: { kind: 'range' as const, from: day(start), to: day(end) }, start, end, timezone, label: '' };
  return { ...base, label: describeWindow(base) };
}

/** A post's window and the one it is compared with, with the goal period of the board's cadence. */
export function windowPairOf(
  schedule: Schedule,
  window: { start: Date; end: Date },
  previous: { start: Date; end: Date },
): WindowPair {
  return {
    window: postTimeWindow(window.start, window.end, schedule.timezone),
    previous: postTimeWindow(previous.start, previous.end, schedule.timezone),
    quotaPeriod: GOAL_PERIOD[schedule.cadence] ?? null,
  };
}

/** The subscription's metric, or its scorecard read as a metric. */
export function boardMetric(sub: BoardSubscription, currency: string): { metric: KpiDefinition; isScorecard: boolean } {
  if (sub.scorecard !== null) {
    return { metric: scorecardKpi(scorecardSchema.parse(sub.scorecard), currency), isScorecard: true };
  }
  return { metric: getKpi(sub.metric ?? 'revenue'), isScorecard: false };
}

export async function composeBoardPost(
  db: Database,
  input: {
    sub: BoardSubscription;
    schedule: Schedule;
    window: PostWindow;
    team: ReadonlySet<string>;
    currency: string;
  },
): Promise<BoardPostData> {
  const { sub, schedule, window, team, currency } = input;
  const { metric, isScorecard } = boardMetric(sub, currency);
  const scope = (pair: WindowPair): BoardScope => ({ workspaceId: sub.workspaceId, team, ...pair });
  const pair = windowPairOf(schedule, window, comparisonWindow(schedule, window));
  const [main, goals, trend] = await Promise.all([
    buildLeaderboard(db, scope(pair), metric, null, sub.topN),
    isScorecard ? Promise.resolve([]) : activeGoals(db, sub.workspaceId, { channelId: sub.channelId }),
    trendOf(db, { schedule, window, metric, isScorecard, scope }),
  ]);
  const goalPeriod = GOAL_PERIOD[schedule.cadence];
  // One period's goal is only comparable with one period's total.
  const goal = window.periods === 1 ? goals.find((g) => g.metric === sub.metric && g.period === goalPeriod) : undefined;
  return {
    subscriptionId: sub.id,
    channelId: sub.channelId,
    metric,
    isScorecard,
    board: main.board,
    periods: window.periods,
    cadence: schedule.cadence,
    teamSize: team.size,
    active: main.facts.filter((p) => counts(metric, p)).length,
    team: {
      value: teamFigure(metric, isScorecard, main.facts, 'current'),
      previous: teamFigure(metric, isScorecard, main.facts, 'previous'),
    },
    goal: goal && goalPeriod ? { target: goal.target, period: goalPeriod } : null,
    trend,
    currency,
  };
}

/** Whether a person has something to show in the window: a value, and for counts and sums not zero. */
function counts(metric: KpiDefinition, person: FactsPair): boolean {
  const result = metric.compute(person.current);
  return result.status === 'ok' && (metric.direction === 'lower_is_better' || result.value !== 0);
}

/** The team's figure over the last periods, two periods per query (a window and the one before). */
async function trendOf(
  db: Database,
  ctx: {
    schedule: Schedule;
    window: PostWindow;
    metric: KpiDefinition;
    isScorecard: boolean;
    scope: (pair: WindowPair) => BoardScope;
  },
): Promise<TrendPoint[]> {
  const periods = recentPeriods(ctx.schedule, ctx.window.end, TREND_PERIODS);
  const pairs: { later: { start: Date; end: Date }; earlier: { start: Date; end: Date } }[] = [];
  for (let i = periods.length - 1; i >= 1; i -= 2) {
    const later = periods[i];
    const earlier = periods[i - 1];
    if (later && earlier) pairs.push({ later, earlier });
  }
  const loaded = await Promise.all(
    pairs.map(async ({ later, earlier }) => {
      const { facts } = await buildLeaderboard(
        db,
        ctx.scope(windowPairOf(ctx.schedule, later, earlier)),
        ctx.metric,
        null,
        0,
      );
      return [
        { start: earlier.start, value: teamFigure(ctx.metric, ctx.isScorecard, facts, 'previous') ?? 0 },
        { start: later.start, value: teamFigure(ctx.metric, ctx.isScorecard, facts, 'current') ?? 0 },
      ];
    }),
  );
  return loaded.flat().sort((a, b) => a.start.getTime() - b.start.getTime());
}
