import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { openDatabase } from '../src/db/client.js';
import { BACKFILL_STAGES, type BackfillRun } from '../src/integrations/backfill/contract.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { buildBenchApp } from './ingest.js';

/**
 * CRM backfill: 100,000 activities (25,000 each of calls, meetings, emails and tasks) and 10,000
 * deals over 90 days, read from the fake HubSpot with its documented search limit enforced (5
 * requests a second, 200 records a page, 10,000 results a query), into the real app on PostgreSQL
 * with the processor applying in the background. The limits allow 5 × 200 = 1,000 records a second;
 * the target is 90% of that, with memory flat: RSS sampled through the run must not grow with it.
 * The fake runs in another process and computes its records when asked, so the app's RSS is the app's.
 */

const ACTIVITIES_PER_TYPE = 25_000;
const DEALS = 10_000;
const RECORDS = ACTIVITIES_PER_TYPE * 4 + DEALS;
const ALLOWED_PER_SECOND = 5 * 200;
const TARGET_SHARE = 0.9;
const SAMPLE_MS = 1000;
/**
 * How long after reading everything the bench waits for the run to be `done` (all it read applied);
 * past that it says how far applying got.
 */
const APPLY_WAIT_SECONDS = 600;
const TEAM = 'TBACKFILL1';
const DAY = 86_400_000;

export interface BackfillResult {
  records: number;
  readSeconds: number;
  recordsPerSecond: number;
  /** From the start until every stored event was applied (the run's `done`); null if not within the wait. */
  doneSeconds: number | null;
  /** Share of the stored events applied when the bench stopped waiting. */
  appliedShare: number;
  requests: number;
  refused: number;
  /** Of the 429s, those of the search limit (the rest: the 100-per-10-s limit of other requests). */
  refusedSearches: number;
  /** RSS (MiB) when 10%, 50% and 100% of the records had been read. */
  rssAt: { share: number; mib: number }[];
  load: { min: number; max: number };
  met: boolean;
}

function ask<T>(child: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('error', reject);
    child.send(message as object);
  });
}

const readSoFar = (run: BackfillRun | undefined) => BACKFILL_STAGES.reduce((sum, s) => sum + (run?.read[s] ?? 0), 0);

export async function benchBackfill(adminUrl: string): Promise<BackfillResult> {
  const name = `kpi_bench_backfill_${randomUUID().slice(0, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ driver: 'postgres', url: url.toString() });
  const child = fork(fileURLToPath(new URL('./backfill-fake.ts', import.meta.url)), { execArgv: ['--import', 'tsx'] });
  const until = Date.now();
  const since = until - 90 * DAY;
  const slack = await startFakeSlack();
  slack.addToken(`xoxb-${TEAM}`, { teamId: TEAM, botUserId: 'UBOT', botId: 'BBOT' });
  slack.addUser({ id: 'UREP', teamId: TEAM, name: 'rep', displayName: 'Rep', email: 'bench-rep@acme.test', tz: 'UTC' });
  try {
    const hubspot = await ask<{ baseUrl: string; accessToken: string }>(child, {
      since,
      until,
      activitiesPerType: ACTIVITIES_PER_TYPE,
      deals: DEALS,
      ownerId: '77',
    });
    const bot = await buildBenchApp(database, {
      SLACK_BOT_TOKEN: `xoxb-${TEAM}`,
      SLACK_API_URL: slack.apiUrl,
      HUBSPOT_CLIENT_SECRET: 'bench-hubspot-secret',
      HUBSPOT_PORTAL_ID: '62516',
      HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
      HUBSPOT_API_URL: hubspot.baseUrl,
    });
    await bot.start();
    try {
      const started = performance.now();
      const window = { since: new Date(since), until: new Date(until) };
      await bot.backfills.start({ workspaceId: TEAM, source: 'hubspot', window, requestedBy: null });
      const rssAt: BackfillResult['rssAt'] = [];
      const shares = [0.1, 0.5, 1];
      const loads: number[] = [];
      let readSeconds = 0;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
        loads.push(loadavg()[0] ?? 0);
        const [run] = await bot.backfills.latest(TEAM);
        const read = readSoFar(run);
        while (shares[0] !== undefined && read >= shares[0] * RECORDS) {
          rssAt.push({ share: shares.shift() ?? 0, mib: process.memoryUsage().rss / 2 ** 20 });
        }
        const elapsed = (performance.now() - started) / 1000;
        if (readSeconds === 0 && read >= RECORDS) readSeconds = elapsed;
        if (run?.status === 'failed') throw new Error(`the backfill failed: ${run.error}`);
        if (run?.status === 'done' || (readSeconds > 0 && elapsed > readSeconds + APPLY_WAIT_SECONDS)) break;
      }
      const [run] = await bot.backfills.latest(TEAM);
      const doneSeconds = run?.status === 'done' ? (performance.now() - started) / 1000 : null;
      const counter = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const [row] =
        await counter`select (count(*) filter (where status <> 'pending'))::float8 / count(*) as share from crm_events`;
      await counter.end();
      const stats = await ask<{ calls: number; refused: number; refusedSearches: number }>(child, 'stats');
      const recordsPerSecond = RECORDS / readSeconds;
      return {
        records: RECORDS,
        readSeconds,
        recordsPerSecond,
        doneSeconds,
        appliedShare: Number(row?.share ?? 0),
        requests: stats.calls,
        refused: stats.refused,
        refusedSearches: stats.refusedSearches,
        rssAt,
        load: { min: Math.min(...loads), max: Math.max(...loads) },
        met: recordsPerSecond >= TARGET_SHARE * ALLOWED_PER_SECOND,
      };
    } finally {
      await bot.stop();
    }
  } finally {
    child.kill();
    await slack.close();
    await database.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

export function backfillTable(r: BackfillResult): string {
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const rss = r.rssAt.map((s) => `${f(s.mib)} MiB at ${s.share * 100}%`).join(', ');
  return [
    '| CRM backfill, PostgreSQL | records | read in | records/s | of the 1,000/s the limits allow | target met? |',
    '|---|---|---|---|---|---|',
    `| HubSpot search, ${f(ACTIVITIES_PER_TYPE * 4)} activities + ${f(DEALS)} deals, 5 req/s enforced | ${f(r.records)} | ${r.readSeconds.toFixed(1)} s | ${f(r.recordsPerSecond)} | ${((r.recordsPerSecond / ALLOWED_PER_SECOND) * 100).toFixed(0)}% | ${r.met ? 'yes' : 'NO'} (≥ ${TARGET_SHARE * 100}%) |`,
    '',
    `${r.doneSeconds === null ? `${(r.appliedShare * 100).toFixed(0)}% of the stored events applied ${APPLY_WAIT_SECONDS} s after the last page (the processor goes on; the run is \`done\` once it has applied them all)` : `Every stored event applied (the run \`done\`) ${(r.doneSeconds - r.readSeconds).toFixed(1)} s after the last page (${r.doneSeconds.toFixed(1)} s from the start)`}. ${f(r.requests)} requests to the fake, ${f(r.refused)} answered 429 (${f(r.refusedSearches)} of them searches). ` +
      `App RSS: ${rss}. Load average (1 min) during the run: ${r.load.min.toFixed(1)}–${r.load.max.toFixed(1)}, on ${cpus().length} cores.`,
  ].join('\n');
}
