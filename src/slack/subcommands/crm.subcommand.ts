import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { violatedUniqueConstraint } from '../../db/rows.js';
import { crmConnections } from '../../db/schema.js';
import { sealedIn } from '../../db/secrets-at-rest.js';
import { CRM_SOURCES, type CrmSource } from '../../integrations/crm-event.js';
import { requeueWaiting, waitingSummary } from '../../integrations/inbox.repository.js';
import { mapOwner, unmappedOwners } from '../../integrations/owners.js';
import type { Member } from '../../members/members.repository.js';
import { requireAdmin } from '../../members/roles.js';
import { context, escapeMrkdwn, header, type SlackMessage, section, textMessage } from '../blocks/message.js';
import type { AppDeps } from '../deps.js';
import type { Subcommand } from './subcommand.js';
import { fail, mentionedUsers, ok, quote } from './words.js';

export type CrmCommand =
  | { type: 'crm'; action: 'status' }
  | { type: 'crm'; action: 'map'; source: CrmSource; ownerId: string; userId: string }
  | { type: 'crm'; action: 'connect'; source: CrmSource; accountId: string | null };

const USAGE =
  '`/kpi crm` — (admins) connected CRMs and CRM owners not matched to anyone yet; ' +
  '`/kpi crm map &lt;crm&gt; &lt;owner id&gt; @person` matches one, e.g. `/kpi crm map hubspot 12345 @ana`; ' +
  '`/kpi crm connect &lt;crm&gt; [account id]` connects a CRM';

const LABEL: Record<CrmSource, string> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  pipedrive: 'Pipedrive',
  generic: 'Generic webhook',
};

/** `/kpi crm …`: admins only. A rep trying gets a polite refusal and nothing changes. */
export const crmSubcommand: Subcommand<CrmCommand> = {
  name: 'crm',
  aliases: [],
  usage: USAGE,
  runs: ['crm'],
  parse({ words, raw }) {
    const [action, crm, id] = words.map((w) => w.toLowerCase());
    if (action === undefined || action === 'status') return ok({ type: 'crm', action: 'status' });
    const source = CRM_SOURCES.find((s) => s === crm);
    if (action === 'map' || action === 'connect') {
      if (!source) return fail(`Name the CRM: ${CRM_SOURCES.join(', ')}.`, USAGE);
      if (action === 'connect') return ok({ type: 'crm', action: 'connect', source, accountId: words[2] ?? null });
      const userId = mentionedUsers(raw)[0];
      if (!id || !userId)
        return fail('Say which CRM owner id is which person, e.g. `/kpi crm map hubspot 12345 @ana`.', USAGE);
      return ok({ type: 'crm', action: 'map', source, ownerId: words[2] ?? id, userId });
    }
    return fail(`${quote(words.join(' '))} isn't a CRM command.`, USAGE);
  },
  run: (ctx, command) => runCrm(ctx.deps, ctx.actor.member, command),
};

async function runCrm(deps: AppDeps, member: Member, command: CrmCommand): Promise<SlackMessage> {
  requireAdmin(member, 'look at or change the CRM connection');
  const { workspaceId } = member;
  switch (command.action) {
    case 'status':
      return crmStatus(deps, workspaceId);
    case 'map': {
      await mapOwner(deps.db, { workspaceId, source: command.source }, command.ownerId, command.userId);
      await requeueWaiting(deps.db, workspaceId, command.source, `owner ${command.ownerId}`);
      deps.crm.runner.kick(workspaceId);
      return textMessage(
        `Done: ${LABEL[command.source]} owner ${escapeMrkdwn(command.ownerId)} is <@${command.userId}>. ` +
          'Their deals that were waiting are being counted now.',
      );
    }
    case 'connect':
      return connect(deps, member, command.source, command.accountId);
  }
}

function baseUrl(deps: AppDeps): string {
  return deps.crm.config.publicUrl ?? 'https://<your host>';
}

async function crmStatus(deps: AppDeps, workspaceId: string): Promise<SlackMessage> {
  const [waiting, unmapped, connections] = await Promise.all([
    waitingSummary(deps.db, workspaceId),
    unmappedOwners(deps.db, workspaceId),
    deps.db.select().from(crmConnections).where(eq(crmConnections.workspaceId, workspaceId)),
  ]);
  const lines = deps.crm.perWorkspaceConnections
    ? connections.map(
        (c) =>
          `• ${LABEL[c.source as CrmSource]}: \`${baseUrl(deps)}/webhooks/${c.source}${c.source === 'hubspot' ? '' : `/${c.id}`}\``,
      )
    : (['hubspot', 'salesforce', 'pipedrive', 'generic'] as const)
        .filter((s) => deps.crm.config[s] !== null)
        .map((s) => `• ${LABEL[s]}: \`${baseUrl(deps)}/webhooks/${s}\``);
  const blocks = [
    header('CRM connection'),
    section(
      lines.length > 0
        ? `*Receiving webhooks at*\n${lines.join('\n')}`
        : 'No CRM is connected yet. `/kpi help crm` says how.',
    ),
  ];
  if (waiting.length > 0) {
    blocks.push(
      section(
        `*Waiting to be counted*\n${waiting.map((w) => `• ${w.events} ${LABEL[w.source as CrmSource]} events: ${escapeMrkdwn(w.waitingFor ?? '')}`).join('\n')}`,
      ),
    );
  }
  if (unmapped.length > 0) {
    const rows = unmapped
      .slice(0, 20)
      .map(
        (o) =>
          `• ${LABEL[o.source as CrmSource]} owner \`${escapeMrkdwn(o.ownerId)}\`${o.email ? ` (${escapeMrkdwn(o.email)})` : ''}${o.name ? ` ${escapeMrkdwn(o.name)}` : ''}`,
      );
    blocks.push(section(`*CRM owners not matched to anyone in Slack*\n${rows.join('\n')}`));
    blocks.push(
      context('Match one with `/kpi crm map <crm> <owner id> @person`; their events are kept and count from then on.'),
    );
  }
  return { text: `CRM: ${lines.length} connected, ${unmapped.length} owners not matched`, blocks };
}

const ACCOUNT_NOUN: Record<CrmSource, string> = {
  hubspot: 'portal',
  salesforce: 'organization',
  pipedrive: 'company',
  generic: 'account',
};

const NEEDS_ACCOUNT: Partial<Record<CrmSource, string>> = {
  hubspot: 'your HubSpot portal (hub) id',
  salesforce: 'your Salesforce organization id',
};

async function connect(
  deps: AppDeps,
  member: Member,
  source: CrmSource,
  accountId: string | null,
): Promise<SlackMessage> {
  if (!deps.crm.perWorkspaceConnections) {
    return textMessage(
      'This installation connects CRMs with environment variables (see the README); nothing to do here.',
    );
  }
  if (source === 'hubspot' && !deps.crm.config.hubspot)
    return textMessage('HubSpot webhooks are not enabled on this server (HUBSPOT_CLIENT_SECRET).');
  const need = NEEDS_ACCOUNT[source];
  if (need && !accountId) return textMessage(`Add ${need}: \`/kpi crm connect ${source} <id>\`.`);
  const id = randomBytes(12).toString('hex');
  const secret =
    source === 'generic' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(24).toString('base64url');
  const row = {
    id,
    workspaceId: member.workspaceId,
    source,
    accountId,
    secret: deps.crm.secrets.seal(secret, sealedIn.crmConnection(id)),
    createdBy: member.userId,
  };
  // Connecting again replaces the old URL and secret: that is also how a secret is rotated.
  try {
    await deps.db
      .insert(crmConnections)
      .values(row)
      .onConflictDoUpdate({ target: [crmConnections.workspaceId, crmConnections.source], set: row });
  } catch (error) {
    if (violatedUniqueConstraint(error) !== 'crm_connections_account') throw error;
    return textMessage(
      `${LABEL[source]} ${ACCOUNT_NOUN[source]} \`${escapeMrkdwn(accountId ?? '')}\` is already connected to another ` +
        'workspace on this server, so nothing changed here. Check the id first. If it is right, the account is ' +
        'yours and was claimed elsewhere: ask whoever runs this KPI Coach server to remove that connection, then ' +
        `run \`/kpi crm connect ${source} ${escapeMrkdwn(accountId ?? '')}\` again.`,
    );
  }
  const url = `${baseUrl(deps)}/webhooks/${source}${source === 'hubspot' ? '' : `/${id}`}`;
  const how: Record<CrmSource, string> = {
    hubspot: `Point your HubSpot app's webhooks at \`${url}\`; events from portal ${escapeMrkdwn(accountId ?? '')} now reach this workspace.`,
    salesforce: `Use \`${url}?token=${secret}\` as the Outbound Message endpoint URL.`,
    pipedrive: `Create a Pipedrive webhook to \`${url}\` with HTTP auth user \`${id}\` and password \`${secret}\`.`,
    generic: `Send Standard Webhooks to \`${url}\` signed with the secret \`${secret}\`.`,
  };
  return {
    text: `${LABEL[source]} connected`,
    blocks: [
      section(`:link: *${LABEL[source]} connected.* ${how[source]}`),
      context('Only you can see this message. Keep the secret private.'),
    ],
  };
}
