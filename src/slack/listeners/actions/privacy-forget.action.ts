import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { getMember } from '../../../members/members.repository.js';
import { isAdmin, onlyAdmins } from '../../../members/roles.js';
import { type ForgetMode, forgetMember } from '../../../privacy/forget.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * The admin's choice on the forget confirmation. The clicker's role is checked again here: a button
 * can be forged or forwarded. A second click finds nothing left and says so.
 */
export function createForgetAction(deps: AppDeps, mode: ForgetMode) {
  return async ({ ack, body, action, respond, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id;
    const userId = action.value ?? '';
    const actor = workspaceId ? await getMember(deps.db, workspaceId, body.user.id) : undefined;
    if (!workspaceId || !actor || !isAdmin(actor)) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: onlyAdmins('erase someone’s personal data'),
      });
      return;
    }
    const result = await forgetMember(deps.db, { workspaceId, userId, actorId: actor.userId, mode, at: deps.now() });
    const text =
      result.status === 'nothing_stored'
        ? `Nothing is stored about <@${userId}> any more; nothing was changed.`
        : mode === 'anonymise'
          ? `Done: <@${userId}>'s personal data is erased. Their ${result.entries} entries stay in team totals as "Former teammate". Kept in the audit log.`
          : `Done: <@${userId}>'s personal data and their ${result.entries} entries are erased. Kept in the audit log.`;
    await respond({ replace_original: true, text });
  };
}
