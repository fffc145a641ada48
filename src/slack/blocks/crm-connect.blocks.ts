import { CRM_LABEL, type CrmSource } from '../../integrations/crm-event.js';
import { ACTIONS } from '../ids.js';
import { context, type SlackMessage } from './message.js';

/**
 * The admin's way to the CRM's consent page. Only they see it: the link carries a state issued to
 * them, which works once and for ten minutes.
 */
export function connectButtonMessage(source: CrmSource, authorizeUrl: string): SlackMessage {
  const label = CRM_LABEL[source];
  return {
    text: `Connect ${label}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*Connect ${label}.* Approve access in ${label}; the account you choose there becomes this workspace's.`,
        },
        accessory: {
          type: 'button',
          action_id: ACTIONS.crmAuthorize,
          text: { type: 'plain_text', text: `Open ${label}` },
          url: authorizeUrl,
          style: 'primary',
        },
      },
      context('Only you can see this. The link works once, for 10 minutes.'),
    ],
  };
}

/** What the admin sees once the CRM refused to renew our access (revoked in the CRM, or expired). */
export function grantRefusedText(source: CrmSource): string {
  const label = CRM_LABEL[source];
  return (
    `:warning: *${label} no longer accepts our access* (revoked in ${label}, or expired), so details its webhooks ` +
    `leave out cannot be read. Run \`/kpi crm connect ${source}\` to connect it again.`
  );
}
