import { enqueuePosts } from '../../../delivery/outbox.repository.js';
import { buildLeaderboard } from '../../../kpi/leaderboard.js';
import { windowPair } from '../../../kpi/scope.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { leaderboardMessage } from '../../blocks/board.blocks.js';
import type { AppDeps } from '../../deps.js';
import { createStep, StepRefusal, textInput } from './step.js';
import { metricInput, windowInput } from './step-inputs.js';

const CHANNEL_ID = /^[CG][A-Z0-9]+$/;

/**
 * "Post a leaderboard": the public board (opted-out people left off, as `/kpi board` shows) posted to
 * a channel through the outbox, once per run of the step. Managers only, as channel boards are.
 */
export function createPostBoardStep(deps: AppDeps) {
  return createStep(deps, async ({ actor, inputs, executionId, now }) => {
    if (!isManager(actor.member)) throw new StepRefusal(onlyManagers('post a leaderboard to a channel'));
    const channel = textInput(inputs, 'channel_id');
    if (channel === null || !CHANNEL_ID.test(channel)) throw new StepRefusal('Choose a channel for “Channel”.');
    const metric = metricInput(inputs, 'revenue');
    if (!metric.boardable) throw new StepRefusal(`${metric.label} is a team figure, not one to rank people by.`);
    const scope = {
      workspaceId: actor.member.workspaceId,
      ...windowPair(windowInput(inputs, now, actor.timezone), now, actor.timezone),
    };
    const { board } = await buildLeaderboard(deps.db, scope, metric, null);
    await enqueuePosts(deps.db, [
      {
        workspaceId: actor.member.workspaceId,
        key: `board:workflow:${executionId}`,
        kind: 'board',
        target: channel,
        payload: leaderboardMessage(board, null, actor.currency),
      },
    ]);
    return {};
  });
}
