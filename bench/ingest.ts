import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { type DatabaseHandle, openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { summarize } from './stats.js';

/**
 * CRM ingest: HubSpot batches of 100 deal events, one in ten a duplicate of an earlier delivery (a
 * HubSpot retry), sent by concurrent clients to the real app on PostgreSQL, with the background
 * processing on. Reported next to the bare INSERT … ON CONFLICT DO NOTHING of the same rows, at the
 * same concurrency, in the same run. Target: at least 5,000 events a second with p99 under 200 ms.
 */

const BATCHES = 400;
const BATCH_SIZE = 100;
const CLIENTS = 8;
/** The sustained load: 52 batches a second is 5,200 events a second, just above the target. */
const RATE = 52;
const DUPLICATE_SHARE = 0.1;
const CLIENT_SECRET = 'bench-hubspot-secret';
const PORTAL = 62515;
const TARGET_EVENTS_PER_SECOND = 5000;
const TARGET_P99_MS = 200;

export interface IngestResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  /** Closed loop, as fast as the app answers. */
  maxEventsPerSecond: number;
  maxP99: number;
  bareEventsPerSecond: number;
  duplicatesReported: number;
  stored: number;
  met: boolean;
}

type HubSpotEvent = Record<string, string | number>;

/** Deal events as HubSpot sends them; every tenth is a retry of an earlier one (same ids). */
function makeBatches(count = BATCHES, subscriptionId = 4242): HubSpotEvent[][] {
  const sent: HubSpotEvent[] = [];
  const batches: HubSpotEvent[][] = [];
  let eventId = 1;
  const now = Date.now();
  for (let b = 0; b < count; b++) {
    const batch: HubSpotEvent[] = [];
    for (let i = 0; i < BATCH_SIZE; i++) {
      const retry = sent.length > 0 && Math.random() < DUPLICATE_SHARE;
      const event: HubSpotEvent = retry
        ? { ...(sent[Math.floor(Math.random() * sent.length)] as HubSpotEvent), attemptNumber: 1 }
        : {
            eventId: eventId++,
            subscriptionId,
            portalId: PORTAL,
            appId: 1,
            occurredAt: now - 60_000 + i,
            subscriptionType: 'deal.propertyChange',
            attemptNumber: 0,
            objectId: 1 + Math.floor(Math.random() * 20_000),
            propertyName: 'amount',
            propertyValue: String(1000 + Math.floor(Math.random() * 50_000)),
            changeSource: 'CRM_UI',
          };
      if (!retry) sent.push(event);
      batch.push(event);
    }
    batches.push(batch);
  }
  return batches;
}

type LoadResult = { times: number[]; duplicates: number; seconds: number };

function sendFromWorker(endpoint: string, bodies: string[], rate: number | null): Promise<LoadResult> {
  const child = fork(fileURLToPath(new URL('./ingest-client.ts', import.meta.url)), { execArgv: ['--import', 'tsx'] });
  child.send({ endpoint, clientSecret: CLIENT_SECRET, bodies, clients: CLIENTS, rate });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`the load generator exited with ${code}`)));
  });
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** The real app on `database`, configured from `env` as in production, quiet and without scheduled jobs. */
export async function buildBenchApp(database: DatabaseHandle, env: Record<string, string>) {
  const parsed = parseConfig({ SLACK_SIGNING_SECRET: 'bench', LOG_LEVEL: 'silent', ...env });
  if (!parsed.ok) throw new Error(parsed.problems.join(' '));
  return buildApp({
    config: { ...parsed.config, port: 0 },
    database,
    logger: createLogger('silent'),
    scheduleJobs: false,
  });
}

export async function benchIngest(adminUrl: string): Promise<IngestResult> {
  const name = `kpi_bench_ingest_${randomUUID().slice(0, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ driver: 'postgres', url: url.toString() });
  const fake = await startFakeSlack();
  const teamId = 'TINGEST01';
  fake.addToken(`xoxb-${teamId}`, { teamId, botUserId: 'UBOT', botId: 'BBOT' });
  const bot = await buildBenchApp(database, {
    SLACK_BOT_TOKEN: `xoxb-${teamId}`,
    SLACK_API_URL: fake.apiUrl,
    HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
  });
  const server = await bot.start();
  const endpoint = `http://127.0.0.1:${(server?.address() as AddressInfo).port}/webhooks/hubspot`;
  const json = (batches: HubSpotEvent[][]) => batches.map((b) => JSON.stringify(b));
  const batches = makeBatches();

  try {
    // A few batches first, so the JIT and the connection pool are warm before the clock starts.
    await sendFromWorker(endpoint, json(makeBatches(20, 1)), null);
    const sustained = await sendFromWorker(endpoint, json(batches), RATE);
    const counter = postgres(url.toString(), { max: 1 });
    const [row] = await counter`select count(*)::int as n from crm_events where event_id like '4242:%'`;
    await counter.end();
    const flat = await sendFromWorker(endpoint, json(makeBatches(BATCHES, 4343)), null);
    const bare = await bareInsert(url.toString(), batches);
    const events = BATCHES * BATCH_SIZE;
    const { p50, p99 } = summarize(sustained.times);
    const eventsPerSecond = events / sustained.seconds;
    return {
      events,
      seconds: sustained.seconds,
      eventsPerSecond,
      p50,
      p99,
      maxEventsPerSecond: events / flat.seconds,
      maxP99: summarize(flat.times).p99,
      bareEventsPerSecond: bare,
      duplicatesReported: sustained.duplicates,
      stored: Number(row?.n ?? 0),
      met: eventsPerSecond >= TARGET_EVENTS_PER_SECOND && p99 < TARGET_P99_MS,
    };
  } finally {
    await bot.stop();
    await fake.close();
    await database.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

/** The same rows straight into a copy of the inbox table with INSERT … ON CONFLICT DO NOTHING. */
async function bareInsert(url: string, batches: HubSpotEvent[][]): Promise<number> {
  const sqlc = postgres(url, { max: CLIENTS, onnotice: () => {} });
  await sqlc`create table bare_events (like crm_events including all)`;
  const rows = batches.map((batch) =>
    batch.map((e) => ({
      workspace_id: 'TINGEST01',
      source: 'hubspot',
      event_id: `${e.subscriptionId}:${e.eventId}:${e.objectId}`,
      object_key: `deal:${e.objectId}`,
      occurred_at: new Date(Number(e.occurredAt)),
      event: e,
    })),
  );
  const started = performance.now();
  await pool(rows, CLIENTS, async (unsorted) => {
    // In key order, as the app inserts, so overlapping batches cannot deadlock.
    const batch = [...unsorted].sort((a, b) => (a.event_id < b.event_id ? -1 : 1));
    await sqlc`insert into bare_events ${sqlc(batch, 'workspace_id', 'source', 'event_id', 'object_key', 'occurred_at', 'event')} on conflict do nothing`;
  });
  const seconds = (performance.now() - started) / 1000;
  await sqlc.end();
  return (batches.length * BATCH_SIZE) / seconds;
}

export function ingestTable(r: IngestResult): string {
  const f = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return [
    '| CRM ingest, PostgreSQL | events/s | p50 | p99 | target met? |',
    '|---|---|---|---|---|',
    `| HubSpot, sustained ${f(RATE * BATCH_SIZE)} events/s offered (${BATCH_SIZE}-event batches, ${DUPLICATE_SHARE * 100}% duplicates) | ${f(r.eventsPerSecond)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.met ? 'yes' : 'NO'} (≥ ${f(TARGET_EVENTS_PER_SECOND)}/s, p99 < ${TARGET_P99_MS} ms) |`,
    `| HubSpot, as fast as answered (${CLIENTS} clients) | ${f(r.maxEventsPerSecond)} | | ${r.maxP99.toFixed(1)} ms | |`,
    `| bare INSERT … ON CONFLICT DO NOTHING of the same rows (${CLIENTS} clients) | ${f(r.bareEventsPerSecond)} | | | |`,
    '',
    `Sustained run: ${f(r.events)} events in ${r.seconds.toFixed(1)} s, ${f(r.stored)} stored, ${f(r.duplicatesReported)} reported as duplicates; the app applied the batches in the background meanwhile.`,
  ].join('\n');
}
