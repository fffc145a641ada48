import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseConfig } from '../config.js';
import { withDeadline } from '../lib/deadline.js';
import { CodedError, ErrorCode } from '../lib/errors.js';
import { type Listen, listenPostgres } from './listen.js';
import { migrationsUpToDate } from './migration-state.js';
import { type Schema, schema } from './schema.js';

/** One database type for both drivers, so nothing above this module knows which one it runs on. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  driver: DatabaseConfig['driver'];
  /** LISTEN for NOTIFY on a channel (see listen.ts). */
  listen: Listen;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends CodedError {
  readonly code = ErrorCode.DatabaseUnavailable;
}

/**
 * Resolves when the database answers `select 1` within `deadlineMs`, rejects with
 * `DatabaseUnavailableError` otherwise: a probe (the health check) must answer, never hang.
 */
export async function ping(db: Database, deadlineMs: number): Promise<void> {
  const unavailable = () => new DatabaseUnavailableError(`the database did not answer within ${deadlineMs} ms`);
  try {
    await withDeadline(db.execute(sql`select 1`), deadlineMs, unavailable);
  } catch (error) {
    throw error instanceof DatabaseUnavailableError
      ? error
      : new DatabaseUnavailableError('the database refused the query', { cause: error });
  }
}

/**
 * Whether an error means the database is away (refused, dropped or timed-out connections, a server
 * shutting down or in recovery) rather than a fault in a query: callers answer 503 and let the
 * sender retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  // postgres.js connection codes, Node socket errors, SQLSTATE classes 08 (connection) and 57P0x (shutdown).
  if (typeof code === 'string' && /^(CONNECT(ION)?_|ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|08|57P0)/.test(code))
    return true;
  // drizzle wraps the driver's error in `cause`.
  return cause !== undefined && cause !== error && isDatabaseUnavailable(cause);
}

/**
 * Every wait on PostgreSQL is bounded: a connection attempt gives up after this long, and a
 * reconnect waits at most `MAX_BACKOFF_S` (postgres.js grows it towards 20 s by default), so the
 * app serves again within seconds of the database coming back.
 */
export const CONNECT_TIMEOUT_S = 5;
const MAX_BACKOFF_S = 2;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function openDatabase(
  config: DatabaseConfig,
  options: { migrate?: boolean; migrationsFolder?: string } = {},
): Promise<DatabaseHandle> {
  const handle = config.driver === 'pglite' ? await openPglite(config.dataDir) : openPostgres(config.url);
  const folder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  if (options.migrate ?? true) {
    try {
      // A cheap check first: an up-to-date database needs neither the migrator nor its lock.
      if (!(await migrationsUpToDate(handle.db, folder))) await handle.migrate(folder);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  return handle;
}

export type Opened = DatabaseHandle & { migrate(folder: string): Promise<void> };

export class EmbeddedDatabaseMissingError extends CodedError {
  readonly code = ErrorCode.EmbeddedDatabaseMissing;
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

/** Any fixed key: it names the one lock every replica takes before it migrates. */
export const MIGRATION_LOCK_KEY = 0x6b70_6962; // "kpib"

function connectPostgres(url: string, max: number) {
  return postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: CONNECT_TIMEOUT_S,
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, MAX_BACKOFF_S),
    // postgres.js looks up array types on every new connection in a promise nobody awaits: a
    // connection dropped during that look-up was an unhandled rejection that ended the process.
    // The schema has no array columns, so the look-up is not needed.
    fetch_types: false,
  });
}

function openPostgres(url: string): Opened {
  const client = connectPostgres(url, 10);
  const db = drizzlePostgres(client, { schema });
  return {
    db,
    driver: 'postgres',
    migrate: (folder) => migratePostgresLocked(url, folder),
    listen: listenPostgres(client),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Replicas started together would each run the same `CREATE TABLE`s, and all but one die. The
 * migrations run on one dedicated session holding an advisory lock: the others wait for it, then
 * find nothing left to apply. Ending the session releases the lock, even if a migration failed.
 */
async function migratePostgresLocked(url: string, folder: string): Promise<void> {
  const session = connectPostgres(url, 1);
  try {
    await session`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(session, { schema }), { migrationsFolder: folder });
  } finally {
    await session.end({ timeout: 5 });
  }
}
