import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { type DatabaseHandle, MIGRATIONS_FOLDER } from '../../src/db/client.js';

/**
 * Takes a migrated database back to before the migration `read_rollups` (0009), for tests of it and
 * of the migrations before it: its tables, view, functions and triggers go, and the summary's
 * trigger function is the one `activity_summary` (0007) created again.
 */
export async function dropReadRollups(database: DatabaseHandle): Promise<void> {
  const { db } = database;
  await db.execute(sql`drop trigger activity_days_member_insert on members`);
  await db.execute(sql`drop trigger activity_days_member_update on members`);
  await db.execute(sql`drop trigger activity_days_member_delete on members`);
  await db.execute(sql`drop function activity_days_member_zone`);
  await db.execute(sql`drop trigger activity_days_workspace_zone on workspaces`);
  await db.execute(sql`drop function activity_days_workspace_zone`);
  await db.execute(sql`drop function activity_days_rezone`);
  await db.execute(sql`drop view activity_days_from_log`);
  await db.execute(sql`drop function activity_rep_zone`);
  await db.execute(sql`drop table activity_days, activity_day_zones`);
  const file = readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith('0007_') && f.endsWith('.sql')) ?? '';
  const apply = readFileSync(join(MIGRATIONS_FOLDER, file), 'utf8')
    .split('--> statement-breakpoint')
    .find((s) => s.includes('CREATE FUNCTION activity_summary_apply()'));
  if (apply === undefined) throw new Error('migration 0007 no longer creates activity_summary_apply');
  await db.execute(sql.raw(apply.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION')));
}
