import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { formatKpiValue, type KpiDefinition } from '../kpi/catalogue.js';
import { loadFacts } from '../kpi/kpi.queries.js';
import type { Leaderboard } from '../kpi/leaderboard.js';
import { windowPair } from '../kpi/scope.js';
import { lowerFirst } from '../lib/slack-text.js';
import type { BoardChartInput, ChartBar, ChartPoint } from './board-chart.js';

/**
 * From the app's own figures to a chart: a board's public entries become bars (the most improved
 * highlighted), and the team's value week by week becomes the trend. Values are formatted by the
 * catalogue, so the picture says what the message says.
 */

/** The public entries only: the board already leaves out the bottom and opted-out people. */
export function boardBars(board: Leaderboard, currency: string): ChartBar[] {
  const improved = board.improved[0]?.userId;
  return board.entries.map((e) => ({
    label: `${e.rank}. ${e.name}`,
    value: e.value,
    display: formatKpiValue(board.metric, e.value, currency),
    highlight: e.userId === improved,
  }));
}

export function boardChartInput(board: Leaderboard, trend: readonly ChartPoint[], currency: string): BoardChartInput {
  const improved = board.improved[0];
  return {
    title: `${board.metric.label}: ${board.window.label}`,
    subtitle: improved
      ? `Highlighted: most improved vs ${lowerFirst(board.previous.label)}`
      : `Times in ${board.window.timezone}`,
    bars: boardBars(board, currency),
    trend,
    trendTitle: `Team ${board.metric.label.toLowerCase()}, week by week`,
  };
}

export interface TrendScope {
  workspaceId: string;
  metric: KpiDefinition;
  timezone: string;
  currency: string;
  /** Exclusive: a Monday post passes the end of last week, so the trend ends with the board's week. */
  until: Date;
  /** How many weeks, ending with the one `until` falls in (clipped at `until`). */
  weeks: number;
}

/**
 * The team's value of `metric` in each of the last `scope.weeks` weeks (Monday to Sunday in the
 * team's zone), oldest first, labelled with the week's start ("Nov 16"). A week with too little data
 * for a ratio has no column and shows a dash. One round of team queries per week: a dozen weeks for a weekly post.
 */
export async function weeklyTrend(db: Database, scope: TrendScope): Promise<ChartPoint[]> {
  const lastInstant = new Date(scope.until.getTime() - 1);
  const thisMonday = DateTime.fromJSDate(lastInstant, { zone: scope.timezone }).startOf('week');
  const mondays = Array.from({ length: scope.weeks }, (_, i) => thisMonday.minus({ weeks: scope.weeks - 1 - i }));
  return Promise.all(
    mondays.map(async (monday) => {
      const from = monday.toISODate() ?? '';
      const to = monday.plus({ days: 6 }).toISODate() ?? '';
      const pair = windowPair({ kind: 'range', from, to }, scope.until, scope.timezone);
      const facts = await loadFacts(db, {
        workspaceId: scope.workspaceId,
        userId: null,
        ...pair,
        quotaPeriod: 'week',
      });
      const result = scope.metric.compute(facts.current);
      const label = monday.toFormat('MMM d', { locale: 'en-US' });
      return result.status === 'ok'
        ? { label, value: result.value, display: formatKpiValue(scope.metric, result.value, scope.currency) }
        : { label, value: 0, display: '–' };
    }),
  );
}
