import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterSnapshotPath, pgliteVersion, unpackClusterSnapshot } from '../../src/db/pglite-cluster.js';

/** New embedded databases come from a snapshot of an initialised cluster instead of initdb. */
describe('the PGlite cluster snapshot', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kpi-cluster-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exists for the installed PGlite (after an upgrade: npm run db:pglite-cluster)', () => {
    expect(existsSync(clusterSnapshotPath()), `no snapshot for PGlite ${pgliteVersion()}`).toBe(true);
  });

  it('unpacks into a directory that PGlite opens as an existing database', async () => {
    expect(await unpackClusterSnapshot(dataDir)).toBe(true);
    expect(readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    // PG_VERSION there, PGlite resumes the cluster rather than running initdb.
    const client = await PGlite.create(dataDir);
    try {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_database');
      // postgres, template0 and template1, as initdb leaves them.
      expect(rows[0]?.n).toBe(3);
    } finally {
      await client.close();
    }
  });
});
