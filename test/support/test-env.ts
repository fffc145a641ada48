import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER } from '../../src/db/client.js';

/** The server the PostgreSQL half runs on; a database per test file is cloned from a template. */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Templates are named after the migrations, so a changed schema never reuses a stale template. */
export function migrationsHash(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER, { recursive: true }).map(String).sort()) {
    if (file.endsWith('.sql') || file.endsWith('.json'))
      hash.update(file).update(readFileSync(join(MIGRATIONS_FOLDER, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

export const PGLITE_TEMPLATE = join(
  process.cwd(),
  'node_modules',
  '.cache',
  'kpi-bot',
  `pglite-${migrationsHash()}.tar`,
);
export const POSTGRES_TEMPLATE = `kpi_test_tpl_${migrationsHash()}`;
