import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Opened } from './client.js';
import { MIGRATIONS_FOLDER } from './client.js';
import { lockDataDir } from './data-dir-lock.js';
import { listenPglite } from './listen.js';
import { schema } from './schema.js';

/**
 * The embedded database. This module is loaded only when no DATABASE_URL is given (`client.ts`
 * imports it on demand), so a PostgreSQL-only install or image can leave PGlite out.
 */
export async function openPglite(dataDir: string | null): Promise<Opened> {
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
  const db = drizzle(client, { schema });
  return {
    db,
    driver: 'pglite',
    migrate: () => migrate(db, { migrationsFolder: MIGRATIONS_FOLDER }),
    listen: listenPglite(client),
    close: async () => {
      await client.close();
      release();
    },
  };
}
