import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { Opened } from './client.js';
import { lockDataDir } from './data-dir-lock.js';
import { listenPglite } from './listen.js';
import { clusterSnapshotBlob, unpackClusterSnapshot } from './pglite-cluster.js';
import { schema } from './schema.js';

/**
 * PGlite runs PostgreSQL inside a WebAssembly heap that grows and never shrinks, and PostgreSQL
 * allocates (and touches) all of shared_buffers when it starts: at the default 128 MB that is 128 MB
 * of resident memory before the first query. On disk (DATA_DIR) every page not in shared_buffers is
 * read from the operating system's cache, a copy away, so a small pool costs little time and the
 * memory goes back to the machine. Measured in bench/pglite-start.ts (README, Benchmarks).
 */
const MEMORY_SETTINGS = ['shared_buffers=16MB'];

/** PGlite's own start parameters with the settings above; tests open their clones with them too. */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((s) => ['-c', s])];

/**
 * The embedded database. This module is loaded only when no DATABASE_URL is given (`client.ts`
 * imports it on demand), so a PostgreSQL-only install or image can leave PGlite out.
 */
export async function openPglite(dataDir: string | null): Promise<Opened> {
  const release = dataDir === null ? () => {} : lockDataDir(dataDir);
  try {
    // A new database comes from the snapshot (pglite-cluster.ts), unpacked on disk or loaded in memory.
    const snapshot = dataDir === null ? clusterSnapshotBlob() : null;
    if (dataDir !== null && !existsSync(join(dataDir, 'PG_VERSION'))) await unpackClusterSnapshot(dataDir);
    const client = await PGlite.create(dataDir ?? undefined, {
      startParams: PGLITE_START_PARAMS,
      ...(snapshot ? { loadDataDir: snapshot } : {}),
    });
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
    migrate: (folder) => migrate(db, { migrationsFolder: folder }),
    listen: listenPglite(client),
    close: async () => {
      await client.close();
      release();
    },
  };
}
