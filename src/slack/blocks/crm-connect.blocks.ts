import type { CrmHome } from '../../home/home.queries.js';
import { DEFAULT_BACKFILL_DAYS } from '../../integrations/backfill/window.js';
import { CRM_ACCOUNT_NOUN, CRM_LABEL, type CrmSource } from '../../integrations/crm-event.js';
import { ACTIONS } from '../ids.js';
import { type Block, context, escapeMrkdwn, type SlackMessage, section } from './message.js';

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

/**
 * An admin's CRM lines on the App Home: each grant, a warning for one the CRM stopped honouring, and
 * a button for each CRM this server connects by OAuth that is not connected (or must be again).
 */
export function crmHomeBlocks(crm: CrmHome): Block[] {
  const blocks: Block[] = [];
  const live = crm.connections.filter((c) => !c.refused);
  if (live.length > 0) {
    const named = live.map(
      (c) => `${CRM_LABEL[c.source]} ${CRM_ACCOUNT_NOUN[c.source]} ${c.accountId ?? ''} connected`,
    );
    blocks.push(context(`${named.join(' · ')}. \`/kpi crm disconnect <crm>\` ends a connection.`));
  }
  for (const refused of crm.connections.filter((c) => c.refused))
    blocks.push(section(grantRefusedText(refused.source)));
  const buttons = crm.connectable
    .filter((source) => !live.some((c) => c.source === source))
    .map((source) => ({
      type: 'button' as const,
      action_id: ACTIONS.crmConnect,
      text: {
        type: 'plain_text' as const,
        text: `${crm.connections.some((c) => c.source === source) ? 'Reconnect' : 'Connect'} ${CRM_LABEL[source]}`,
      },
      value: source,
    }));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  return [...blocks, ...backfillBlocks(crm)];
}

/**
 * Each CRM whose history can be read, with its latest backfill and a button to read the last 90
 * days (a run already going is joined, not doubled); a past run of a CRM since disconnected is shown without one.
 */
function backfillBlocks(crm: CrmHome): Block[] {
  const sources = [...new Set([...crm.backfillable, ...crm.backfills.map((r) => r.source)])];
  return sources.map((source) => {
    const run = crm.backfills.find((r) => r.source === source);
    const text = run
      ? escapeMrkdwn(run.line)
      : `${CRM_LABEL[source]}: no history read yet; reports, streaks and goal suggestions start from today.`;
    const block = section(`:inbox_tray: ${text}`);
    if (!crm.backfillable.includes(source)) return block;
    return {
      ...block,
      accessory: {
        type: 'button' as const,
        // Action ids are unique in a view: one per CRM.
        action_id: `${ACTIONS.crmBackfill}_${source}`,
        text: { type: 'plain_text' as const, text: `Backfill ${DEFAULT_BACKFILL_DAYS} days` },
        value: source,
      },
    };
  });
}
