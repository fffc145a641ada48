import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { getHeapCodeStatistics } from 'node:v8';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';

/**
 * The app alone in its own process for the 10M benchmark (bench/scale.ts), so its memory is
 * measured apart from the generator's: configured from the environment as an operator would, with
 * the benchmark's fixed clock (argument 2) so "this week" is the generated week. Prints the port,
 * and answers a line `memory` on stdin with where its memory goes (`memory {json}`).
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

// Where the memory goes, on request: V8's heap, memory outside it (Buffers, the driver's sockets)
// and compiled code, beside the RSS the kernel counts.
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'memory') return;
  const usage = process.memoryUsage();
  const code = getHeapCodeStatistics();
  const breakdown: MemoryBreakdown = {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    code: code.code_and_metadata_size + code.bytecode_and_metadata_size,
  };
  process.stdout.write(`memory ${JSON.stringify(breakdown)}\n`);
});

export interface MemoryBreakdown {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  /** Compiled code and bytecode on V8's heap. */
  code: number;
}
