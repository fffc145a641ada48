import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import type { DatabaseHandle } from '../src/db/client.js';
import { createLogger } from '../src/lib/logger.js';
import {
  type FakeSlack,
  isCallTo,
  isResponse,
  type RecordedCall,
  type RecordedResponse,
  startFakeSlack,
} from '../test/support/fake-slack.js';
import { eventBody, postSigned, slashCommandBody } from '../test/support/slack-signing.js';
import { BUILT_SERVE, productionEnvironment, productionNodeFlags } from './built-serve.js';
import type { MemoryBreakdown } from './serve.js';

/**
 * The real app over HTTP, as in the end-to-end tests (test/support/harness.ts): Bolt's receiver on
 * loopback, signed requests, and the fake Slack receiving the replies at their response_url.
 */

const SIGNING_SECRET = 'bench-signing-secret';

export interface BenchApp {
  fake: FakeSlack;
  /** Where the app listens, e.g. http://127.0.0.1:43210 */
  baseUrl: string;
  /**
   * Sends `/kpi <text>` as `userId` and returns the milliseconds from sending the request until the
   * reply reached the response_url: Bolt acknowledges first and answers through `respond`, so the
   * acknowledgement alone would measure nothing of the work.
   */
  command(userId: string, text: string): Promise<number>;
  close(): Promise<void>;
}

/** `now` is the app's clock (the benchmark's data ends there); `env` adds settings (a CRM's secret). */
export async function startBenchApp(
  database: DatabaseHandle,
  teamId: string,
  now: () => Date,
  env: Record<string, string> = {},
): Promise<BenchApp> {
  const fake = await startFakeSlack();
  const botToken = `xoxb-${teamId}`;
  fake.addToken(botToken, { teamId, botUserId: 'UBOT', botId: 'BBOT' });
  // Configured as an operator would (the environment), on a free port. The database is not read
  // from it: the app is handed the open one.
  const parsed = parseConfig({
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: 'silent',
    ...env,
  });
  if (!parsed.ok) throw new Error(`bench configuration: ${parsed.problems.join(' ')}`);
  const config = { ...parsed.config, port: 0 };
  // No scheduled jobs (nudges, digests): nothing but the measured commands runs during the benchmark.
  const bot = await buildApp({
    config,
    database,
    logger: createLogger('silent'),
    now,
    scheduleJobs: false,
  });
  const server = await bot.start();
  const baseUrl = `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  return {
    ...benchClient(fake, baseUrl, teamId),
    async close() {
      await bot.stop();
      await fake.close();
    },
  };
}

/** The app in a process of its own (bench/serve.ts), its memory apart from the bench's. */
export interface BenchAppProcess extends BenchApp {
  /** The serving process's resident memory now and at its peak, in MiB (Linux /proc). */
  memory(): { rssMiB: number; peakMiB: number };
  /** Where the serving process's memory goes now, as it tells it. */
  breakdown(): Promise<MemoryBreakdown>;
  /** The node flags it was started with (the Dockerfile's). */
  nodeFlags: readonly string[];
  /**
   * Sends `app_home_opened` for `userId` and returns the milliseconds until the app's
   * `views.publish` reached Slack.
   */
  openHome(userId: string): Promise<number>;
}

/** Runs the compiled bench/serve.js (see built-serve.ts: `buildServe` first), by default with production's node flags. */
export async function startBenchAppProcess(
  databaseUrl: string,
  teamId: string,
  now: Date,
  nodeFlags: readonly string[] = productionNodeFlags(),
): Promise<BenchAppProcess> {
  const fake = await startFakeSlack();
  fake.addToken(`xoxb-${teamId}`, { teamId, botUserId: 'UBOT', botId: 'BBOT' });
  const child = spawn(process.execPath, [...nodeFlags, BUILT_SERVE, teamId, now.toISOString()], {
    env: {
      ...productionEnvironment(),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: databaseUrl,
      SLACK_BOT_TOKEN: `xoxb-${teamId}`,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'silent',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench/serve.ts exited with ${code} before listening`)));
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  let events = 0;
  return {
    ...benchClient(fake, baseUrl, teamId),
    memory() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
      return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
    },
    nodeFlags,
    async breakdown() {
      const asked = out.length;
      child.stdin.write('memory\n');
      for (;;) {
        const match = /memory (\{.*\})\n/.exec(out.slice(asked));
        if (match?.[1]) return JSON.parse(match[1]) as MemoryBreakdown;
        await new Promise((resolve) => child.stdout.once('data', resolve));
      }
    },
    async openHome(userId) {
      const before = fake.callsTo('views.publish').length;
      let arrivedAt = 0;
      const published = fake
        .waitFor(
          (e): e is RecordedCall => isCallTo('views.publish')(e) && fake.callsTo('views.publish').length > before,
          60_000,
        )
        .then((call) => {
          arrivedAt = performance.now();
          return call;
        });
      const body = eventBody(
        { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: `${++events}.0` },
        { teamId, eventId: `EvBench${events}`, botUserId: 'UBOT' },
      );
      const started = performance.now();
      const ack = await postSigned(`${baseUrl}/slack/events`, body, {
        signingSecret: SIGNING_SECRET,
        contentType: 'application/json',
      });
      if (ack.status !== 200) throw new Error(`app_home_opened was answered with HTTP ${ack.status}`);
      const call = await published;
      if (!call.ok) throw new Error(`the fake Slack refused views.publish: ${call.error}`);
      fake.reset();
      return arrivedAt - started;
    },
    async close() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      await fake.close();
    },
  };
}

/** Signed `/kpi` commands to the app at `baseUrl`, timed until the reply reaches the fake. */
function benchClient(fake: FakeSlack, baseUrl: string, teamId: string): Omit<BenchApp, 'close'> {
  return {
    fake,
    baseUrl,
    command: commandSender(fake, baseUrl, teamId, SIGNING_SECRET),
  };
}

/**
 * `/kpi <text>` as `userId`, signed, to the app at `baseUrl` (in this process or another); resolves
 * with the milliseconds until the reply was in hand: the acknowledgement when it carries the reply,
 * else the reply's arrival at the fake Slack's response_url.
 */
export function commandSender(
  fake: FakeSlack,
  baseUrl: string,
  teamId: string,
  signingSecret: string,
): (userId: string, text: string) => Promise<number> {
  const url = `${baseUrl}/slack/events`;
  let sent = 0;
  return async (userId, text) => {
    const id = `bench${++sent}`;
    let arrivedAt = 0;
    // Listening before sending: the reply may arrive before the acknowledgement is read.
    const reply = fake
      .waitFor((e): e is RecordedResponse => isResponse(e) && e.id === id, 60_000)
      .then((response) => {
        arrivedAt = performance.now();
        return response;
      });
    const responseUrl = fake.responseUrl(id);
    const body = slashCommandBody({ teamId, userId, text, responseUrl });
    const started = performance.now();
    const ack = await postSigned(url, body, { signingSecret, contentType: 'application/x-www-form-urlencoded' });
    const ackedAt = performance.now();
    if (ack.status !== 200) throw new Error(`/kpi ${text} was answered with HTTP ${ack.status}`);
    // Checked and recorded like a response_url post (which `reply` then finds); throws if refused.
    const inAck = fake.commandAnswered(responseUrl, ack);
    const response = await reply;
    if (!response.ok) throw new Error(`the fake Slack refused the reply to /kpi ${text}: ${response.error}`);
    if (String(response.body.text).startsWith('Sorry')) throw new Error(`the app failed on /kpi ${text}`);
    // Recordings are only needed until the reply is found; keep the fake's lists short.
    fake.reset();
    return (inAck ? ackedAt : arrivedAt) - started;
  };
}
