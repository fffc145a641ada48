import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/client.js';

/**
 * Takes a migrated database back to before the migration `read_rollups` (0009), for tests of it and
 * of the migrations before it: its tables, view, functions and triggers go.
 */
export async function dropReadRollups(database: DatabaseHandle): Promise<void> {
  const { db } = database;
  for (const op of ['insert', 'update', 'delete']) {
    await db.execute(sql.raw(`drop trigger activity_days_${op} on activities`));
    await db.execute(sql.raw(`drop trigger activity_days_member_${op} on members`));
  }
  await db.execute(sql`drop trigger activity_days_workspace_zone on workspaces`);
  await db.execute(sql`drop function activity_days_apply, activity_changes, activity_days_member_zone,
    activity_days_workspace_zone, activity_days_rezone`);
  await db.execute(sql`drop view activity_days_from_log`);
  await db.execute(sql`drop function activity_rep_zone`);
  await db.execute(sql`drop table activity_days, activity_day_zones`);
}
