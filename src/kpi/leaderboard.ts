import type { Database } from '../db/client.js';
import { boardExclusions, displayNames } from '../members/members.repository.js';
import { type KpiDefinition, meetsMinSample } from './catalogue.js';
import { inputsOf } from './inputs.js';
import type { FactsPair } from './kpi.queries.js';
import { loadFactsByUser } from './kpi.queries.js';
import { competitionRank, improvements, mostImproved, rankCompetition, topWithTies } from './ranking.js';
import type { WindowPair } from './scope.js';
import { nothingBefore } from './windows.js';

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

/** Someone ranked, before their name is read: names are read only for the rows a board shows. */
interface Valued {
  userId: string;
  value: number;
  previous: number | null;
  /** Whether they take a place on the public board (see `onPublicBoard`). */
  isPublic: boolean;
}

async function contenders(db: Database, scope: BoardScope, metric: KpiDefinition) {
  const [facts, excluded] = await Promise.all([
    loadFactsByUser(db, { ...scope, userId: null }, inputsOf(metric)),
    boardExclusions(db, scope.workspaceId),
  ]);
  const ranked: Valued[] = [];
  /** Everyone counted, ranked or not: a team's total includes those with too little data to rank. */
  const counted: FactsPair[] = [];
  let notEnoughData = 0;
  for (const [userId, pair] of facts) {
    if (excluded.gone.has(userId)) continue;
    if (scope.team && !scope.team.has(userId)) continue;
    counted.push(pair);
    const value = valueOf(metric, pair, 'current');
    if (value === null) {
      notEnoughData++;
      continue;
    }
    ranked.push({
      userId,
      value,
      previous: valueOf(metric, pair, 'previous'),
      isPublic: onPublicBoard(metric, value, excluded.optedOut.has(userId)),
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

/**
 * Nothing done is nothing to rank: on a board of a count or a sum, people at zero have no place,
 * neither on the public list (they are not "last") nor privately (they are told nothing counts yet),
 * whether or not they had something in the window before.
 */
function hasPlace(metric: KpiDefinition, value: number): boolean {
  return !(metric.direction === 'higher_is_better' && value === 0);
}

function onPublicBoard(metric: KpiDefinition, value: number, optedOut: boolean): boolean {
  return !optedOut && hasPlace(metric, value);
}

/** How many of the most improved a board shows. */
const IMPROVED_SHOWN = 3;

/** Higher is better for this score whatever the metric's direction. */
function score(metric: KpiDefinition): (row: Valued) => number {
  return metric.direction === 'higher_is_better' ? (r) => r.value : (r) => -r.value;
}

/**
 * The board and, for the person asking, their own place: one pass over the data for both. `facts`
 * are everyone counted (ranked or not), for a team total. Only the rows that can be shown (ranked
 * `limit` or better, or among the three most improved, ties included) are named and sorted.
 */
export async function buildLeaderboard(
  db: Database,
  scope: BoardScope,
  metric: KpiDefinition,
  viewerId: string | null,
  limit = 10,
): Promise<{ board: Leaderboard; viewer: LeaderboardPosition | null; facts: FactsPair[] }> {
  const { ranked, notEnoughData, counted } = await contenders(db, scope, metric);
  const publicRows = ranked.filter((r) => r.isPublic);
  const improving = {
    current: (r: Pick<Contender, 'value'>) => r.value,
    previous: (r: Pick<Contender, 'previous'>) => r.previous ?? 0,
    direction: metric.direction,
  };
  const top = topWithTies(publicRows, score(metric), limit);
  const gains = topWithTies(
    improvements(
      publicRows.filter((r) => r.previous !== null),
      improving,
    ),
    (g) => g.delta,
    IMPROVED_SHOWN,
  ).map((g) => g.row);
  const names = await displayNames(db, scope.workspaceId, [...new Set([...top, ...gains].map((r) => r.userId))]);
  const named = (r: Valued): Contender => ({
    userId: r.userId,
    name: names.get(r.userId) ?? r.userId,
    value: r.value,
    previous: r.previous,
  });
  const improved = mostImproved(gains.map(named), { ...improving, name: (r) => r.name })
    .slice(0, IMPROVED_SHOWN)
    .map(({ row, delta }) => ({ userId: row.userId, name: row.name, delta }));
  const entries = rankCompetition(top.map(named), {
    value: (r) => r.value,
    direction: metric.direction,
    name: (r) => r.name,
  }).map(({ row, rank }) => ({ ...row, rank }));
  return {
    board: { ...scope, metric, entries, improved, notEnoughData },
    viewer: viewerId === null ? null : positionOf(ranked, publicRows, metric, viewerId),
    facts: counted,
  };
}

/**
 * A person's own place, shown only to them: among the public board plus themself, so someone who
 * opted out (or is at zero) still learns where they stand without taking anyone's place.
 */
function positionOf(
  ranked: readonly Valued[],
  publicRows: readonly Valued[],
  metric: KpiDefinition,
  userId: string,
): LeaderboardPosition | null {
  const me = ranked.find((r) => r.userId === userId);
  if (!me || !hasPlace(metric, me.value)) return null;
  const others = publicRows.filter((r) => r.userId !== userId).map((r) => r.value);
  return {
    metric,
    rank: competitionRank(me.value, others, metric.direction),
    of: others.length + 1,
    value: me.value,
  };
}

/**
 * A person's own place alone. The window before is read only for a figure that compares with it
 * (sales growth): a place itself compares with nothing.
 */
export async function leaderboardPosition(
  db: Database,
  scope: BoardScope,
  metric: KpiDefinition,
  userId: string,
): Promise<LeaderboardPosition | null> {
  const current = inputsOf(metric).previous ? scope : { ...scope, previous: nothingBefore(scope.window) };
  const { ranked } = await contenders(db, current, metric);
  return positionOf(
    ranked,
    ranked.filter((r) => r.isPublic),
    metric,
    userId,
  );
}
