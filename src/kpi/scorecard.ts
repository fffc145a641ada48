import type { Database } from '../db/client.js';
import { getKpi, type KpiDefinition, type KpiResult } from './catalogue.js';
import { type CoachingTip, chooseCoaching } from './coaching.js';
import { loadFacts } from './kpi.queries.js';
import { type LeaderboardPosition, leaderboardPosition } from './leaderboard.js';
import type { WindowPair } from './scope.js';

/** The KPIs on a rep's scorecard, outcome first. Quota attainment shows only when a goal exists. */
export const SCORECARD_KPIS = [
  'revenue',
  'deals_won',
  'win_rate',
  'avg_deal_size',
  'quota_attainment',
  'calls',
  'conversations',
  'meetings',
  'reach_rate',
  'pass_rate',
] as const;

/** The metric a scorecard's rank is given in. */
export const RANK_METRIC = 'revenue';

export interface ScorecardRow {
  def: KpiDefinition;
  current: KpiResult;
  previous: KpiResult;
}

export interface Scorecard extends WindowPair {
  rows: ScorecardRow[];
  rank: LeaderboardPosition | null;
  coaching: CoachingTip | null;
}

export async function buildScorecard(
  db: Database,
  subject: { workspaceId: string; userId: string },
  pair: WindowPair,
  currency: string,
): Promise<Scorecard> {
  const [facts, rank] = await Promise.all([
    loadFacts(db, { ...subject, ...pair }),
    leaderboardPosition(db, { workspaceId: subject.workspaceId, ...pair }, getKpi(RANK_METRIC), subject.userId),
  ]);
  const rows = SCORECARD_KPIS.map((key) => {
    const def = getKpi(key);
    return { def, current: def.compute(facts.current), previous: def.compute(facts.previous) };
  }).filter((row) => row.def.key !== 'quota_attainment' || row.current.status !== 'missing');
  return { ...pair, rows, rank, coaching: chooseCoaching(facts.current, facts.previous, currency) };
}
