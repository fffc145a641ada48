import type { Database } from '../db/client.js';
import { loadGameProfiles } from '../game/game.queries.js';
import type { GameProfile } from '../game/profile.js';
import type { WorkspaceSettings } from '../game/settings.js';
import { type GoalView, goalViews, type KnownFacts } from '../goals/goal-status.js';
import { type Goal, goalHistory, liveGoals, quotaTarget } from '../goals/goals.repository.js';
import { getKpi, type KpiDefinition, type KpiResult } from '../kpi/catalogue.js';
import { type CoachingTip, chooseCoaching } from '../kpi/coaching.js';
import { type DataSources, type FactsPair, loadFacts } from '../kpi/kpi.queries.js';
import { type LeaderboardPosition, leaderboardPosition } from '../kpi/leaderboard.js';
import type { WindowPair } from '../kpi/scope.js';

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
  /** The rep's live goals with progress, and their points, streak and badges (when asked for). */
  goals?: GoalView[];
  game?: GameProfile;
}

/** Where the rep stands now: goals and the game are about today, whatever window the card shows. */
export interface ScorecardExtras {
  now: Date;
  timezone: string;
  settings: WorkspaceSettings;
  /** Read with the actor (see `Actor.known`): not read again. */
  known?: { sources: DataSources; keptZone: string | null };
}

export async function buildScorecard(
  db: Database,
  subject: { workspaceId: string; userId: string },
  pair: WindowPair,
  currency: string,
  extras?: ScorecardExtras,
): Promise<Scorecard> {
  // With goals and the game, the rep's goals are read once for all three (goals, quota, badges).
  const goals = extras ? goalHistory(db, subject.workspaceId, subject.userId) : undefined;
  const reading = loadFacts(db, {
    ...subject,
    ...pair,
    ...(goals ? { quotaPeriod: null } : {}),
    ...(extras?.known ? { sources: extras.known.sources } : {}),
  });
  const [read, rank, standing] = await Promise.all([
    reading,
    leaderboardPosition(db, { workspaceId: subject.workspaceId, ...pair }, getKpi(RANK_METRIC), subject.userId),
    extras && goals
      ? // A goal over the card's own window (a weekly goal on this week's card) takes the card's figures.
        goalsAndGame(
          db,
          subject,
          extras,
          goals,
          reading.then((facts) => ({ userId: subject.userId, window: pair.window, facts })),
        )
      : undefined,
  ]);
  const facts = goals ? withQuota(read, quotaTarget(await goals, pair.quotaPeriod)) : read;
  const rows = SCORECARD_KPIS.map((key) => {
    const def = getKpi(key);
    return { def, current: def.compute(facts.current), previous: def.compute(facts.previous) };
  }).filter((row) => row.def.key !== 'quota_attainment' || row.current.status !== 'missing');
  return { ...pair, rows, rank, coaching: chooseCoaching(facts.current, facts.previous, currency), ...standing };
}

async function goalsAndGame(
  db: Database,
  subject: { workspaceId: string; userId: string },
  extras: ScorecardExtras,
  history: Promise<Goal[]>,
  known: Promise<KnownFacts>,
): Promise<{ goals: GoalView[]; game: GameProfile | undefined }> {
  const { settings } = extras;
  const person = [
    {
      userId: subject.userId,
      timezone: extras.timezone,
      ...(extras.known ? { keptZone: extras.known.keptZone } : {}),
    },
  ];
  const ctx = { workspaceId: subject.workspaceId, now: extras.now, holidays: settings.holidays, settings };
  const [goals, game] = await Promise.all([
    Promise.all([history, known]).then(([rows, facts]) => goalViews(db, ctx, person, liveGoals(rows), facts)),
    loadGameProfiles(db, ctx, person, history),
  ]);
  return { goals: goals.get(subject.userId) ?? [], game: game.get(subject.userId) };
}

/** Facts with the quota read from the rep's goals, for the current window and the one before alike. */
function withQuota(facts: FactsPair, quotaCents: number | null): FactsPair {
  return { current: { ...facts.current, quotaCents }, previous: { ...facts.previous, quotaCents } };
}
