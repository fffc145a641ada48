import { defineConfig } from 'vitest/config';

// Database tests (`*.db.test.ts`) run twice: on the embedded PGlite and on a real PostgreSQL.
const DB_TESTS = ['test/**/*.db.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: DB_TESTS } },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: DB_TESTS,
          env: { TEST_DB: 'pglite' },
          globalSetup: ['test/support/pglite-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: DB_TESTS,
          env: { TEST_DB: 'postgres' },
          globalSetup: ['test/support/postgres-global-setup.ts'],
        },
      },
    ],
  },
});
