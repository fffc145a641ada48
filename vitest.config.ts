import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Database tests (`*.db.test.ts`) run twice: on the embedded PGlite and on a real PostgreSQL.
const DB_TESTS = 'test/**/*.db.test.ts';
// The end-to-end files (signed requests to the real receiver) run on PGlite in `npm test`; their
// PostgreSQL half runs in CI (`npm run test:all`): the handler and repository tests already run on
// both drivers, so this half proves the wiring once more rather than new logic.
const E2E_DB_TESTS = 'test/e2e/**/*.db.test.ts';
// Tests that start child processes (`*.process.test.ts`, `*.process.db.test.ts`) have projects of
// their own, named `process…`: `npm test` leaves them out, `npm run test:all` (CI) runs them.
const PROCESS_TESTS = 'test/**/*.process.test.ts';
const PROCESS_DB_TESTS = 'test/**/*.process.db.test.ts';
// Most files share their worker's module cache (`isolate: false`): importing the app's module graph
// again for every file cost more than the tests themselves. A file that replaces a module with
// `vi.mock` would leak its mock into the files after it, so those keep a cache of their own.
const MOCKING_TESTS = ['test/cli/kpi-bot.db.test.ts'];

type Driver = 'pglite' | 'postgres';

function dbProject(name: string, driver: Driver, include: string[], exclude: string[], isolate: boolean) {
  return {
    extends: true,
    test: {
      name,
      include,
      exclude,
      isolate,
      env: { TEST_DB: driver },
      globalSetup: [`test/support/${driver}-global-setup.ts`],
    },
  } satisfies TestProjectInlineConfiguration;
}

/** A driver's projects: its shared-cache files, and those that mock modules, each in its own cache. */
function driverProjects(driver: Driver, exclude: string[]) {
  return [
    dbProject(driver, driver, [DB_TESTS], [PROCESS_DB_TESTS, ...MOCKING_TESTS, ...exclude], false),
    dbProject(`${driver}-mocks`, driver, MOCKING_TESTS, [], true),
  ];
}

/** A project that runs after the others (by `order`), its files one at a time. */
function alone(order: number, project: TestProjectInlineConfiguration): TestProjectInlineConfiguration {
  return { ...project, test: { ...project.test, sequence: { groupOrder: order }, fileParallelism: false } };
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [DB_TESTS, PROCESS_TESTS], isolate: false },
      },
      ...driverProjects('pglite', []),
      ...driverProjects('postgres', [E2E_DB_TESTS]),
      dbProject('postgres-e2e', 'postgres', [E2E_DB_TESTS], [PROCESS_DB_TESTS], false),
      // Child-process tests run last, one project and one file at a time: they time a real process
      // recovering (a database blip, a crash, a replica), and sharing 2 cores with the rest of the
      // suite made those recoveries the machine's speed, not the app's.
      alone(1, { extends: true, test: { name: 'process', include: [PROCESS_TESTS] } }),
      alone(2, dbProject('process-pglite', 'pglite', [PROCESS_DB_TESTS], [], true)),
      alone(3, dbProject('process-postgres', 'postgres', [PROCESS_DB_TESTS], [], true)),
    ],
  },
});
