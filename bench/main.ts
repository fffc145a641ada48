import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SQL, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import postgres from 'postgres';
import { type Database, type DatabaseHandle, openDatabase } from '../src/db/client.js';
import { type BenchApp, startBenchApp } from './app.js';
import { backfillTable, benchBackfill } from './backfill.js';
import { benchCelebrations, celebrationsTable } from './celebrations.js';
import { benchDemo, demoTable } from './demo-run.js';
import { benchFanOut, fanOutTable } from './fan-out.js';
import { type BenchRep, benchRep, generateWorkspace } from './generate.js';
import { benchIngest, ingestTable } from './ingest.js';
import { collect, type RunPlan, timed } from './measure.js';
import { OPERATIONS, type Operation } from './operations.js';
import { benchPgliteStart, pgliteStartTable } from './pglite-start.js';
import { benchScale } from './scale.js';
import { SCALE_DATABASE } from './scale-database.js';
import { type Summary, summarize } from './stats.js';

/**
 * `npm run bench`: a workspace of 1,000 reps and 1,000,000 activities, on the embedded PGlite and on
 * PostgreSQL. For `/kpi me` and `/kpi board` it measures the time from a signed HTTP request to the
 * reply at the response_url, next to the time of the bare SQL that produces the same figures, in
 * the same run. Targets: p99 under 50 ms on PostgreSQL, and under 3× the bare query.
 */

const SHAPE = { reps: 1000, activities: 1_000_000, days: 90 };
const WORKSPACE_ID = 'TBENCH0001';
/**
 * The app's clock and the end of the generated history: Wednesday noon (UTC) of last week. "This
 * week" and the week before then hold two and a half days each, an average day's load; a real
 * clock would make a Monday run light and a Friday run heavy, and runs would not compare.
 */
const NOW = DateTime.utc()
  .minus({ weeks: 1 })
  .set({ weekday: 3, hour: 12, minute: 0, second: 0, millisecond: 0 })
  .toJSDate();
const RATIO_TARGET = 3;
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The scale section's database on that server: another name keeps a second one apart. */
const SCALE_BENCH_DATABASE = process.env.SCALE_BENCH_DATABASE || SCALE_DATABASE;
const RESULTS_FILE = fileURLToPath(new URL('./results/latest.md', import.meta.url));

interface BenchDatabase {
  handle: DatabaseHandle;
  /** Where a second process can reach it (PostgreSQL only). */
  url?: string;
  dispose(): Promise<void>;
}

interface Driver {
  name: string;
  /** The p99 target in milliseconds, where there is one. */
  p99TargetMs: number | null;
  plan: RunPlan;
  /** Brings the freshly loaded table to the state it has in service, before anything is measured. */
  settle: { statement: SQL; why: string };
  /** The database, or why it is not available. */
  open(): Promise<BenchDatabase | { skipped: string }>;
}

// PostgreSQL first: PGlite's memory stays with the process afterwards and would inflate the RSS figure.
const DRIVERS: readonly Driver[] = [
  {
    name: 'PostgreSQL',
    p99TargetMs: 50,
    plan: { warmup: 20, iterations: 200 },
    settle: {
      statement: sql`vacuum analyze`,
      why: 'VACUUM ANALYZE, which autovacuum would run minutes after such a load (and not halfway through the measurement)',
    },
    open: openPostgres,
  },
  {
    name: 'PGlite',
    p99TargetMs: null,
    // About three times slower per request: half the runs keep the whole benchmark near five minutes.
    plan: { warmup: 10, iterations: 100 },
    settle: { statement: sql`analyze`, why: 'ANALYZE only: embedded PGlite has no autovacuum' },
    open: openPglite,
  },
];

interface Result {
  driver: Driver;
  operation: string;
  app: Summary;
  bare: Summary;
}

/** The machine's 1-minute load average, sampled around every measurement. */
const loadSamples: number[] = [];

function sampleLoad(): void {
  loadSamples.push(loadavg()[0] ?? 0);
}

/** `--only=commands|fan-out|celebrations|pglite-start|demo|scale|backfill` runs one section (printed, not written to the results file). */
const ONLY = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
/** `--regenerate`: the scale section generates its 10M-entry database again instead of reusing it. */
const REGENERATE = process.argv.includes('--regenerate');

async function main(): Promise<void> {
  if (ONLY === 'fan-out') {
    print(`\n## Weekly fan-out\n\n${await benchFanOutSection()}\n`);
    return;
  }
  if (ONLY === 'celebrations') {
    print(`\n## Deal won → celebration posted\n\n${await benchCelebrationsSection()}\n`);
    return;
  }
  if (ONLY === 'scale') {
    print(`\n## Ten times the data\n\n${await benchScaleSection()}\n`);
    return;
  }
  if (ONLY === 'pglite-start') {
    print(`\n## PGlite on disk: start-up and serving memory\n\n${await pgliteStartSection()}\n`);
    return;
  }
  if (ONLY === 'demo') {
    print(`\n## npm run demo\n\n${await demoSection()}\n`);
    return;
  }
  if (ONLY === 'backfill') {
    print(`\n## CRM backfill\n\n${await benchCrmBackfill()}\n`);
    return;
  }
  if (ONLY === 'commands') {
    print(`\n${await commandsSection()}`);
    return;
  }
  if (ONLY !== undefined)
    throw new Error(
      `--only takes one section: commands, fan-out, celebrations, pglite-start, demo, scale or backfill (got ${ONLY})`,
    );
  let report = await commandsSection();
  const ingest = await benchCrmIngest();
  report += `\n## CRM webhook ingest\n\n${ingest}\n`;
  report += `\n## CRM backfill\n\n${await benchCrmBackfill()}\n`;
  report += `\n## Weekly fan-out\n\n${await benchFanOutSection()}\n`;
  report += `\n## Deal won → celebration posted\n\n${await benchCelebrationsSection()}\n`;
  report += `\n## PGlite on disk: start-up and serving memory\n\n${await pgliteStartSection()}\n`;
  report += `\n## npm run demo\n\n${await demoSection()}\n`;
  report += `\n## Ten times the data\n\n${await benchScaleSection()}\n`;
  print(`\n${report}`);
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, report);
  print(`Written to ${RESULTS_FILE}\n`);
}

/** `/kpi me` and `/kpi board` at 1,000 reps and 1M entries on each database, beside their bare queries. */
async function commandsSection(): Promise<string> {
  const notes: string[] = [];
  const results: Result[] = [];
  for (const driver of DRIVERS) {
    const database = await driver.open();
    if ('skipped' in database) {
      print(`${driver.name} skipped: ${database.skipped}\n`);
      notes.push(`${driver.name}: skipped, ${database.skipped}`);
      continue;
    }
    try {
      results.push(...(await benchDriver(driver, database.handle, notes)));
    } finally {
      await database.dispose();
    }
  }
  // Other processes on the machine slow every figure down; say how busy it was.
  if (loadSamples.length > 0) {
    const range = `${Math.min(...loadSamples).toFixed(1)}–${Math.max(...loadSamples).toFixed(1)}`;
    notes.push(`Load average (1 min) during the measurements: ${range}, on ${cpus().length} cores.`);
  }
  return renderReport(results, notes);
}

async function benchDriver(driver: Driver, handle: DatabaseHandle, notes: string[]): Promise<Result[]> {
  print(`${driver.name}: generating ${count(SHAPE.reps)} reps and ${count(SHAPE.activities)} activities…\n`);
  const generation = await timed(() => generateWorkspace(handle.db, { workspaceId: WORKSPACE_ID, now: NOW, ...SHAPE }));
  const settling = await timed(() => handle.db.execute(driver.settle.statement));
  notes.push(
    `${driver.name}: data generated in ${seconds(generation)}, then ${driver.settle.why} (${seconds(settling)}); process RSS ${rss()}. ` +
      `${driver.plan.iterations} requests per operation after ${driver.plan.warmup} warm-ups.`,
  );
  const app = await startBenchApp(handle, WORKSPACE_ID, () => NOW);
  try {
    const results: Result[] = [];
    for (const operation of OPERATIONS) {
      const result = await benchOperation(driver, operation, app, handle.db);
      print(`${driver.name} ${operation.name}: p99 ${ms(result.app.p99)}, bare p99 ${ms(result.bare.p99)}\n`);
      results.push(result);
    }
    return results;
  } finally {
    await app.close();
  }
}

async function benchOperation(driver: Driver, operation: Operation, app: BenchApp, db: Database): Promise<Result> {
  sampleLoad();
  const appSamples = await collect(driver.plan, () => app.command(randomRep().userId, operation.text));
  sampleLoad();
  const bareSamples = await collect(driver.plan, () =>
    timed(() => operation.bare(db, { workspaceId: WORKSPACE_ID, userId: randomRep().userId }, NOW)),
  );
  sampleLoad();
  return { driver, operation: operation.name, app: summarize(appSamples), bare: summarize(bareSamples) };
}

/** Issue-3 target: HubSpot batches on PostgreSQL (bench/ingest.ts). */
async function benchCrmIngest(): Promise<string> {
  print('PostgreSQL: CRM webhook ingest…\n');
  try {
    return ingestTable(await benchIngest(POSTGRES_URL));
  } catch (error) {
    return `skipped: ${String(error)}`;
  }
}

/** Issue-11 target: a HubSpot backfill at 90% of what its search limits allow, memory flat (bench/backfill.ts). */
async function benchCrmBackfill(): Promise<string> {
  print('PostgreSQL: CRM backfill from the fake HubSpot…\n');
  try {
    return backfillTable(await benchBackfill(POSTGRES_URL));
  } catch (error) {
    return `skipped: ${String(error)}`;
  }
}

/** Issue-4 target: a weekly fan-out through the deliverer (bench/fan-out.ts), on PostgreSQL. */
async function benchFanOutSection(): Promise<string> {
  print('PostgreSQL: weekly fan-out…\n');
  const database = await openPostgres();
  if ('skipped' in database) return `skipped: ${database.skipped}`;
  try {
    return fanOutTable(await benchFanOut(database.handle.db));
  } finally {
    await database.dispose();
  }
}

/** Issue-9 target: CRM deal won → celebration posted, p99 under 2 s (bench/celebrations.ts), on PostgreSQL. */
async function benchCelebrationsSection(): Promise<string> {
  print('PostgreSQL: deal won → celebration posted…\n');
  const database = await openPostgres();
  if ('skipped' in database) return `skipped: ${database.skipped}`;
  try {
    return celebrationsTable(await benchCelebrations(database.handle));
  } finally {
    await database.dispose();
  }
}

/** Issue-12 targets for the embedded database, each in processes of its own (bench/pglite-start.ts, bench/demo-run.ts). */
async function pgliteStartSection(): Promise<string> {
  print('PGlite: generating a data directory, then starting the app on it…\n');
  return pgliteStartTable(await benchPgliteStart());
}

async function demoSection(): Promise<string> {
  print('npm run demo…\n');
  return demoTable(await benchDemo());
}

/** Issue-12 targets: 5,000 reps and 10M entries on PostgreSQL, the app in its own process (bench/scale.ts). */
async function benchScaleSection(): Promise<string> {
  const unreachable = await postgresUnreachable();
  if (unreachable !== null) return `skipped: ${unreachable}`;
  return benchScale(POSTGRES_URL, NOW, { database: SCALE_BENCH_DATABASE, regenerate: REGENERATE, print });
}

function randomRep(): BenchRep {
  return benchRep(1 + Math.floor(Math.random() * SHAPE.reps));
}

// ---------------------------------------------------------------------------------------------
// Databases

async function openPglite(): Promise<BenchDatabase> {
  const handle = await openDatabase({ driver: 'pglite', dataDir: null });
  return { handle, dispose: () => handle.close() };
}

/** Why the PostgreSQL server cannot be used, or null when it answers. */
async function postgresUnreachable(): Promise<string | null> {
  const admin = postgres(POSTGRES_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await admin`select 1`;
    return null;
  } catch (error) {
    return `cannot reach ${redact(POSTGRES_URL)} (${String(error)}); set BENCH_POSTGRES_URL to run it.`;
  } finally {
    await admin.end();
  }
}

/** A fresh database on the server, dropped afterwards. */
async function openPostgres(): Promise<BenchDatabase | { skipped: string }> {
  const unreachable = await postgresUnreachable();
  if (unreachable !== null) return { skipped: unreachable };
  const admin = postgres(POSTGRES_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  const name = `kpi_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin.unsafe(`create database "${name}"`);
  const drop = async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  try {
    const handle = await openDatabase({ driver: 'postgres', url: url.toString() });
    return {
      handle,
      url: url.toString(),
      dispose: async () => {
        await handle.close();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

// ---------------------------------------------------------------------------------------------
// Report

function renderReport(results: readonly Result[], notes: readonly string[]): string {
  const cpu = cpus();
  const header = [
    '# Benchmark: `/kpi me` and `/kpi board`',
    '',
    `${new Date().toISOString()}, Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}.`,
    `${count(SHAPE.reps)} reps, ${count(SHAPE.activities)} activities over ${SHAPE.days} days; ` +
      `sequential requests, each from a random rep, for "this week" as of ${NOW.toISOString()} (Wednesday noon UTC of last week, fixed so runs compare).`,
    'Time: from sending the signed HTTP request to the reply arriving at the response_url. ' +
      'Bare: the queries producing the same figures (`loadFacts` + `loadFactsByUser` for me, `loadFactsByUser` for the board), called directly. ' +
      `Ratio: p99 ÷ bare p99. Targets: p99 under 50 ms on PostgreSQL, ratio under ${RATIO_TARGET}×.`,
    '',
    '| driver | operation | p50 | p99 | bare p50 | bare p99 | ratio | target met? |',
    '|---|---|--:|--:|--:|--:|--:|---|',
  ];
  const rows = results.map((r) => {
    const ratio = r.app.p99 / r.bare.p99;
    return `| ${r.driver.name} | ${r.operation} | ${ms(r.app.p50)} | ${ms(r.app.p99)} | ${ms(r.bare.p50)} | ${ms(r.bare.p99)} | ${ratio.toFixed(1)}× | ${verdict(r, ratio)} |`;
  });
  return [...header, ...rows, '', ...notes.map((note) => `- ${note}`), ''].join('\n');
}

function verdict(result: Result, ratio: number): string {
  const target = result.driver.p99TargetMs;
  const misses = [
    ...(target !== null && result.app.p99 >= target ? [`p99 ≥ ${target} ms`] : []),
    ...(ratio >= RATIO_TARGET ? [`ratio ≥ ${RATIO_TARGET}×`] : []),
  ];
  return misses.length > 0 ? `no (${misses.join(', ')})` : 'yes';
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString('en-US');
const rss = () => `${Math.round(process.memoryUsage().rss / 1024 / 1024)} MiB`;

function print(text: string): void {
  process.stdout.write(text);
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause ? `\ncaused by: ${String(error.cause)}` : '';
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}\n`,
  );
  process.exit(1);
});
