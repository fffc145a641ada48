import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { openLogModal } from '../../open-log-modal.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** "Log…" under a nudge or on the App Home: the "Log activity" modal, as the shortcut opens it. */
export function createOpenLogModalAction(deps: AppDeps) {
  return async ({ ack, body, client, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id ?? body.user.team_id ?? '';
    const ids = { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId };
    await openLogModal(deps, client, { triggerId: body.trigger_id, ids });
  };
}
