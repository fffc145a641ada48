import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../../src/db/client.js';
import { PGLITE_TEMPLATE } from './test-env.js';

/**
 * Creating and migrating a PGlite takes seconds and hundreds of MB, so it is done once: the
 * migrated data directory is dumped to a file that every test file loads from.
 */
export default async function setup() {
  if (existsSync(PGLITE_TEMPLATE)) return;
  const handle = await openDatabase({ driver: 'pglite', dataDir: null });
  const client = (handle.db as unknown as { $client: PGlite }).$client;
  const dump = await client.dumpDataDir('none');
  mkdirSync(dirname(PGLITE_TEMPLATE), { recursive: true });
  writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
  await handle.close();
}
