import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { CRM_SOURCES } from '../../../integrations/crm-event.js';
import { requireAdmin } from '../../../members/roles.js';
import { resolveActor } from '../../actor.js';
import { authorizeMessage } from '../../crm-connect.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * "Connect HubSpot" on an admin's App Home. The role is checked again (anyone can send the click);
 * the link to the consent page carries a state issued to this admin, so it goes to their DM, where
 * only they see it, rather than onto a Home tab that stays open longer than the state lives.
 */
export function createCrmConnectAction(deps: AppDeps) {
  return async ({ ack, body, action, client, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id;
    const source = CRM_SOURCES.find((s) => s === action.value);
    const oauth = source && deps.crm.oauth[source];
    if (!workspaceId || !oauth) return;
    const ids = { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId };
    const { member } = await resolveActor(deps, client, ids, deps.now());
    requireAdmin(member, 'connect a CRM');
    await client.chat.postMessage({ channel: body.user.id, ...(await authorizeMessage(deps, member, oauth)) });
  };
}
