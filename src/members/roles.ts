import { ErrorCode, UserError } from '../lib/errors.js';
import type { Member } from './members.repository.js';

/**
 * Who may do what. Slack workspace admins and owners are the bot's admins; admins make managers.
 * Managers and admins set goals for others, start contests, subscribe channels and change scoring.
 */
export type Role = Member['role'];

export function isAdmin(member: Pick<Member, 'role' | 'isSlackAdmin'>): boolean {
  return member.isSlackAdmin || member.role === 'admin';
}

export function isManager(member: Pick<Member, 'role' | 'isSlackAdmin'>): boolean {
  return isAdmin(member) || member.role === 'manager';
}

/** The polite refusal a rep gets for a manager-only action; nothing changes. */
export function onlyManagers(action: string): string {
  return `Only a manager can ${action}. Ask your manager, or a workspace admin, who can make you one with \`/kpi role @you manager\`.`;
}

export function onlyAdmins(action: string): string {
  return `Only a workspace admin can ${action}.`;
}

type Roled = Pick<Member, 'role' | 'isSlackAdmin'>;

/** Refuses a manager-only action to a rep: a user error, told to them; nothing changes. */
export function requireManager(member: Roled, action: string): void {
  if (!isManager(member)) throw new UserError(ErrorCode.NotAManager, onlyManagers(action));
}

/** Refuses an admin-only action to anyone else: a user error, told to them; nothing changes. */
export function requireAdmin(member: Roled, action: string): void {
  if (!isAdmin(member)) throw new UserError(ErrorCode.NotAnAdmin, onlyAdmins(action));
}
