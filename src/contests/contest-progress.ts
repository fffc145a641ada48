import type { Contest } from './contest.js';
import { contestStandings, type ParticipantDeps } from './contest-standings.js';
import { listContests } from './contests.repository.js';
import { type NextPrize, nextPrize, type ScoreMode, type Standing } from './scoring.js';

/**
 * A participant's own, private view of each live contest: their place (among everyone, opted out
 * or not), score, and what they still need for the next prize. `/kpi contest`, the App Home and
 * the nudges call it; nothing here is ever posted to a channel.
 */
export interface ContestProgress {
  contest: Contest;
  standing: Standing;
  /** How many take part. */
  of: number;
  mode: ScoreMode;
  /** Null when they already hold a prize or none is in reach. */
  next: NextPrize | null;
  def: Awaited<ReturnType<typeof contestStandings>>['def'];
}

export async function contestProgress(
  deps: ParticipantDeps,
  who: { workspaceId: string; userId: string; now: Date },
): Promise<ContestProgress[]> {
  const live = await listContests(deps.db, who.workspaceId, ['live']);
  const progress: ContestProgress[] = [];
  for (const contest of live) {
    const { standings, rules, def } = await contestStandings(deps, contest, who.now);
    const standing = standings.find((s) => s.userId === who.userId);
    if (!standing) continue;
    progress.push({
      contest,
      standing,
      of: standings.length,
      mode: rules.mode,
      next: nextPrize(standings, who.userId, rules),
      def,
    });
  }
  return progress;
}
