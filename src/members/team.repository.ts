import { and, asc, eq, inArray } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/client.js';
import { members } from '../db/schema.js';
import type { Member } from './members.repository.js';
import type { Role } from './roles.js';

/**
 * Roles and teams. Every change is made by someone (a manager or an admin) and is written with its
 * audit entry in one transaction; asking for what is already so changes nothing and records nothing,
 * so a retried command is harmless.
 */

export async function setRole(
  db: Database,
  change: { workspaceId: string; actorId: string; userId: string; role: Role; at: Date },
): Promise<{ changed: boolean; from: Role }> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select({ role: members.role })
      .from(members)
      .where(and(eq(members.workspaceId, change.workspaceId), eq(members.userId, change.userId)))
      .for('update');
    const from = current?.role ?? 'rep';
    if (!current || from === change.role) return { changed: false, from };
    await tx
      .update(members)
      .set({ role: change.role })
      .where(and(eq(members.workspaceId, change.workspaceId), eq(members.userId, change.userId)));
    await recordAudit(tx, {
      workspaceId: change.workspaceId,
      actorId: change.actorId,
      action: 'role.change',
      target: change.userId,
      details: { from, to: change.role },
      at: change.at,
    });
    return { changed: true, from };
  });
}

/** Puts reps on a manager's team (or off any team, with `managerId` null); returns who actually moved. */
export async function setManager(
  db: Database,
  change: { workspaceId: string; actorId: string; userIds: readonly string[]; managerId: string | null; at: Date },
): Promise<string[]> {
  if (change.userIds.length === 0) return [];
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ userId: members.userId, managerId: members.managerId })
      .from(members)
      .where(and(eq(members.workspaceId, change.workspaceId), inArray(members.userId, [...change.userIds])))
      .for('update');
    const moving = rows.filter((r) => r.managerId !== change.managerId);
    if (moving.length === 0) return [];
    await tx
      .update(members)
      .set({ managerId: change.managerId })
      .where(
        and(
          eq(members.workspaceId, change.workspaceId),
          inArray(
            members.userId,
            moving.map((r) => r.userId),
          ),
        ),
      );
    for (const r of moving) {
      await recordAudit(tx, {
        workspaceId: change.workspaceId,
        actorId: change.actorId,
        action: change.managerId === null ? 'team.remove' : 'team.add',
        target: r.userId,
        details: { from: r.managerId, to: change.managerId },
        at: change.at,
      });
    }
    return moving.map((r) => r.userId);
  });
}

/** A manager's reps, by name. */
export async function teamOf(db: Database, workspaceId: string, managerId: string): Promise<Member[]> {
  return db
    .select()
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.managerId, managerId)))
    .orderBy(asc(members.displayName));
}
