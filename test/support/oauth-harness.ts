import type { AddressInfo } from 'node:net';
import { buildApp, type KpiBot } from '../../src/app.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { type CrmConfig, parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import type { EncryptionKeys } from '../../src/lib/secret-box.js';
import { type FakeSlack, isResponse, type OAuthV2AccessResponse, type RecordedResponse } from './fake-slack.js';
import { eventBody, postSigned, slashCommandBody } from './slack-signing.js';

export const OAUTH = { clientId: 'client-1', clientSecret: 'client-secret', signingSecret: 'oauth-signing-secret' };

/**
 * One replica of the app in many-workspace (OAuth) mode on a shared database and fake Slack: tests
 * start two on one database to see what replicas do at the same time.
 */
export interface OAuthReplica {
  bot: KpiBot;
  url: string;
  /** Installs through /slack/install and /slack/oauth_redirect with what oauth.v2.access will answer. */
  install(teamId: string, code: string, extra?: Partial<OAuthV2AccessResponse>): Promise<void>;
  /** `/kpi <text>` as the user; the reply, or the HTTP status when the app refused the request. */
  kpi(teamId: string, userId: string, text: string, id: string): Promise<RecordedResponse | number>;
  event(teamId: string, event: object, eventId: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startOAuthReplica(opts: {
  fake: FakeSlack;
  database: DatabaseHandle;
  now?: () => Date;
  crm?: CrmConfig;
  /** Many-workspace mode needs a key, as in production. */
  encryption?: EncryptionKeys;
  /** Where the app logs (default: silent). */
  logger?: Logger;
  /** How the app waits (a CRM's pacing and Retry-After); a test's clock moves instead of real time passing. */
  sleep?: (ms: number) => Promise<void>;
}): Promise<OAuthReplica> {
  const { fake, database } = opts;
  const bot = await buildApp({
    config: {
      slack: { mode: 'oauth', stateSecret: 'state-secret', ...OAUTH },
      database: { driver: 'pglite', dataDir: null },
      port: 0,
      slackApiUrl: fake.apiUrl,
      logLevel: 'silent',
      crm: opts.crm ?? parseCrmConfig({}, []),
      encryption: opts.encryption ?? { current: Buffer.alloc(32, 9), previous: [] },
    },
    database,
    logger: opts.logger ?? createLogger('silent'),
    ...(opts.now && { now: opts.now }),
    ...(opts.sleep && { sleep: opts.sleep }),
    scheduleJobs: false,
  });
  const server = await bot.start();
  const url = `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  const post = (body: string, contentType: 'application/json' | 'application/x-www-form-urlencoded') =>
    postSigned(`${url}/slack/events`, body, { signingSecret: OAUTH.signingSecret, contentType });
  return {
    bot,
    url,
    async install(teamId, code, extra = {}) {
      fake.addOAuthCode(code, {
        team: { id: teamId, name: `Team ${teamId}` },
        authed_user: { id: 'UINSTALLER' },
        access_token: `xoxb-${teamId}-${code}`,
        token_type: 'bot',
        scope: 'commands,users:read,users:read.email,chat:write,im:write,files:write',
        bot_user_id: `UBOT${teamId}`,
        app_id: 'A1',
        ...extra,
      });
      const start = await fetch(`${url}/slack/install`, { redirect: 'manual' });
      const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
      const cookie = start.headers.get('set-cookie')?.split(';')[0] ?? '';
      const done = await fetch(`${url}/slack/oauth_redirect?code=${code}&state=${state}`, {
        headers: { cookie },
        redirect: 'manual',
      });
      if (done.status >= 400) throw new Error(`install of ${teamId} answered ${done.status}`);
    },
    async kpi(teamId, userId, text, id) {
      const responseUrl = fake.responseUrl(id);
      const body = slashCommandBody({ teamId, userId, text, responseUrl, triggerId: `trigger-${id}` });
      const res = await post(body, 'application/x-www-form-urlencoded');
      if (res.status !== 200) return res.status;
      fake.commandAnswered(responseUrl, res);
      return fake.waitFor((e): e is RecordedResponse => isResponse(e) && e.id === id, 10_000);
    },
    async event(teamId, event, eventId) {
      return (await post(eventBody(event, { teamId, eventId }), 'application/json')).status;
    },
    stop: () => bot.stop(),
  };
}
