import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type BuildOptions, buildApp, type KpiBot } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { type CrmConfig, parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import { openTestDatabase } from './db.js';
import { type FakeSlack, isResponse, type RecordedResponse, startFakeSlack } from './fake-slack.js';
import { blockActionsBody, eventBody, postSigned, slashCommandBody } from './slack-signing.js';

export const SIGNING_SECRET = 'test-signing-secret';

/**
 * The whole app as Slack meets it: the real HTTP receiver on loopback, signed requests, the real
 * database, and a strict fake of the Slack Web API. The clock is injected.
 */
export interface Harness {
  fake: FakeSlack;
  database: DatabaseHandle;
  bot: KpiBot;
  url: string;
  teamId: string;
  botToken: string;
  clock: { now: Date };
  /** Runs `/kpi <text>` as the user and returns the reply: in the acknowledgement or posted to the response_url. */
  kpi(userId: string, text: string, opts?: { triggerId?: string }): Promise<RecordedResponse>;
  /**
   * Posts a signed slash command and returns the HTTP status; a reply in the acknowledgement is
   * recorded as the response_url's, a later one is not waited for.
   */
  postCommand(userId: string, text: string, opts?: { triggerId?: string; responseId?: string }): Promise<number>;
  /**
   * Posts a signed `/kpi <text>` and tells how it was acknowledged: the status, the reply the
   * acknowledgement carried (if any), how long it took and the response_url's id for a later reply.
   */
  command(userId: string, text: string, opts?: { triggerId?: string }): Promise<CommandAck>;
  clickButton(userId: string, actionId: string, value: string): Promise<RecordedResponse>;
  event(event: object, opts?: { eventId?: string; headers?: Record<string, string> }): Promise<number>;
  addUser(id: string, fields?: { name?: string; tz?: string; isAdmin?: boolean }): void;
  close(): Promise<void>;
}

export interface CommandAck {
  status: number;
  /** The reply in the acknowledgement's body, recorded as the response_url's; none for an empty ack. */
  inAck: RecordedResponse | undefined;
  /** From sending the command to reading its acknowledgement. */
  ackMs: number;
  responseId: string;
}

export interface HarnessOptions {
  database?: DatabaseHandle;
  now?: Date;
  /** How the app waits (a backfill's pacing); default real time. Tests pass one that moves `clock`. */
  sleep?: (clock: { now: Date }, ms: number) => Promise<void>;
  crm?: CrmConfig;
  /** Where the app logs (default: silent, or TEST_LOG_LEVEL). */
  logger?: Logger;
  metricsToken?: string;
  /** Start the cron scheduler too (off by default: tests run job bodies themselves). */
  scheduleJobs?: boolean;
  /** Send posts as soon as they commit, as the app does (off: tests that look at posts as decided). */
  deliverOnCommit?: boolean;
  health?: BuildOptions['health'];
  backfills?: BuildOptions['backfills'];
  /** How long a command's answer may take to go in its acknowledgement (default the app's). */
  commandAckBudgetMs?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeSlack();
  const database = opts.database ?? (await openTestDatabase());
  const teamId = `T${randomUUID().slice(0, 8).toUpperCase()}`;
  const botToken = `xoxb-${teamId}`;
  fake.addToken(botToken, { teamId, botUserId: 'UBOT', botId: 'BBOT' });
  const clock = { now: opts.now ?? new Date('2026-11-18T15:00:00Z') };
  const config: Config = {
    slack: { mode: 'single', botToken, signingSecret: SIGNING_SECRET },
    database: { driver: 'pglite', dataDir: null },
    port: 0,
    slackApiUrl: fake.apiUrl,
    logLevel: 'silent',
    crm: opts.crm ?? parseCrmConfig({}, []),
    encryption: null,
    metricsToken: opts.metricsToken,
  };
  const bot = await buildApp({
    config,
    database,
    logger: opts.logger ?? createLogger((process.env.TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'silent'),
    now: () => clock.now,
    ...(opts.sleep ? { sleep: (ms: number) => opts.sleep?.(clock, ms) ?? Promise.resolve() } : {}),
    scheduleJobs: opts.scheduleJobs ?? false,
    ...(opts.deliverOnCommit === false ? { deliverOnCommit: false } : {}),
    ...(opts.health ? { health: opts.health } : {}),
    ...(opts.backfills ? { backfills: opts.backfills } : {}),
    ...(opts.commandAckBudgetMs === undefined ? {} : { commandAckBudgetMs: opts.commandAckBudgetMs }),
  });
  const server = await bot.start();
  const port = (server?.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  let responses = 0;
  const waitForResponse = (id: string) =>
    fake.waitFor((e): e is RecordedResponse => isResponse(e) && e.id === id, 10_000);

  const command: Harness['command'] = async (userId, text, o: { triggerId?: string; responseId?: string } = {}) => {
    const responseId = o.responseId ?? `r${++responses}`;
    const responseUrl = fake.responseUrl(responseId);
    const body = slashCommandBody({ teamId, userId, text, responseUrl, triggerId: o.triggerId ?? randomUUID() });
    const started = performance.now();
    const res = await postSigned(`${url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    const ackMs = performance.now() - started;
    // A reply in the acknowledgement is recorded as the response_url's, as Slack shows it the same way.
    const inAck = fake.commandAnswered(responseUrl, res);
    return { status: res.status, inAck, ackMs, responseId };
  };
  const postCommand: Harness['postCommand'] = async (userId, text, o = {}) => (await command(userId, text, o)).status;

  return {
    fake,
    database,
    bot,
    url,
    teamId,
    botToken,
    clock,
    postCommand,
    command,
    async kpi(userId, text, o = {}) {
      const id = `r${++responses}`;
      const status = await postCommand(userId, text, { ...o, responseId: id });
      if (status !== 200) throw new Error(`slash command answered ${status}`);
      return waitForResponse(id);
    },
    async clickButton(userId, actionId, value) {
      const id = `r${++responses}`;
      const body = blockActionsBody({
        type: 'block_actions',
        team: { id: teamId, domain: 'test' },
        user: { id: userId, team_id: teamId },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: randomUUID(),
        response_url: fake.responseUrl(id),
        container: { type: 'message', is_ephemeral: true },
        actions: [
          {
            type: 'button',
            action_id: actionId,
            block_id: 'b1',
            value,
            text: { type: 'plain_text', text: 'x' },
            action_ts: '1',
          },
        ],
      });
      const res = await postSigned(`${url}/slack/events`, body, {
        signingSecret: SIGNING_SECRET,
        contentType: 'application/x-www-form-urlencoded',
      });
      if (res.status !== 200) throw new Error(`button click answered ${res.status}`);
      return waitForResponse(id);
    },
    async event(event, o = {}) {
      const body = eventBody(event, { teamId, eventId: o.eventId ?? `Ev${randomUUID().slice(0, 8)}` });
      const res = await postSigned(`${url}/slack/events`, body, {
        signingSecret: SIGNING_SECRET,
        contentType: 'application/json',
        headers: o.headers,
      });
      return res.status;
    },
    addUser(id, fields = {}) {
      fake.addUser({
        id,
        teamId,
        name: fields.name ?? id.toLowerCase(),
        realName: fields.name,
        displayName: fields.name,
        tz: fields.tz ?? 'America/New_York',
        isAdmin: fields.isAdmin,
      });
    },
    async close() {
      await bot.stop();
      await fake.close();
      if (!opts.database) await database.close();
    },
  };
}
