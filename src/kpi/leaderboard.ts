import type { Database } from '../db/client.js';
import { type BoardMember, boardMembers } from '../members/members.repository.js';
import { type KpiDefinition, meetsMinSample } from './catalogue.js';
import { inputsOf } from './inputs.js';
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

/**
 * Whose board, over which windows: the workspace, or only `team` (a channel's members), over any
 * window pair (a named period, or the exact span of a scheduled post and the span before it).
 */
export interface BoardScope extends WindowPair {
  workspaceId: string;
  team?: ReadonlySet<string>;
}

async function contenders(db: Database, scope: BoardScope, metric: KpiDefinition) {
  const [facts, people] = await Promise.all([
    loadFactsByUser(db, { ...scope, userId: null }, inputsOf(metric)),
    boardMembers(db, scope.workspaceId),
  ]);
  const ranked: (Contender & { member: BoardMember | undefined })[] = [];
  /** Everyone counted, ranked or not: a team's total includes those with too little data to rank. */
  const counted: FactsPair[] = [];
  let notEnoughData = 0;
  for (const [userId, pair] of facts) {
    const member = people.get(userId);
    if (member?.isBot || member?.isDeleted) continue;
    if (scope.team && !scope.team.has(userId)) continue;
    counted.push(pair);
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
  return { ranked, notEnoughData, counted };
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

/**
 * Nothing done is nothing to celebrate: on a board of a count or a sum, people at zero are left
 * off the public list (they are not "last"), and still see their own place privately.
 */
function onPublicBoard(metric: KpiDefinition, row: Contender & { member: BoardMember | undefined }): boolean {
  if (row.member?.publicOptOut) return false;
  return !(metric.direction === 'higher_is_better' && row.value === 0);
}

/**
 * The board and, for the person asking, their own place: one pass over the data for both. `facts`
 * are everyone counted (ranked or not), for a team total.
 */
export async function buildLeaderboard(
  db: Database,
  scope: BoardScope,
  metric: KpiDefinition,
  viewerId: string | null,
  limit = 10,
): Promise<{ board: Leaderboard; viewer: LeaderboardPosition | null; facts: FactsPair[] }> {
  const { ranked, notEnoughData, counted } = await contenders(db, scope, metric);
  const publicRows = ranked.filter((r) => onPublicBoard(metric, r));
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
  const board = {
    ...scope,
    metric,
    entries: all
      .filter((e) => e.rank <= limit)
      .map(({ userId, name, value, previous, rank }) => ({ userId, name, value, previous, rank })),
    improved,
    notEnoughData,
  };
  return {
    board,
    viewer: viewerId === null ? null : positionOf(ranked, publicRows, metric, viewerId),
    facts: counted,
  };
}

/**
 * A person's own place, shown only to them: among the public board plus themself, so someone who
 * opted out (or is at zero) still learns where they stand without taking anyone's place.
 */
function positionOf(
  ranked: readonly (Contender & { member: BoardMember | undefined })[],
  publicRows: readonly Contender[],
  metric: KpiDefinition,
  userId: string,
): LeaderboardPosition | null {
  const me = ranked.find((r) => r.userId === userId);
  if (!me) return null;
  const field = [...publicRows.filter((r) => r.userId !== userId), me];
  const mine = rankRows(field, metric).find((e) => e.userId === userId);
  return mine ? { metric, rank: mine.rank, of: field.length, value: mine.value } : null;
}

export async function leaderboardPosition(
  db: Database,
  scope: BoardScope,
  metric: KpiDefinition,
  userId: string,
): Promise<LeaderboardPosition | null> {
  const { ranked } = await contenders(db, scope, metric);
  return positionOf(
    ranked,
    ranked.filter((r) => onPublicBoard(metric, r)),
    metric,
    userId,
  );
}
