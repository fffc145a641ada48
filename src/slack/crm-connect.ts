import { CRM_LABEL } from '../integrations/crm-event.js';
import { issueState, oauthRedirectUri } from '../integrations/crm-grants.js';
import type { CrmOAuthClient } from '../integrations/crm-oauth.js';
import type { Member } from '../members/members.repository.js';
import { connectButtonMessage } from './blocks/crm-connect.blocks.js';
import { type SlackMessage, textMessage } from './blocks/message.js';
import type { AppDeps } from './deps.js';

/** The button to the CRM's consent page, with a state issued to this admin for this workspace. */
export async function authorizeMessage(deps: AppDeps, member: Member, client: CrmOAuthClient): Promise<SlackMessage> {
  const { source } = client;
  const publicUrl = deps.crm.config.publicUrl;
  if (!publicUrl) {
    return textMessage(
      `${CRM_LABEL[source]} cannot send you back here: PUBLIC_URL is not set on this server. Ask whoever runs it.`,
    );
  }
  const claim = { workspaceId: member.workspaceId, userId: member.userId, source };
  const state = await issueState(deps.db, deps.now(), claim, client.stateKey);
  return connectButtonMessage(source, client.authorizeUrl(state, oauthRedirectUri(publicUrl, source)));
}
