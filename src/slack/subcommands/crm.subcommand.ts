import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { violatedUniqueConstraint } from '../../db/rows.js';
import { crmConnections } from '../../db/schema.js';
import { sealedIn } from '../../db/secrets-at-rest.js';
import { ACTIVITY_SOURCES, type ActivitySource, mappingKey, parseKinds } from '../../integrations/activity-mapping.js';
import { loadAllMappings, setActivityMapping } from '../../integrations/activity-mapping.repository.js';
import { progressLine } from '../../integrations/backfill/progress.js';
import {
  BACKFILL_SOURCES,
  type BackfillCrm,
  type BackfillSince,
  backfillWindow,
  parseBackfillSince,
} from '../../integrations/backfill/window.js';
import { CRM_ACCOUNT_NOUN, CRM_LABEL, CRM_SOURCES, type CrmSource } from '../../integrations/crm-event.js';
import { disconnect } from '../../integrations/crm-grants.js';
import { requeueWaiting, waitingSummary } from '../../integrations/inbox.repository.js';
import { mapOwner, unmappedOwners } from '../../integrations/owners.js';
import { ACTIVITY_KINDS, type ActivityKind } from '../../kpi/activity-kinds.js';
import type { Member } from '../../members/members.repository.js';
import { requireAdmin } from '../../members/roles.js';
import { backfillStartedMessage } from '../blocks/backfill.blocks.js';
import { grantRefusedText } from '../blocks/crm-connect.blocks.js';
import { crmMappingMessage } from '../blocks/crm-mapping.blocks.js';
import { context, escapeMrkdwn, header, type SlackMessage, section, textMessage } from '../blocks/message.js';
import { authorizeMessage } from '../crm-connect.js';
import type { AppDeps } from '../deps.js';
import type { Subcommand } from './subcommand.js';
import { fail, mentionedUsers, ok, type Parsed, quote } from './words.js';

export type CrmCommand =
  | { type: 'crm'; action: 'status' }
  | { type: 'crm'; action: 'map'; source: CrmSource; ownerId: string; userId: string }
  | { type: 'crm'; action: 'connect'; source: CrmSource; accountId: string | null }
  | { type: 'crm'; action: 'disconnect'; source: CrmSource }
  | { type: 'crm'; action: 'map-activity-list' }
  | { type: 'crm'; action: 'backfill'; source: BackfillCrm; since: BackfillSince }
  | {
      type: 'crm';
      action: 'map-activity';
      source: ActivitySource;
      key: string;
      /** Null: back to the default. */
      kinds: ActivityKind[] | null;
    };

const MAP_ACTIVITY_USAGE =
  '`/kpi crm map-activity &lt;crm&gt; &lt;key&gt; &lt;kinds|none|default&gt;` changes how a CRM activity counts, e.g. ' +
  '`/kpi crm map-activity hubspot call:left_voicemail call,conversation` or `/kpi crm map-activity pipedrive lunch none`; ' +
  '`/kpi crm map-activity` lists the keys';
/** `call`, `call:connected`, `meeting:no_show`, a Pipedrive custom type key… */
const MAPPING_KEY = /^[a-z0-9_]{1,60}(?::[a-z0-9_.-]{1,80})?$/;

const BACKFILL_USAGE =
  "`/kpi crm backfill &lt;crm&gt; [since &lt;date&gt;|&lt;n&gt; days]` reads the CRM's deals, leads and activities of the last 90 days " +
  '(or since the date, at most a year back) into the history, announcing nothing, e.g. `/kpi crm backfill hubspot since 2026-09-01`';

const USAGE =
  '`/kpi crm` — (admins) connected CRMs, history backfills, and CRM owners not matched to anyone yet; ' +
  '`/kpi crm map &lt;crm&gt; &lt;owner id&gt; @person` matches one, e.g. `/kpi crm map hubspot 12345 @ana`; ' +
  '`/kpi crm connect &lt;crm&gt; [account id]` connects a CRM (by OAuth where this server has the CRM app configured); ' +
  '`/kpi crm disconnect &lt;crm&gt;` disconnects it and revokes our access where the CRM allows; ' +
  `${BACKFILL_USAGE}; ${MAP_ACTIVITY_USAGE}`;

const LABEL = CRM_LABEL;

/** `/kpi crm …`: admins only. A rep trying gets a polite refusal and nothing changes. */
export const crmSubcommand: Subcommand<CrmCommand> = {
  name: 'crm',
  aliases: [],
  usage: USAGE,
  runs: ['crm'],
  parse({ words, raw }) {
    const [action, crm, id] = words.map((w) => w.toLowerCase());
    if (action === undefined || action === 'status') return ok({ type: 'crm', action: 'status' });
    if (action === 'map-activity') return parseMapActivity(words.slice(1));
    if (action === 'backfill') return parseBackfill(words.slice(1));
    const source = CRM_SOURCES.find((s) => s === crm);
    if (action === 'map' || action === 'connect' || action === 'disconnect') {
      if (!source) return fail(`Name the CRM: ${CRM_SOURCES.join(', ')}.`, USAGE);
      if (action === 'disconnect') return ok({ type: 'crm', action: 'disconnect', source });
      if (action === 'connect') return ok({ type: 'crm', action: 'connect', source, accountId: words[2] ?? null });
      const userId = mentionedUsers(raw)[0];
      if (!id || !userId)
        return fail('Say which CRM owner id is which person, e.g. `/kpi crm map hubspot 12345 @ana`.', USAGE);
      return ok({ type: 'crm', action: 'map', source, ownerId: words[2] ?? id, userId });
    }
    return fail(`${quote(words.join(' '))} isn't a CRM command.`, USAGE);
  },
  run: (ctx, command) => runCrm(ctx.deps, ctx.actor.member, command, ctx.actor.timezone),
};

function parseBackfill(words: readonly string[]): Parsed<CrmCommand> {
  const [crm = '', ...rest] = words;
  const source = BACKFILL_SOURCES.find((s) => s === crm.toLowerCase());
  if (!source) return fail(`Name the CRM to read: ${BACKFILL_SOURCES.join(', ')}.`, BACKFILL_USAGE);
  const since = parseBackfillSince(rest);
  if (!since.ok) return fail(since.error, BACKFILL_USAGE);
  return ok({ type: 'crm', action: 'backfill', source, since: since.value });
}

function parseMapActivity(words: readonly string[]): Parsed<CrmCommand> {
  if (words.length === 0) return ok({ type: 'crm', action: 'map-activity-list' });
  const [crm = '', key = '', ...rest] = words;
  const source = ACTIVITY_SOURCES.find((s) => s === crm.toLowerCase());
  if (!source) return fail(`Name the CRM: ${ACTIVITY_SOURCES.join(', ')}.`, MAP_ACTIVITY_USAGE);
  const normalised = key
    .split(':')
    .map((part) => mappingKey(part))
    .join(':');
  if (!MAPPING_KEY.test(normalised)) {
    return fail(
      `${quote(key)} isn't a key: say e.g. \`call\`, \`call:connected\` or \`meeting:no_show\`.`,
      MAP_ACTIVITY_USAGE,
    );
  }
  const what = rest.join(' ');
  if (what === '')
    return fail('Say what it counts as: kinds such as `call,conversation`, `none` or `default`.', MAP_ACTIVITY_USAGE);
  if (what.toLowerCase() === 'default')
    return ok({ type: 'crm', action: 'map-activity', source, key: normalised, kinds: null });
  const kinds = parseKinds(what);
  if (!kinds.ok) return fail(`${quote(kinds.word)} isn't something /kpi counts.`, MAP_ACTIVITY_USAGE);
  return ok({ type: 'crm', action: 'map-activity', source, key: normalised, kinds: kinds.kinds });
}

async function runCrm(deps: AppDeps, member: Member, command: CrmCommand, timezone: string): Promise<SlackMessage> {
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
          'Their deals and activities that were waiting are being counted now.',
      );
    }
    case 'connect':
      return connect(deps, member, command.source, command.accountId);
    case 'disconnect':
      return disconnectCrm(deps, workspaceId, command.source);
    case 'backfill':
      return startBackfill(deps, member, command, timezone);
    case 'map-activity-list':
      return crmMappingMessage(await loadAllMappings(deps.db, workspaceId));
    case 'map-activity': {
      await setActivityMapping(
        deps.db,
        { workspaceId, source: command.source },
        command.key,
        command.kinds,
        member.userId,
      );
      const counted =
        command.kinds === null
          ? 'its default again'
          : command.kinds.length === 0
            ? 'nothing'
            : command.kinds.map((k) => ACTIVITY_KINDS[k].one).join(' + ');
      return textMessage(
        `Done: ${LABEL[command.source]} \`${command.key}\` now counts as ${counted}, for activities that arrive or ` +
          'change from now on. `/kpi explain crm` shows the whole mapping.',
      );
    }
  }
}

function baseUrl(deps: AppDeps): string {
  return deps.crm.config.publicUrl ?? 'https://<your host>';
}

async function startBackfill(
  deps: AppDeps,
  member: Member,
  command: Extract<CrmCommand, { action: 'backfill' }>,
  timezone: string,
): Promise<SlackMessage> {
  const { backfills } = deps.crm;
  if (!backfills) return textMessage('This server cannot read CRM history yet; ask whoever runs it.');
  const now = deps.now();
  const window = backfillWindow(command.since, now, timezone);
  if (!window.ok) return textMessage(window.error);
  // Not connected: the engine refuses with a `UserError`, which is the reply.
  const started = await backfills.start({
    workspaceId: member.workspaceId,
    source: command.source,
    window: window.value,
    requestedBy: member.userId,
  });
  return backfillStartedMessage(started, member.userId, now);
}

async function crmStatus(deps: AppDeps, workspaceId: string): Promise<SlackMessage> {
  const [waiting, unmapped, connections, backfills] = await Promise.all([
    waitingSummary(deps.db, workspaceId),
    unmappedOwners(deps.db, workspaceId),
    deps.db.select().from(crmConnections).where(eq(crmConnections.workspaceId, workspaceId)),
    deps.crm.backfills?.latest(workspaceId) ?? [],
  ]);
  const lines = deps.crm.perWorkspaceConnections
    ? connections.map(
        (c) =>
          `• ${LABEL[c.source as CrmSource]}: \`${baseUrl(deps)}/webhooks/${c.source}${c.source === 'hubspot' ? '' : `/${c.id}`}\`` +
          (c.tokens === null
            ? ''
            : ` (${ACCOUNT_NOUN[c.source as CrmSource]} ${escapeMrkdwn(c.accountId ?? '')}, connected by OAuth)`),
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
  for (const refused of connections.filter((c) => c.tokensRefusedAt !== null)) {
    blocks.push(section(grantRefusedText(refused.source as CrmSource)));
  }
  if (backfills.length > 0) {
    const now = deps.now();
    const runs = backfills.map((run) => `• ${escapeMrkdwn(progressLine(run, now))}`);
    blocks.push(section(`*History backfills*\n${runs.join('\n')}`));
  }
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

const ACCOUNT_NOUN = CRM_ACCOUNT_NOUN;

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
  const client = deps.crm.oauth[source];
  // Where the CRM connects by OAuth, its answer proves the account: no id is taken on anyone's word.
  if (client) return authorizeMessage(deps, member, client);
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

async function disconnectCrm(deps: AppDeps, workspaceId: string, source: CrmSource): Promise<SlackMessage> {
  const grants = { db: deps.db, box: deps.crm.secrets, now: deps.now };
  const { removed, revoked } = await disconnect(grants, deps.crm.oauth[source], workspaceId, source);
  if (!removed) return textMessage(`${LABEL[source]} is not connected to this workspace; nothing to do.`);
  return textMessage(
    `Done: ${LABEL[source]} is disconnected. ` +
      (revoked
        ? `Our access was revoked in ${LABEL[source]} too.`
        : `Its webhooks are no longer accepted here; remove them in ${LABEL[source]} too.`),
  );
}
