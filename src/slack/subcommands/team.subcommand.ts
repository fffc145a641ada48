import { recentAudit } from '../../audit/audit.repository.js';
import { auditLine } from '../../audit/audit-format.js';
import type { Member } from '../../members/members.repository.js';
import { isAdmin, isManager, requireAdmin, requireManager } from '../../members/roles.js';
import { setManager, setRole, teamOf } from '../../members/team.repository.js';
import { context, escapeMrkdwn, header, type SlackMessage, section, textMessage } from '../blocks/message.js';
import { type CommandContext, lookupMember, type Subcommand } from './subcommand.js';
import { fail, MENTION_HINT, ok, quote, shownWord, userRef } from './words.js';

/**
 * `/kpi role`, `/kpi team`, `/kpi audit`. Roles are checked before anything about anyone else is
 * looked up; every change is written with its audit entry in one transaction.
 */

export type RoleCommand = { type: 'role'; userId: string; role: 'rep' | 'manager' | 'admin' };
export type TeamCommand =
  | { type: 'team'; action: 'show' }
  | { type: 'team'; action: 'add'; userIds: string[]; managerId: string | null }
  | { type: 'team'; action: 'remove'; userIds: string[] };
export type AuditCommand = { type: 'audit' };

const ROLE_USAGE =
  '`/kpi role @person rep|manager|admin` — (admins) who manages and who administers the bot, e.g. `/kpi role @ana manager`';
const TEAM_USAGE =
  '`/kpi team` — your team; `/kpi team add @rep [@rep…]` and `/kpi team remove @rep` — (managers) who is on it; ' +
  'admins add to someone else’s, e.g. `/kpi team add @rep to @manager`';
const AUDIT_USAGE =
  '`/kpi audit` — (admins) the latest changes made by managers and admins, e.g. goals set for reps and role changes';

const ROLES = new Set(['rep', 'manager', 'admin']);

/** `/kpi role @person rep|manager|admin`. */
export const roleSubcommand: Subcommand<RoleCommand> = {
  name: 'role',
  aliases: [],
  usage: ROLE_USAGE,
  runs: ['role'],
  parse({ refs }) {
    const [who, role, ...extra] = refs;
    const userId = userRef(who);
    const name = role?.toLowerCase().replace(/s$/, '') ?? '';
    if (!userId) return fail(`Say whose role to change. ${MENTION_HINT}`, ROLE_USAGE);
    if (!ROLES.has(name) || extra.length > 0) return fail('The role is one of rep, manager or admin.', ROLE_USAGE);
    return ok({ type: 'role', userId, role: name as RoleCommand['role'] });
  },
  run: runRole,
};

/** `/kpi team`, `/kpi team add @rep… [to @manager]`, `/kpi team remove @rep…`. */
export const teamSubcommand: Subcommand<TeamCommand> = {
  name: 'team',
  aliases: [],
  usage: TEAM_USAGE,
  runs: ['team'],
  parse({ refs }) {
    const [action, ...people] = refs;
    if (action === undefined) return ok({ type: 'team', action: 'show' });
    const verb = action.toLowerCase();
    if (verb !== 'add' && verb !== 'remove')
      return fail(`${quote(shownWord(action))} isn't a team command.`, TEAM_USAGE);
    const to = people.findIndex((w) => ['to', 'for', 'from'].includes(w.toLowerCase()));
    const reps = to === -1 ? people : people.slice(0, to);
    const after = to === -1 ? [] : people.slice(to + 1);
    const userIds = reps.map(userRef);
    const managerId = userRef(after[0]);
    if (reps.length === 0 || userIds.some((id) => id === null))
      return fail(`Say who, e.g. \`/kpi team ${verb} @ana\`. ${MENTION_HINT}`, TEAM_USAGE);
    if (to !== -1 && (verb === 'remove' || !managerId || after.length !== 1)) {
      return fail(
        verb === 'remove'
          ? '`/kpi team remove @rep` takes the rep off their team.'
          : `Name the manager: \`/kpi team add @rep to @manager\`. ${MENTION_HINT}`,
        TEAM_USAGE,
      );
    }
    const ids = [...new Set(userIds as string[])];
    return ok(
      verb === 'add'
        ? { type: 'team', action: 'add', userIds: ids, managerId }
        : { type: 'team', action: 'remove', userIds: ids },
    );
  },
  run: runTeam,
};

/** `/kpi audit`: the latest changes by managers and admins. */
export const auditSubcommand: Subcommand<AuditCommand> = {
  name: 'audit',
  aliases: [],
  usage: AUDIT_USAGE,
  runs: ['audit'],
  parse({ words }) {
    return words.length === 0 ? ok({ type: 'audit' }) : fail('`/kpi audit` takes nothing after it.', AUDIT_USAGE);
  },
  run: runAudit,
};

const AUDIT_SHOWN = 20;

const name = (m: Member) => escapeMrkdwn(m.displayName);

async function runRole(ctx: CommandContext, cmd: RoleCommand): Promise<SlackMessage> {
  requireAdmin(ctx.actor.member, 'change who is a manager or an admin');
  const target = await lookupMember(ctx, cmd.userId);
  if (target.isBot) return textMessage(`${name(target)} is a bot; bots have no role.`);
  const result = await setRole(ctx.deps.db, {
    workspaceId: ctx.actor.member.workspaceId,
    actorId: ctx.actor.member.userId,
    userId: target.userId,
    role: cmd.role,
    at: ctx.now,
  });
  const stillAdmin =
    target.isSlackAdmin && cmd.role !== 'admin'
      ? ' They are a Slack workspace admin or owner, so they stay a bot admin whatever their role here.'
      : '';
  if (!result.changed) return textMessage(`${name(target)} is already a ${cmd.role}.${stillAdmin}`);
  return textMessage(
    `Done: ${name(target)} is now a ${cmd.role} (was ${result.from}). Kept in the audit log.${stillAdmin}`,
  );
}

async function runTeam(ctx: CommandContext, cmd: TeamCommand): Promise<SlackMessage> {
  const actor = ctx.actor.member;
  const { db } = ctx.deps;
  if (cmd.action === 'show') return showTeam(ctx);
  requireManager(actor, cmd.action === 'add' ? 'add people to a team' : 'take people off a team');
  const managerId = cmd.action === 'add' ? (cmd.managerId ?? actor.userId) : null;
  if (cmd.action === 'add' && managerId !== actor.userId) {
    requireAdmin(actor, 'add reps to someone else’s team');
    const manager = await lookupMember(ctx, managerId ?? '');
    if (!isManager(manager)) {
      return textMessage(`${name(manager)} isn't a manager yet: \`/kpi role @${name(manager)} manager\` first.`);
    }
  }
  const reps = await Promise.all(cmd.userIds.map((id) => lookupMember(ctx, id)));
  const refusals = reps.map((rep) => [rep, refusal(actor, rep, managerId)] as const);
  const allowed = refusals.filter(([, why]) => why === null).map(([rep]) => rep);
  const refused = refusals.flatMap(([, why]) => (why === null ? [] : [why]));
  const moved = await setManager(db, {
    workspaceId: actor.workspaceId,
    actorId: actor.userId,
    userIds: allowed.map((r) => r.userId),
    managerId,
    at: ctx.now,
  });
  const lines: string[] = [];
  const whose = managerId === actor.userId ? 'your team' : managerId ? `<@${managerId}>'s team` : 'their team';
  const movedNames = allowed.filter((r) => moved.includes(r.userId)).map(name);
  const unchanged = allowed.filter((r) => !moved.includes(r.userId)).map(name);
  if (movedNames.length > 0)
    lines.push(
      `Done: ${movedNames.join(', ')} ${cmd.action === 'add' ? `added to ${whose}` : 'taken off their team'}. Kept in the audit log.`,
    );
  if (unchanged.length > 0)
    lines.push(
      `No change for ${unchanged.join(', ')}: ${cmd.action === 'add' ? `already on ${whose}` : 'not on a team'}.`,
    );
  if (refused.length > 0) lines.push(`Not changed: ${refused.join('; ')}.`);
  return textMessage(lines.join('\n'));
}

/** Why this rep can't be moved by this actor, or null. A manager adds reps without a manager and removes their own; moving someone else's rep is an admin's call. */
function refusal(actor: Member, rep: Member, managerId: string | null): string | null {
  if (rep.isBot) return `${name(rep)} is a bot`;
  if (rep.userId === managerId) return `${name(rep)} can't be on their own team`;
  if (!isAdmin(actor) && rep.managerId !== null && rep.managerId !== actor.userId) {
    return `${name(rep)} is on <@${rep.managerId}>'s team; an admin can move them`;
  }
  return null;
}

async function showTeam(ctx: CommandContext): Promise<SlackMessage> {
  const actor = ctx.actor.member;
  const managerLine = actor.managerId ? `Your manager: <@${actor.managerId}>.` : 'You are not on a manager’s team.';
  if (!isManager(actor)) return textMessage(`${managerLine} Only managers have a team of their own.`);
  const team = await teamOf(ctx.deps.db, actor.workspaceId, actor.userId);
  const list =
    team.length > 0 ? team.map((m) => `• ${name(m)}`).join('\n') : 'Nobody yet: `/kpi team add @rep` adds someone.';
  return {
    text: `Your team: ${team.length} ${team.length === 1 ? 'person' : 'people'}`,
    blocks: [
      header('Your team'),
      section(list),
      context(
        isAdmin(actor)
          ? 'As an admin you can also build another manager’s team: `/kpi team add @rep to @manager`.'
          : 'You see and set goals for the people on your team.',
      ),
    ],
  };
}

async function runAudit(ctx: CommandContext): Promise<SlackMessage> {
  requireAdmin(ctx.actor.member, 'read the audit log');
  const rows = await recentAudit(ctx.deps.db, ctx.actor.member.workspaceId, AUDIT_SHOWN);
  if (rows.length === 0) return textMessage('The audit log is empty: no manager or admin has changed anything yet.');
  return {
    text: `Audit log: the latest ${rows.length} changes`,
    blocks: [
      header('Audit log'),
      section(rows.map((r) => auditLine(r, ctx.actor.timezone)).join('\n')),
      context(`The latest ${AUDIT_SHOWN} changes by managers and admins, newest first, in ${ctx.actor.timezone}.`),
    ],
  };
}
