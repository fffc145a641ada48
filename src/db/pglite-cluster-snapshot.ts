import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { clusterSnapshotPath } from './pglite-cluster.js';

/**
 * `npm run db:pglite-cluster`: initialises an empty cluster with the installed PGlite (its initdb,
 * its defaults; no migration, so the snapshot changes only with PGlite) and writes it, compressed,
 * where `pglite-cluster.ts` looks for it. Run it after upgrading @electric-sql/pglite.
 */

const client = await PGlite.create();
await client.query('checkpoint');
const tar = Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer());
await client.close();
// Brotli's best with a 16 MB window: half the size of the default window's, for the same memory to
// unpack (measured).
const compressed = brotliCompressSync(tar, {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 11,
    [constants.BROTLI_PARAM_LGWIN]: 24,
    [constants.BROTLI_PARAM_SIZE_HINT]: tar.length,
  },
});
const path = clusterSnapshotPath();
mkdirSync(dirname(path), { recursive: true });
writeFileSync(path, compressed);
process.stdout.write(`Wrote ${path}: ${tar.length} bytes of tar, ${compressed.length} compressed.\n`);
