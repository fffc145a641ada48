import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type KpiBot } from '../../src/app.js';
import { type Config, configuredSecrets } from '../../src/config.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { signStandardWebhook } from '../../src/integrations/generic/signature.js';
import { createLogger } from '../../src/lib/logger.js';
import { dealCreation } from '../integrations/hubspot/fixtures.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { signHubSpotV3 } from '../support/fake-hubspot.js';
import { outboundMessage } from '../support/fake-salesforce.js';
import { type FakeSlack, isResponse, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { postSigned, slashCommandBody } from '../support/slack-signing.js';
import { postWebhook } from '../support/webhooks.js';

/** Every line the app writes, as the operator's log collector would receive it. */
function captureLog() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

/** Fails on any secret, or its tail, in the captured log; and on anything shaped like a Slack token. */
function expectNoSecret(lines: string[], secrets: string[]) {
  const text = lines.join('');
  expect(lines.length).toBeGreaterThan(20);
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(encodeURIComponent(secret));
    expect(text).not.toContain(secret.slice(-10));
  }
  expect(text).not.toMatch(/xox[a-z]-/);
}

const KEY = Buffer.alloc(32, 9);

describeDb('no secret in any log line at trace level: many workspaces', () => {
  const log = captureLog();
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let bot: KpiBot;
  let url: string;
  let config: Config;
  const seen: string[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack({ clientId: 'client-1', clientSecret: 'client-secret-7d1f0a99b2' });
    database = await openTestDatabase();
    config = {
      slack: {
        mode: 'oauth',
        clientId: 'client-1',
        clientSecret: 'client-secret-7d1f0a99b2',
        stateSecret: 'state-secret-5e4c3b2a19',
        signingSecret: 'signing-secret-0f9e8d7c6b',
      },
      database: { driver: 'pglite', dataDir: null },
      port: 0,
      slackApiUrl: fake.apiUrl,
      logLevel: 'trace',
      crm: parseCrmConfig(
        { HUBSPOT_CLIENT_SECRET: 'hubspot-app-secret-4a5b6c7d', HUBSPOT_ACCESS_TOKEN: 'pat-na1-0b1c2d3e' },
        [],
      ),
      encryption: { current: KEY, previous: [] },
    };
    bot = await buildApp({
      config,
      database,
      logger: createLogger('trace', log.stream, configuredSecrets(config)),
      scheduleJobs: false,
    });
    url = `http://127.0.0.1:${((await bot.start())?.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await bot.stop();
    await fake.close();
    await database.close();
  });

  it('logs an OAuth install, commands and CRM webhooks without a secret', async () => {
    const teamId = 'TLOGS';
    const botToken = 'xoxb-77-bot-token-e5d4c3b2a1';
    fake.addOAuthCode('code-logs', {
      team: { id: teamId, name: 'Logs' },
      authed_user: { id: 'UADM' },
      access_token: botToken,
      token_type: 'bot',
      scope: 'commands,users:read,users:read.email,chat:write',
      bot_user_id: 'UBOTL',
      app_id: 'A1',
    });
    const start = await fetch(`${url}/slack/install`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
    const cookie = start.headers.get('set-cookie')?.split(';')[0] ?? '';
    const done = await fetch(`${url}/slack/oauth_redirect?code=code-logs&state=${state}`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(done.status).toBeLessThan(400);

    const kpi = async (text: string, id: string) => {
      fake.addUser({ id: 'UADM', teamId, name: 'adm', tz: 'UTC', isAdmin: true });
      const responseUrl = fake.responseUrl(id);
      const body = slashCommandBody({ teamId, userId: 'UADM', text, responseUrl, triggerId: id });
      const res = await postSigned(`${url}/slack/events`, body, {
        signingSecret: 'signing-secret-0f9e8d7c6b',
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(res.status).toBe(200);
      fake.commandAnswered(responseUrl, res);
      const reply = await fake.waitFor((e): e is RecordedResponse => isResponse(e) && e.id === id);
      return JSON.stringify(reply.body);
    };
    const generic = await kpi('crm connect generic', 'r1');
    const genericSecret = /whsec_[A-Za-z0-9+/=]+/.exec(generic)?.[0] ?? '';
    const genericUrl = /\/webhooks\/generic\/[0-9a-f]+/.exec(generic)?.[0] ?? '';
    const salesforce = await kpi('crm connect salesforce 00D000000000001AAA', 'r2');
    const sfPath = /\/webhooks\/salesforce\/[0-9a-f]+\?token=[A-Za-z0-9_-]+/.exec(salesforce)?.[0] ?? '';
    seen.push(genericSecret, sfPath.split('token=')[1] ?? '', botToken);
    await kpi('crm connect hubspot 33', 'r3');

    const event = JSON.stringify({
      events: [
        {
          id: 'evt_1',
          type: 'activity',
          occurred_at: new Date().toISOString(),
          rep: { email: 'adm@example.com' },
          activity: 'call',
          count: 1,
        },
      ],
    });
    const seconds = Math.floor(Date.now() / 1000);
    const generic1 = await fetch(`${url}${genericUrl}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(seconds),
        'webhook-signature': signStandardWebhook(genericSecret, 'msg_1', seconds, event),
      },
      body: event,
    });
    // Verified with the secret opened from the database.
    expect(generic1.status).toBe(200);
    const sf = await fetch(`${url}${sfPath}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
      body: outboundMessage({ organizationId: '00D000000000001AAA', notifications: [] }),
    });
    expect(sf.status).toBe(400);
    const batch = JSON.stringify([dealCreation(5001, { occurredAt: Date.now() })]);
    const hs = await fetch(`${url}/webhooks/hubspot`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signHubSpotV3(batch, {
          clientSecret: 'hubspot-app-secret-4a5b6c7d',
          method: 'POST',
          url: `${url}/webhooks/hubspot`,
          timestamp: Date.now(),
        }),
      },
      body: batch,
    });
    expect(hs.status).toBe(200);
    await bot.crm.idle();

    // The Slack SDK logged its call to oauth.v2.access, which carries the client secret.
    expect(log.lines.join('')).toContain('oauth.v2.access');
    expectNoSecret(log.lines, [...configuredSecrets(config), ...seen]);
  });
});

describeDb('no secret in any log line at trace level: one workspace, every CRM configured', () => {
  const log = captureLog();
  let h: Harness;
  const env = {
    HUBSPOT_CLIENT_SECRET: 'hubspot-app-secret-9f8e7d6c',
    HUBSPOT_ACCESS_TOKEN: 'pat-na1-11112222-3333-4444-5555-666677778888',
    HUBSPOT_PORTAL_ID: '33',
    // Nothing listens there: the API call fails, and its failure is logged.
    HUBSPOT_API_URL: 'http://127.0.0.1:9',
    SALESFORCE_ORGANIZATION_ID: '00D000000000001AAA',
    SALESFORCE_WEBHOOK_TOKEN: 'sf-webhook-token-a1b2c3d4e5',
    SALESFORCE_ACCESS_TOKEN: 'sf-access-token-f6e5d4c3b2',
    SALESFORCE_INSTANCE_URL: 'http://127.0.0.1:9',
    PIPEDRIVE_WEBHOOK_USER: 'pd-user',
    PIPEDRIVE_WEBHOOK_PASSWORD: 'pd-password-0a9b8c7d6e',
    PIPEDRIVE_API_TOKEN: 'pd-api-token-5f4e3d2c1b',
    PIPEDRIVE_API_URL: 'http://127.0.0.1:9',
    WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  };
  let secrets: string[];

  beforeAll(async () => {
    const problems: string[] = [];
    const crm = parseCrmConfig(env, problems);
    expect(problems).toEqual([]);
    // As main.ts does; the harness's own bot token is not known yet, and is scrubbed by its shape.
    secrets = configuredSecrets({
      slack: { mode: 'single', botToken: 'xoxb-not-known-yet', signingSecret: SIGNING_SECRET },
      database: { driver: 'pglite', dataDir: null },
      port: 0,
      slackApiUrl: undefined,
      logLevel: 'trace',
      crm,
      encryption: { current: KEY, previous: [] },
    });
    h = await startHarness({ crm, logger: createLogger('trace', log.stream, secrets) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs commands and every CRM webhook, and the CRM API failing, without a secret', async () => {
    h.addUser('UADM', { isAdmin: true });
    await h.kpi('UADM', 'crm status');
    await h.kpi('UADM', 'log calls 3');
    const batch = JSON.stringify([dealCreation(5001, { occurredAt: h.clock.now.getTime() })]);
    const hs = await postWebhook(h, '/webhooks/hubspot', batch, {
      'content-type': 'application/json',
      ...signHubSpotV3(batch, {
        clientSecret: env.HUBSPOT_CLIENT_SECRET,
        method: 'POST',
        url: `${h.url}/webhooks/hubspot`,
        timestamp: h.clock.now.getTime(),
      }),
    });
    expect(hs.status).toBe(200);
    const sf = await postWebhook(
      h,
      `/webhooks/salesforce?token=${env.SALESFORCE_WEBHOOK_TOKEN}`,
      outboundMessage({ organizationId: env.SALESFORCE_ORGANIZATION_ID, notifications: [] }),
      { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
    );
    expect(sf.status).toBeLessThan(500);
    const wrong = await postWebhook(h, '/webhooks/pipedrive', '{}', {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`pd-user:${env.PIPEDRIVE_WEBHOOK_PASSWORD}x`).toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    await h.bot.crm.idle();
    // The failing HubSpot API call was logged, so its Authorization header had a chance to leak.
    expect(log.lines.join('')).toMatch(/hubspot/i);
    expectNoSecret(log.lines, [...secrets, h.botToken]);
  });
});
