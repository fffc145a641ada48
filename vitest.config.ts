import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Database tests (`*.db.test.ts`) run twice: on the embedded PGlite and on a real PostgreSQL.
const DB_TESTS = 'test/**/*.db.test.ts';
// Tests that start child processes (`*.process.test.ts`, `*.process.db.test.ts`) have projects of
// their own, named `process…`: `npm test` leaves them out, `npm run test:all` (CI) runs them.
const PROCESS_TESTS = 'test/**/*.process.test.ts';
const PROCESS_DB_TESTS = 'test/**/*.process.db.test.ts';

function dbProject(name: string, driver: 'pglite' | 'postgres', include: string, exclude: string[] = []) {
  return {
    extends: true,
    test: {
      name,
      include: [include],
      exclude,
      env: { TEST_DB: driver },
      globalSetup: [`test/support/${driver}-global-setup.ts`],
    },
  } satisfies TestProjectInlineConfiguration;
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [DB_TESTS, PROCESS_TESTS] } },
      dbProject('pglite', 'pglite', DB_TESTS, [PROCESS_DB_TESTS]),
      dbProject('postgres', 'postgres', DB_TESTS, [PROCESS_DB_TESTS]),
      { extends: true, test: { name: 'process', include: [PROCESS_TESTS] } },
      dbProject('process-pglite', 'pglite', PROCESS_DB_TESTS),
      dbProject('process-postgres', 'postgres', PROCESS_DB_TESTS),
    ],
  },
});
