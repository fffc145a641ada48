import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseConfig } from '../config.js';
import { lockDataDir } from './data-dir-lock.js';
import { type Listen, listenPglite, listenPostgres } from './listen.js';
import { type Schema, schema } from './schema.js';

/** One database type for both drivers, so nothing above this module knows which one it runs on. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  driver: DatabaseConfig['driver'];
  /** Resolves when the database answers a query; used by the health check. */
  ping(): Promise<void>;
  /** LISTEN for NOTIFY on a channel (see listen.ts). */
  listen: Listen;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function openDatabase(
  config: DatabaseConfig,
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const handle = config.driver === 'pglite' ? await openPglite(config.dataDir) : openPostgres(config.url);
  if (options.migrate ?? true) {
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

type Opened = DatabaseHandle & { migrate(): Promise<void> };

async function openPglite(dataDir: string | null): Promise<Opened> {
  const release = dataDir === null ? () => {} : lockDataDir(dataDir);
  try {
    const client = await PGlite.create(dataDir ?? undefined);
    return wrapPglite(client, release);
  } catch (error) {
    release();
    throw error;
  }
}

/** Wraps an already created PGlite (tests clone a migrated template into one). */
export function wrapPglite(client: PGlite, release: () => void = () => {}): Opened {
  const db = drizzlePglite(client, { schema });
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    listen: listenPglite(client),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      await client.close();
      release();
    },
  };
}

function openPostgres(url: string): Opened {
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    driver: 'postgres',
    migrate: () => migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    listen: listenPostgres(client),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
