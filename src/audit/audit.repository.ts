import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { auditLog } from '../db/schema.js';

/** What a manager or admin changed, kept for good: roles, goals for others, contests, settings, boards. */
export interface AuditEntry {
  workspaceId: string;
  actorId: string;
  /** Dotted verb, e.g. `goal.set`, `role.change`, `contest.start`, `board.subscribe`, `settings.points`. */
  action: string;
  target: string | null;
  details?: Record<string, unknown>;
  at: Date;
}

/** Call it in the same transaction as the change, so there is never a change without its record. */
export async function recordAudit(db: Database, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({ ...entry, details: entry.details ?? {} });
}

export async function recentAudit(db: Database, workspaceId: string, limit = 20) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workspaceId, workspaceId)))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
}
