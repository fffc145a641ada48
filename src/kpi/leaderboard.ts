import type { Database } from '../db/client.js';
import { getMembers, type Member } from '../members/members.repository.js';
import { type KpiDefinition, meetsMinSample } from './catalogue.js';
import type { FactsPair } from './kpi.queries.js';
import { loadFactsByUser } from './kpi.queries.js';
import { mostImproved, rankCompetition } from './ranking.js';
import type { WindowPair } from './scope.js';

/**
 * Leaderboards. Ranking is standard competition ranking (1, 2, 2, 4); within a tie people are listed
 * by name, which changes nobody's rank. People who opted out of public boards are left out of the
 * public list and do not take a place in it; they still see their own position privately. Ratio
 * KPIs rank only people with enough data (e.g. three closed deals for win rate), so one lucky deal
 * does not top the board.
 */

export interface Contender {
  userId: string;
  name: string;
  value: number;
  previous: number | null;
}

export interface RankedEntry extends Contender {
  rank: number;
}

export interface Leaderboard extends WindowPair {
  metric: KpiDefinition;
  /** Public, best first: the top `limit` ranks. */
  entries: RankedEntry[];
  /** Everyone publicly ranked, for counts and the viewer's own place. */
  rankedCount: number;
  /** Biggest improvements on the previous window, public people only. */
  improved: { userId: string; name: string; delta: number }[];
  /** People with some activity but too little data for this metric. */
  notEnoughData: number;
}

export interface LeaderboardPosition {
  metric: KpiDefinition;
  rank: number;
  of: number;
  value: number;
}

interface BoardScope extends WindowPair {
  workspaceId: string;
}

async function contenders(db: Database, scope: BoardScope, metric: KpiDefinition) {
  const facts = await loadFactsByUser(db, { ...scope, userId: null });
  const people = new Map((await getMembers(db, scope.workspaceId, [...facts.keys()])).map((m) => [m.userId, m]));
  const ranked: (Contender & { member: Member | undefined })[] = [];
  let notEnoughData = 0;
  for (const [userId, pair] of facts) {
    const member = people.get(userId);
    if (member?.isBot || member?.isDeleted) continue;
    const value = valueOf(metric, pair, 'current');
    if (value === null) {
      notEnoughData++;
      continue;
    }
    ranked.push({
      userId,
      name: member?.displayName ?? userId,
      value,
      previous: valueOf(metric, pair, 'previous'),
      member,
    });
  }
  return { ranked, notEnoughData };
}

function valueOf(metric: KpiDefinition, pair: FactsPair, which: 'current' | 'previous'): number | null {
  const facts = pair[which];
  if (!meetsMinSample(metric, facts)) return null;
  const result = metric.compute(facts);
  return result.status === 'ok' ? result.value : null;
}

function rankRows(rows: readonly Contender[], metric: KpiDefinition): RankedEntry[] {
  return rankCompetition(rows, { value: (r) => r.value, direction: metric.direction, name: (r) => r.name }).map(
    ({ row, rank }) => ({ ...row, rank }),
  );
}

export async function buildLeaderboard(
  db: Database,
  scope: BoardScope,
  metric: KpiDefinition,
  limit = 10,
): Promise<Leaderboard> {
  const { ranked, notEnoughData } = await contenders(db, scope, metric);
  const publicRows = ranked.filter((r) => !r.member?.publicOptOut);
  const all = rankRows(publicRows, metric);
  const improved = mostImproved(
    publicRows.filter((r) => r.previous !== null),
    {
      current: (r) => r.value,
      previous: (r) => r.previous ?? 0,
      name: (r) => r.name,
      direction: metric.direction,
    },
  )
    .slice(0, 3)
    .map(({ row, delta }) => ({ userId: row.userId, name: row.name, delta }));
  return {
    ...scope,
    metric,
    entries: all
      .filter((e) => e.rank <= limit)
      .map(({ userId, name, value, previous, rank }) => ({ userId, name, value, previous, rank })),
    rankedCount: all.length,
    improved,
    notEnoughData,
  };
}

/**
 * A person's own place, shown only to them: among the public board plus themself, so someone who
 * opted out still learns where they would stand without taking anyone's place.
 */
export async function leaderboardPosition(
  db: Database,
  scope: BoardScope,
  metric: KpiDefinition,
  userId: string,
): Promise<LeaderboardPosition | null> {
  const { ranked } = await contenders(db, scope, metric);
  const me = ranked.find((r) => r.userId === userId);
  if (!me) return null;
  const field = ranked.filter((r) => r.userId === userId || !r.member?.publicOptOut);
  const mine = rankRows(field, metric).find((e) => e.userId === userId);
  return mine ? { metric, rank: mine.rank, of: field.length, value: mine.value } : null;
}
