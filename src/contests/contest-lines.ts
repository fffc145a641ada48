import { formatKpiValue, type KpiDefinition } from '../kpi/catalogue.js';
import { escapeMrkdwn } from '../lib/slack-text.js';
import type { Contest } from './contest.js';
import { contestProgress } from './contest-progress.js';
import { type ParticipantDeps } from './contest-standings.js';
import { listContests } from './contests.repository.js';
import type { NextPrize, ScoreMode, Standing } from './scoring.js';

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

/** '3 demos', '$12,000', '40%': a value with its unit. */
export function valueText(def: KpiDefinition, value: number, currency: string): string {
  const formatted = formatKpiValue(def, value, currency);
  return def.unit === 'count' ? `${formatted} ${def.label.toLowerCase()}` : formatted;
}

/** "2 demos to go for the Q4 bonus", "14 pts to go for Silver": counts round up, nobody needs half a demo. */
export function progressText(next: NextPrize, mode: ScoreMode, def: KpiDefinition | null, currency: string): string {
  const gap =
    next.valueGap !== null && def
      ? valueText(def, def.unit === 'count' ? Math.max(1, Math.ceil(next.valueGap - 1e-9)) : next.valueGap, currency)
      : `${Math.max(1, Math.ceil(next.scoreGap))} ${mode === 'goal_percent' ? 'points of your goal' : 'pts'}`;
  return `${gap} to go for ${escapeMrkdwn(next.prize)}`;
}

export interface ContestLine {
  contest: Contest;
  mine: { standing: Standing; of: number; mode: ScoreMode; next: string | null } | null;
}
