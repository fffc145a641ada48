import { latestUndoable, recordActivity } from '../../../activities/activities.repository.js';
import type { CoreCommand } from '../../../commands/parse.js';
import type { WorkspaceSettings } from '../../../game/settings.js';
import { getKpi } from '../../../kpi/catalogue.js';
import { loadFacts } from '../../../kpi/kpi.queries.js';
import { buildLeaderboard } from '../../../kpi/leaderboard.js';
import { windowPair } from '../../../kpi/scope.js';
import { setPublicOptOut } from '../../../members/members.repository.js';
import { recordActivityAndCelebrate } from '../../../recognition/celebrations.js';
import { undoActivity } from '../../../recognition/undo.js';
import { buildScorecard } from '../../../scorecard/scorecard.js';
import { leaderboardMessage } from '../../blocks/board.blocks.js';
import { explainListMessage, explainMessage } from '../../blocks/explain.blocks.js';
import { loggedMessage, undoneMessage } from '../../blocks/log.blocks.js';
import { type SlackMessage, textMessage } from '../../blocks/message.js';
import { scorecardMessage } from '../../blocks/scorecard.blocks.js';
import type { AppDeps } from '../../deps.js';

/** Who asked, where, and what they need to get an answer in their own timezone and currency. */
export interface Invocation {
  workspaceId: string;
  userId: string;
  timezone: string;
  currency: string;
  isOptedOut: boolean;
  settings: WorkspaceSettings;
  /** Slack's id for this invocation: the idempotency key of anything it writes. */
  triggerId: string;
  now: Date;
}

const DEFAULT_BOARD_METRIC = 'revenue';

/** Runs a parsed `/kpi` command (all but help and the admins' crm) and returns the reply. */
export async function runKpiCommand(
  deps: Pick<AppDeps, 'db'>,
  inv: Invocation,
  command: CoreCommand,
): Promise<SlackMessage> {
  const { db } = deps;
  const who = { workspaceId: inv.workspaceId, userId: inv.userId };
  switch (command.type) {
    case 'log': {
      const { activity, created } = await recordActivityAndCelebrate(
        db,
        {
          ...who,
          kind: command.kind,
          quantity: command.quantity,
          amountCents: command.amountCents,
          note: command.note,
          occurredAt: inv.now,
          source: 'slack',
          recordedBy: inv.userId,
          idempotencyKey: `slack:${inv.triggerId}`,
        },
        inv.now,
      );
      return loggedMessage(activity, inv.currency, !created);
    }
    case 'undo': {
      const latest = await latestUndoable(db, inv.workspaceId, inv.userId);
      if (!latest)
        return textMessage('There is nothing of yours to undo: entries you log with `/kpi log` can be undone.');
      const result = await undoActivity(db, who, latest.id, inv.now);
      if (result.status === 'undone' || result.status === 'already_undone') {
        return undoneMessage(result.original, inv.currency, result.status === 'already_undone');
      }
      return textMessage('There is nothing of yours to undo.');
    }
    case 'me': {
      const pair = windowPair(command.window, inv.now, inv.timezone);
      const card = await buildScorecard(db, who, pair, inv.currency, {
        now: inv.now,
        timezone: inv.timezone,
        settings: inv.settings,
      });
      return scorecardMessage(card, inv.currency);
    }
    case 'board': {
      const metric = getKpi(command.metric ?? DEFAULT_BOARD_METRIC);
      if (!metric.boardable) {
        return textMessage(
          `${metric.label} is a team figure, not one to rank people by. Try \`/kpi explain ${metric.key.replace(/_/g, ' ')}\`.`,
        );
      }
      const scope = { workspaceId: inv.workspaceId, ...windowPair(command.window, inv.now, inv.timezone) };
      const { board, viewer } = await buildLeaderboard(db, scope, metric, inv.userId);
      return leaderboardMessage(board, viewer, inv.currency);
    }
    case 'explain': {
      if (command.metric === null) return explainListMessage();
      const def = getKpi(command.metric);
      const pair = windowPair({ kind: 'week' }, inv.now, inv.timezone);
      const facts = await loadFacts(db, { ...who, ...pair });
      return explainMessage(
        { def, window: pair.window, result: def.compute(facts.current), activities: facts.current.activities },
        inv.currency,
      );
    }
    case 'privacy': {
      if (command.setting === 'status') {
        return textMessage(
          inv.isOptedOut
            ? 'You are hidden from public boards. You still see your own numbers. `/kpi privacy show` puts you back.'
            : 'You appear on public boards. `/kpi privacy hide` hides you; you will still see your own numbers.',
        );
      }
      const hide = command.setting === 'hide';
      await setPublicOptOut(db, inv.workspaceId, inv.userId, hide);
      return textMessage(
        hide
          ? 'Done: you are hidden from every public board and post. Your private scorecard (`/kpi me`) still shows your place.'
          : 'Done: you appear on public boards again.',
      );
    }
  }
}
