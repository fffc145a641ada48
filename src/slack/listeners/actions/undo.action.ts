import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { workspaceCurrency } from '../../../members/members.repository.js';
import { undoActivity } from '../../../recognition/undo.js';
import { undoneMessage } from '../../blocks/log.blocks.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/** The Undo button on a log confirmation. A double click or a retry reverses the entry once. */
export function createUndoAction(deps: AppDeps) {
  return async ({ ack, body, action, respond, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id;
    const activityId = Number(action.value);
    if (!workspaceId || !Number.isSafeInteger(activityId)) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'That button is out of date; nothing was changed.',
      });
      return;
    }
    const result = await undoActivity(deps.db, { workspaceId, userId: body.user.id }, activityId, deps.now());
    if (result.status === 'not_found' || result.status === 'not_yours') {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'Only the person who logged an entry can undo it, and this one was not found; nothing was changed.',
      });
      return;
    }
    const currency = await workspaceCurrency(deps.db, workspaceId);
    await respond({
      replace_original: true,
      ...undoneMessage(result.original, currency, result.status === 'already_undone'),
    });
  };
}
