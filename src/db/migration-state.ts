import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Database } from './client.js';
import { queryRows } from './rows.js';

/** The newest migration the database has applied, from drizzle's own table; null before the first. */
export async function newestAppliedMigration(db: Database): Promise<{ createdAt: number; hash: string } | null> {
  const [table] = await queryRows<{ present: boolean }>(
    db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!table?.present) return null;
  const [row] = await queryRows<{ created_at: number; hash: string }>(
    db,
    sql`select created_at::float8 as created_at, hash from drizzle.__drizzle_migrations order by created_at desc limit 1`,
  );
  return row ? { createdAt: row.created_at, hash: row.hash } : null;
}

/**
 * Whether the database's newest applied migration is the newest in `folder`, the same journal time
 * and the same hash of its SQL: then the migrator has nothing to apply, and start-up skips it (its
 * schema and table checks, and on PostgreSQL the locked session). Anything else, a new directory or
 * one an older release migrated, runs the migrator, which applies what is missing.
 */
export async function migrationsUpToDate(db: Database, folder: string): Promise<boolean> {
  const newest = readMigrationFiles({ migrationsFolder: folder }).at(-1);
  if (newest === undefined) return true;
  const applied = await newestAppliedMigration(db);
  return applied !== null && applied.createdAt === newest.folderMillis && applied.hash === newest.hash;
}
