import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { ADMIN_URL, POSTGRES_TEMPLATE } from './test-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
  }
}

/**
 * Migrates a template database once per run; each test file clones it (CREATE DATABASE … TEMPLATE),
 * which takes milliseconds. Without a server the PostgreSQL half is skipped and says so, except on
 * CI, where a missing server is a failure.
 */
export default async function setup(project: TestProject) {
  const admin = postgres(ADMIN_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (error) {
    await admin.end();
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true')
      throw new Error(`PostgreSQL is required on CI but does not answer at ${ADMIN_URL}: ${reason}`);
    process.stderr.write(
      `\n*** PostgreSQL half SKIPPED: no server answers at ${ADMIN_URL} (${reason}). ` +
        'Only the PGlite half of the database tests ran. Start PostgreSQL or set TEST_POSTGRES_URL. ***\n\n',
    );
    project.provide('postgresAvailable', false);
    return;
  }
  const exists = await admin`select 1 from pg_database where datname = ${POSTGRES_TEMPLATE}`;
  if (exists.length === 0) {
    await admin.unsafe(`create database "${POSTGRES_TEMPLATE}"`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${POSTGRES_TEMPLATE}`;
    const handle = await openDatabase({ driver: 'postgres', url: url.toString() });
    await handle.close();
  }
  await admin.end();
  project.provide('postgresAvailable', true);
}
