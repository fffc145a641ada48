import { and, eq, getTableColumns, isNotNull, lte, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { installations, schema, workspaces } from '../db/schema.js';

/**
 * After an uninstall, a workspace's data is kept for a grace period (a reinstall carries on from
 * it), then deleted by the `purge-uninstalled` job. A reinstall clears `uninstalled_at`, which
 * cancels the purge.
 */
export const PURGE_GRACE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Every table with a `workspace_id`, read from the schema itself: a table added later is purged
 * without anyone remembering to list it here.
 */
export const WORKSPACE_TABLES: readonly { table: PgTable; workspaceId: PgColumn }[] = Object.values(schema).flatMap(
  (table) => {
    const column = (getTableColumns(table) as Record<string, PgColumn>).workspaceId;
    return column ? [{ table: table as PgTable, workspaceId: column }] : [];
  },
);

export async function purgeUninstalled(
  db: Database,
  now: Date,
  options: { workspaceId?: string } = {},
): Promise<{ purged: number }> {
  const cutoff = new Date(now.getTime() - PURGE_GRACE_DAYS * DAY_MS);
  const due = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(
      and(
        isNotNull(workspaces.uninstalledAt),
        lte(workspaces.uninstalledAt, cutoff),
        options.workspaceId ? eq(workspaces.id, options.workspaceId) : undefined,
      ),
    );
  let purged = 0;
  for (const { id } of due) if (await purgeWorkspace(db, id, cutoff)) purged++;
  return { purged };
}

/**
 * Deletes the workspace and everything stored for it, in one transaction that first locks its row
 * and checks it is still due: a reinstall racing the purge either commits first (and the purge
 * finds it installed) or waits for the purge and starts afresh.
 */
async function purgeWorkspace(db: Database, workspaceId: string, cutoff: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const still = await queryRows(
      tx,
      sql`select 1 from ${workspaces} where ${workspaces.id} = ${workspaceId}
          and ${workspaces.uninstalledAt} <= ${cutoff.toISOString()}::timestamptz for update`,
    );
    if (still.length === 0) return false;
    for (const { table, workspaceId: column } of WORKSPACE_TABLES) {
      await tx.delete(table).where(eq(column, workspaceId));
    }
    await tx.delete(installations).where(eq(installations.teamId, workspaceId));
    await tx.delete(workspaces).where(eq(workspaces.id, workspaceId));
    return true;
  });
}
