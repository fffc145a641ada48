import { type ContestLine, progressText } from '../slack/blocks/contest.blocks.js';
import { contestProgress } from './contest-progress.js';
import { type ParticipantDeps } from './contest-standings.js';
import { listContests } from './contests.repository.js';

/**
 * Live and scheduled contests with the person's own place and what the next prize needs: what
 * `/kpi contest` and the App Home both show.
 */
export async function contestLinesFor(
  deps: ParticipantDeps,
  who: { workspaceId: string; userId: string; now: Date },
  currency: string,
): Promise<ContestLine[]> {
  const [contests, progress] = await Promise.all([
    listContests(deps.db, who.workspaceId, ['live', 'scheduled']),
    contestProgress(deps, who),
  ]);
  return contests.map((contest) => {
    const mine = progress.find((p) => p.contest.id === contest.id);
    return {
      contest,
      mine: mine
        ? {
            standing: mine.standing,
            of: mine.of,
            mode: mine.mode,
            next: mine.next ? progressText(mine.next, mine.mode, mine.def, currency) : null,
          }
        : null,
    };
  });
}
