import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { saveFeedback } from '../../../coaching/feedback.repository.js';
import { NUDGE_RULES, UNHELPFUL_QUIET_DAYS } from '../../../coaching/nudge-rules.js';
import { decodeFeedbackValue } from '../../blocks/nudge.blocks.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** "Helpful" / "Not helpful" under a nudge's prompt: stored once per nudge, acknowledged privately. */
export function createNudgeFeedbackAction(deps: AppDeps, helpful: boolean) {
  return async ({ ack, body, action, respond, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id;
    const value = decodeFeedbackValue(action.value);
    const saved =
      workspaceId && value && NUDGE_RULES.includes(value.rule)
        ? await saveFeedback(deps.db, { workspaceId, userId: body.user.id, ...value, helpful, at: deps.now() })
        : 'not_found';
    const text =
      saved === 'not_found'
        ? 'That button is out of date; nothing was stored.'
        : helpful
          ? 'Thanks! Noted that this tip helped.'
          : `Thanks, noted. I won't bring up this kind of tip for the next ${UNHELPFUL_QUIET_DAYS} days.`;
    await respond({ response_type: 'ephemeral', replace_original: false, text });
  };
}
