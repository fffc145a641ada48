import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';

/**
 * The app alone in its own process for the 10M benchmark (bench/scale.ts), so its memory is
 * measured apart from the generator's: configured from the environment as an operator would, with
 * the benchmark's fixed clock (argument 2) so "this week" is the generated week. Prints the port.
 */

const [, , , nowIso] = process.argv;
const parsed = parseConfig(process.env);
if (!parsed.ok || nowIso === undefined) {
  process.stderr.write(`bench/serve.ts: ${parsed.ok ? 'say the clock' : parsed.problems.join(' ')}\n`);
  process.exit(2);
}
const now = new Date(nowIso);
const database = await openDatabase(parsed.config.database);
const bot = await buildApp({
  config: { ...parsed.config, port: 0 },
  database,
  logger: createLogger('silent'),
  now: () => now,
  scheduleJobs: false,
});
const server = await bot.start();
process.stdout.write(`listening ${(server?.address() as AddressInfo).port}\n`);
process.once('SIGTERM', () => {
  bot
    .stop()
    .then(() => database.close())
    .finally(() => process.exit(0));
});
