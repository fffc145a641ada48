import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseConfig } from '../config.js';
import { type Schema, schema } from './schema.js';

/** One database type for both drivers, so nothing above this module knows which one it runs on. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  driver: DatabaseConfig['driver'];
  /** Resolves when the database answers a query; used by the health check. */
  ping(): Promise<void>;
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

export type Opened = DatabaseHandle & { migrate(): Promise<void> };

export class EmbeddedDatabaseMissingError extends Error {
  readonly code = 'kpi_bot.embedded_database_missing';
}

/** PGlite is an optional dependency, loaded only here: a PostgreSQL-only install may leave it out. */
async function openPglite(dataDir: string | null): Promise<Opened> {
  let pglite: typeof import('./pglite.js');
  try {
    pglite = await import('./pglite.js');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new EmbeddedDatabaseMissingError(
      'the embedded database (@electric-sql/pglite) is not installed in this build. Set DATABASE_URL to a PostgreSQL database, or install the optional dependency (npm ci without --omit=optional).',
    );
  }
  return pglite.openPglite(dataDir);
}

function openPostgres(url: string): Opened {
  const client = postgres(url, { max: 10, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    driver: 'postgres',
    migrate: () => migratePostgres(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
