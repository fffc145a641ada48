import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { describe, inject } from 'vitest';
import { type DatabaseHandle, MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client.js';
import { PGLITE_START_PARAMS, wrapPglite } from '../../src/db/pglite.js';
import { ADMIN_URL, PGLITE_TEMPLATE, POSTGRES_TEMPLATE } from './test-env.js';

/** Which database this run of a `*.db.test.ts` file uses: vitest runs every such file once per driver. */
export const TEST_DB: 'pglite' | 'postgres' = process.env.TEST_DB === 'postgres' ? 'postgres' : 'pglite';

/** `describe` that skips (loudly, in global setup) when the PostgreSQL half has no server. */
export const describeDb: typeof describe = (
  TEST_DB === 'postgres' && !inject('postgresAvailable') ? describe.skip : describe
) as typeof describe;

/** A fresh, migrated database for one test file. Tests inside share it and use their own workspace ids. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  if (TEST_DB === 'pglite') {
    const client = await PGlite.create({
      loadDataDir: new Blob([readFileSync(PGLITE_TEMPLATE)]),
      startParams: PGLITE_START_PARAMS,
    });
    return wrapPglite(client);
  }
  const name = `kpi_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}" template "${POSTGRES_TEMPLATE}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ driver: 'postgres', url: url.toString() }, { migrate: false });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** A workspace id no other test uses, so tests sharing a database never see each other's rows. */
export function newWorkspaceId(): string {
  return `T${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}

/** Applies one migration file (by its number, `0005_`) statement by statement, as drizzle's migrator does. */
export async function applyMigration(database: DatabaseHandle, prefix: string): Promise<void> {
  const file = readdirSync(MIGRATIONS_FOLDER).find((f) => f.startsWith(prefix) && f.endsWith('.sql'));
  const text = readFileSync(join(MIGRATIONS_FOLDER, file ?? ''), 'utf8');
  for (const statement of text.split('--> statement-breakpoint')) await database.db.execute(sql.raw(statement));
}
