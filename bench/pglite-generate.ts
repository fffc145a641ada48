import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.js';
import { generateWorkspace } from './generate.js';

/**
 * A child process of `bench/pglite-start.ts`: generates the benchmark workspace into the PGlite data
 * directory given as the first argument, then closes it, so the app measured afterwards opens an
 * already migrated directory and none of the generator's memory counts in the app's figures.
 * Argument: `<dataDir> <workspaceId> <reps> <activities> <days> <now ISO>`; prints a JSON line.
 */

const [dataDir, workspaceId, reps, activities, days, now] = process.argv.slice(2);
if (!dataDir || !workspaceId || !reps || !activities || !days || !now) {
  throw new Error('usage: pglite-generate.ts <dataDir> <workspaceId> <reps> <activities> <days> <now ISO>');
}
const started = performance.now();
const handle = await openDatabase({ driver: 'pglite', dataDir });
await generateWorkspace(handle.db, {
  workspaceId,
  reps: Number(reps),
  activities: Number(activities),
  days: Number(days),
  now: new Date(now),
});
// What the bench's PGlite run does before it measures: PGlite has no autovacuum.
await handle.db.execute(sql`analyze`);
await handle.close();
process.stdout.write(
  `${JSON.stringify({ ms: performance.now() - started, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
