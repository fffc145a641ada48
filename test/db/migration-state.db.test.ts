import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config.js';
import { MIGRATION_LOCK_KEY, MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client.js';
import { migrationsUpToDate } from '../../src/db/migration-state.js';
import { queryRows } from '../../src/db/rows.js';
import { describeDb, TEST_DB } from '../support/db.js';
import { ADMIN_URL } from '../support/test-env.js';

/**
 * Start-up skips the migrator when the newest migration is already applied. What must still hold:
 * a new database, or one an older release migrated (an older journal), gets every migration.
 */

interface Journal {
  entries: { idx: number; tag: string }[];
}

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as Journal;

/** The migrations folder as an older release shipped it: the first `count` entries of the journal. */
function olderFolder(count: number): string {
  const folder = mkdtempSync(join(tmpdir(), 'kpi-migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const older = { ...journal, entries: journal.entries.slice(0, count) };
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(older));
  return folder;
}

/** A new, empty database on the driver under test: a data directory, or a database on the server. */
async function emptyDatabase(): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (TEST_DB === 'pglite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'kpi-data-'));
    return {
      config: { driver: 'pglite', dataDir },
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `kpi_test_migrations_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    config: { driver: 'postgres', url: url.toString() },
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

async function appliedTags(config: DatabaseConfig): Promise<number> {
  const handle = await openDatabase(config, { migrate: false });
  try {
    const [row] = await queryRows<{ n: number }>(
      handle.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    return row?.n ?? 0;
  } finally {
    await handle.close();
  }
}

describeDb('start-up migrations, skipped when already applied', () => {
  let database: Awaited<ReturnType<typeof emptyDatabase>>;
  const older = olderFolder(3);

  beforeAll(async () => {
    database = await emptyDatabase();
  });
  afterAll(async () => {
    await database.drop();
    rmSync(older, { recursive: true, force: true });
  });

  it('migrates a new database to the newest migration', async () => {
    const fresh = await openDatabase(database.config, { migrate: false });
    try {
      expect(await migrationsUpToDate(fresh.db, MIGRATIONS_FOLDER)).toBe(false);
    } finally {
      await fresh.close();
    }
    const handle = await openDatabase(database.config, { migrationsFolder: older });
    try {
      expect(await migrationsUpToDate(handle.db, older)).toBe(true);
      expect(await migrationsUpToDate(handle.db, MIGRATIONS_FOLDER)).toBe(false);
    } finally {
      await handle.close();
    }
    expect(await appliedTags(database.config)).toBe(3);
  });

  it('applies what an older release left out, then finds the database up to date', async () => {
    const handle = await openDatabase(database.config);
    try {
      expect(await migrationsUpToDate(handle.db, MIGRATIONS_FOLDER)).toBe(true);
      // A table of a migration the older journal did not list (0003) is there.
      const [row] = await queryRows<{ present: boolean }>(
        handle.db,
        sql`select to_regclass('public.outbox') is not null as present`,
      );
      expect(row?.present).toBe(true);
    } finally {
      await handle.close();
    }
    expect(await appliedTags(database.config)).toBe(journal.entries.length);
  });

  it.runIf(TEST_DB === 'postgres')('starts an up-to-date database without waiting for the migration lock', async () => {
    if (database.config.driver !== 'postgres') throw new Error('PostgreSQL only');
    // A replica migrating (or stuck) holds the lock: an up-to-date start has no reason to wait for it.
    const holder = postgres(database.config.url, { max: 1, onnotice: () => {} });
    await holder`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      const opened = openDatabase(database.config);
      const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 5_000));
      const handle = await Promise.race([opened, waited]);
      if (handle === 'waited') throw new Error('the start waited for the migration lock');
      await handle.close();
    } finally {
      await holder.end();
    }
  });

  it('does not count a newest migration whose SQL changed as applied', async () => {
    const edited = olderFolder(journal.entries.length);
    const last = journal.entries.at(-1)?.tag ?? '';
    writeFileSync(join(edited, `${last}.sql`), `${readFileSync(join(edited, `${last}.sql`), 'utf8')}\n-- edited\n`);
    const handle = await openDatabase(database.config, { migrate: false });
    try {
      expect(await migrationsUpToDate(handle.db, edited)).toBe(false);
    } finally {
      await handle.close();
      rmSync(edited, { recursive: true, force: true });
    }
  });
});
