import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoardChartInput } from '../charts/board-chart.js';
import { boardChartInput, weeklyTrend } from '../charts/board-chart-data.js';
import { renderBoardChart } from '../charts/render.js';
import type { Database } from '../db/client.js';
import { getKpi } from '../kpi/catalogue.js';
import { buildLeaderboard } from '../kpi/leaderboard.js';
import { windowPair } from '../kpi/scope.js';
import type { WindowSpec } from '../kpi/windows.js';

/**
 * The pictures of the demo team's weekly board posts, drawn by the renderer the bot uses: revenue
 * (the account executives' board) and meetings booked (the development reps'), each with the
 * team's trend over the seeded weeks.
 */

/** The AEs' and the SDRs' headline boards. */
const BOARDS = ['revenue', 'meetings'] as const;
/** The seeded 90 days span 13 weeks, 14 with the current week. */
const TREND_WEEKS = 13;
/** A weekly board post shows its top 5. */
const TOP = 5;

export interface DemoChart {
  file: string;
  input: BoardChartInput;
}

export interface DemoChartOptions {
  workspaceId: string;
  now: Date;
  timezone: string;
  currency: string;
  window: WindowSpec;
  outDir: string;
}

export async function writeDemoCharts(db: Database, options: DemoChartOptions): Promise<DemoChart[]> {
  mkdirSync(options.outDir, { recursive: true });
  const charts: DemoChart[] = [];
  for (const key of BOARDS) {
    const metric = getKpi(key);
    const pair = windowPair(options.window, options.now, options.timezone);
    const [{ board }, trend] = await Promise.all([
      buildLeaderboard(db, { workspaceId: options.workspaceId, ...pair }, metric, null, TOP),
      weeklyTrend(db, { ...options, metric, weeks: TREND_WEEKS, until: pair.window.end }),
    ]);
    const input = boardChartInput(board, trend, options.currency);
    const file = join(options.outDir, `board-${key}.png`);
    writeFileSync(file, await renderBoardChart(input));
    charts.push({ file, input });
  }
  return charts;
}
