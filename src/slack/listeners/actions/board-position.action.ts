import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { boardMetric, windowPairOf } from '../../../boards/board-post.js';
import { getSubscription, scheduleOf } from '../../../boards/board-subscriptions.repository.js';
import { ChannelTeamError, channelTeam } from '../../../boards/channel-team.js';
import { leaderboardPosition } from '../../../kpi/leaderboard.js';
import { resolveActor } from '../../actor.js';
import { decodePositionRef, describeBoardError, positionMessage } from '../../blocks/board-post.blocks.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * "See my position" on a scheduled board: the clicker's own place in that post's window, among the
 * channel's members, answered only to them. Someone who opted out or is at zero still learns it.
 */
export function createBoardPositionAction(deps: AppDeps) {
  return async ({ ack, body, action, respond, context, client }: Args) => {
    await ack();
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const workspaceId = context.teamId ?? body.team?.id;
    const ref = decodePositionRef(action.value ?? '');
    const sub = workspaceId && ref ? await getSubscription(deps.db, workspaceId, ref.subscriptionId) : undefined;
    if (!workspaceId || !ref || !sub) {
      await reply('That board is no longer available, so I cannot work out your position on it.');
      return;
    }
    const ids = { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId };
    const { member, currency } = await resolveActor(deps, client, ids, deps.now());
    let team: Set<string>;
    try {
      team = await channelTeam(deps.db, client, workspaceId, sub.channelId);
    } catch (error) {
      if (!(error instanceof ChannelTeamError)) throw error;
      await reply(`I cannot read this channel's members right now: ${describeBoardError(error.slackError)}.`);
      return;
    }
    // The clicker counts even if their profile was never synced (they can see the post).
    team.add(body.user.id);
    const { metric } = boardMetric(sub, currency);
    const pair = windowPairOf(scheduleOf(sub), ref, { start: ref.previousStart, end: ref.start });
    const position = await leaderboardPosition(deps.db, { workspaceId, team, ...pair }, metric, body.user.id);
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...positionMessage({
        metric,
        windowLabel: pair.window.label,
        position,
        optedOut: member.publicOptOut,
        currency,
      }),
    });
  };
}
