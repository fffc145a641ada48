import { recentAudit } from '../../../audit/audit.repository.js';
import { auditLine } from '../../../audit/audit-format.js';
import type { KpiCommand } from '../../../commands/parse.js';
import { resolveMember } from '../../../members/member-sync.js';
import type { Member } from '../../../members/members.repository.js';
import { isAdmin, isManager, onlyAdmins, onlyManagers } from '../../../members/roles.js';
import { setManager, setRole, teamOf } from '../../../members/team.repository.js';
import { context, escapeMrkdwn, header, type SlackMessage, section, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

/**
 * `/kpi role`, `/kpi team`, `/kpi audit`. Roles are checked before anything about anyone else is
 * looked up; every change is written with its audit entry in one transaction.
 */

const AUDIT_SHOWN = 20;

function lookup(ctx: CommandContext, userId: string): Promise<Member> {
  const { deps } = ctx;
  return resolveMember(
    { db: deps.db, client: ctx.client, logger: deps.logger },
    ctx.member.workspaceId,
    userId,
    ctx.now,
  );
}

const name = (m: Member) => escapeMrkdwn(m.displayName);

export async function runRoleCommand(
  ctx: CommandContext,
  cmd: Extract<KpiCommand, { type: 'role' }>,
): Promise<SlackMessage> {
  if (!isAdmin(ctx.member)) return textMessage(onlyAdmins('change who is a manager or an admin'));
  const target = await lookup(ctx, cmd.userId);
  if (target.isBot) return textMessage(`${name(target)} is a bot; bots have no role.`);
  const result = await setRole(ctx.deps.db, {
    workspaceId: ctx.member.workspaceId,
    actorId: ctx.member.userId,
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

export async function runTeamCommand(
  ctx: CommandContext,
  cmd: Extract<KpiCommand, { type: 'team' }>,
): Promise<SlackMessage> {
  const actor = ctx.member;
  const { db } = ctx.deps;
  if (cmd.action === 'show') return showTeam(ctx);
  if (!isManager(actor))
    return textMessage(onlyManagers(cmd.action === 'add' ? 'add people to a team' : 'take people off a team'));
  const managerId = cmd.action === 'add' ? (cmd.managerId ?? actor.userId) : null;
  if (cmd.action === 'add' && managerId !== actor.userId) {
    if (!isAdmin(actor)) return textMessage(onlyAdmins('add reps to someone else’s team'));
    const manager = await lookup(ctx, managerId ?? '');
    if (!isManager(manager)) {
      return textMessage(`${name(manager)} isn't a manager yet: \`/kpi role @${name(manager)} manager\` first.`);
    }
  }
  const reps = await Promise.all(cmd.userIds.map((id) => lookup(ctx, id)));
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
  const actor = ctx.member;
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

export async function runAuditCommand(ctx: CommandContext): Promise<SlackMessage> {
  if (!isAdmin(ctx.member)) return textMessage(onlyAdmins('read the audit log'));
  const rows = await recentAudit(ctx.deps.db, ctx.member.workspaceId, AUDIT_SHOWN);
  if (rows.length === 0) return textMessage('The audit log is empty: no manager or admin has changed anything yet.');
  return {
    text: `Audit log: the latest ${rows.length} changes`,
    blocks: [
      header('Audit log'),
      section(rows.map((r) => auditLine(r, ctx.timezone)).join('\n')),
      context(`The latest ${AUDIT_SHOWN} changes by managers and admins, newest first, in ${ctx.timezone}.`),
    ],
  };
}
