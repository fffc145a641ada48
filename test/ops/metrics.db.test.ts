import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueuePosts } from '../../src/delivery/outbox.repository.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { describeDb } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';
import { sendGenericWebhook } from '../support/webhooks.js';
import { metricValue, scrape } from './ops-support.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const sendWebhook = (h: Harness, id: string, body: unknown, secret = SECRET) => sendGenericWebhook(h, id, body, secret);

const dealBatch = (eventId: string) => ({
  events: [
    {
      id: eventId,
      type: 'deal',
      occurred_at: '2026-11-16T10:00:00Z',
      deal: {
        id: `D-${eventId}`,
        name: 'Acme',
        amount: '1000',
        currency: 'USD',
        stage: 'won',
        owner_email: 'x@y.test',
      },
    },
  ],
});

describeDb('GET /metrics through the running app', () => {
  let h: Harness;
  beforeAll(async () => {
    // Posts are sent by the deliver job here, so the backlog can be seen before it.
    h = await startHarness({ crm: parseCrmConfig({ WEBHOOK_SECRET: SECRET }, []), deliverOnCommit: false });
    h.addUser('UANA', { name: 'Ana' });
    h.fake.addChannel({ id: 'CBOARD', teamId: h.teamId, members: ['UBOT'] });
  });
  afterAll(async () => h.close());

  it('times commands by subcommand and outcome', async () => {
    await h.kpi('UANA', 'help');
    await h.kpi('UANA', 'me');
    await h.kpi('UANA', 'frobnicate the pipeline');
    const text = await scrape(h);
    expect(metricValue(text, 'kpi_bot_command_duration_seconds_count', { subcommand: 'help', outcome: 'ok' })).toBe(1);
    expect(metricValue(text, 'kpi_bot_command_duration_seconds_count', { subcommand: 'me', outcome: 'ok' })).toBe(1);
    expect(metricValue(text, 'kpi_bot_command_duration_seconds_count', { subcommand: 'invalid', outcome: 'ok' })).toBe(
      1,
    );
    // What someone typed never becomes a label.
    expect(text).not.toContain('frobnicate');
  });

  it('counts webhook batches and events by CRM and outcome, and the events waiting', async () => {
    expect(await sendWebhook(h, 'm1', dealBatch('e1'))).toBe(200);
    expect(await sendWebhook(h, 'm1', dealBatch('e1'))).toBe(200);
    expect(await sendWebhook(h, 'm2', dealBatch('e2'), 'whsec_wrongwrongwrongwrongwrongwrongwr')).toBe(401);
    const text = await scrape(h);
    const batches = (outcome: string) =>
      metricValue(text, 'kpi_bot_webhook_batches_total', { crm: 'generic', outcome });
    expect([batches('stored'), batches('duplicate'), batches('refused')]).toEqual([1, 1, 1]);
    const events = (outcome: string) => metricValue(text, 'kpi_bot_webhook_events_total', { crm: 'generic', outcome });
    expect([events('stored'), events('duplicate')]).toEqual([1, 1]);
    expect(metricValue(text, 'kpi_bot_crm_events_waiting', { status: 'pending' })).toBeTypeOf('number');
  });

  it('reports the outbox backlog, its oldest due post, posts sent by kind, Slack calls with 429s, and job runs', async () => {
    const now = h.clock.now;
    await enqueuePosts(h.database.db, [
      {
        workspaceId: h.teamId,
        key: 'm:due',
        kind: 'board',
        target: 'CBOARD',
        payload: { text: 'due' },
        notBefore: new Date(now.getTime() - 90_000),
      },
      {
        workspaceId: h.teamId,
        key: 'm:later',
        kind: 'nudge',
        target: 'UANA',
        payload: { text: 'later' },
        notBefore: new Date(now.getTime() + 3_600_000),
      },
    ]);
    let text = await scrape(h);
    expect(metricValue(text, 'kpi_bot_outbox_pending', { kind: 'board' })).toBe(1);
    expect(metricValue(text, 'kpi_bot_outbox_pending', { kind: 'nudge' })).toBe(1);
    expect(metricValue(text, 'kpi_bot_outbox_oldest_pending_age_seconds', {})).toBeCloseTo(90, 0);

    h.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await h.bot.runJob('deliver', now);
    await h.bot.delivery.idle();
    text = await scrape(h);
    expect(
      metricValue(text, 'kpi_bot_slack_api_calls_total', { method: 'chat.postMessage', status: 'ratelimited' }),
    ).toBe(1);
    expect(metricValue(text, 'kpi_bot_slack_api_calls_total', { method: 'chat.postMessage', status: 'ok' })).toBe(1);
    expect(metricValue(text, 'kpi_bot_slack_api_calls_total', { method: 'auth.test', status: 'ok' })).toBeGreaterThan(
      0,
    );
    expect(metricValue(text, 'kpi_bot_outbox_posts_total', { kind: 'board', outcome: 'sent' })).toBe(1);
    expect(metricValue(text, 'kpi_bot_outbox_pending', { kind: 'board' })).toBeUndefined();
    expect(metricValue(text, 'kpi_bot_outbox_oldest_pending_age_seconds', {})).toBe(0);
    const lastRun = metricValue(text, 'kpi_bot_job_last_run_timestamp_seconds', { job: 'deliver' }) ?? 0;
    expect(Math.abs(lastRun - Date.now() / 1000)).toBeLessThan(60);
    expect(metricValue(text, 'kpi_bot_job_last_duration_seconds', { job: 'deliver' })).toBeGreaterThan(0);
    expect(metricValue(text, 'kpi_bot_job_errors_total', { job: 'deliver' })).toBe(0);
  });

  it('keeps each app instance to its own figures', async () => {
    const other = await startHarness({ database: h.database });
    try {
      const text = await scrape(other);
      expect(
        metricValue(text, 'kpi_bot_command_duration_seconds_count', { subcommand: 'help', outcome: 'ok' }),
      ).toBeUndefined();
      expect(
        metricValue(text, 'kpi_bot_slack_api_calls_total', { method: 'chat.postMessage', status: 'ok' }),
      ).toBeUndefined();
      // Its own start-up calls, and only those: as many as the first app made at its start.
      const first = await scrape(h);
      const authCalls = (t: string) =>
        metricValue(t, 'kpi_bot_slack_api_calls_total', { method: 'auth.test', status: 'ok' });
      expect(authCalls(text)).toBe(authCalls(first));
    } finally {
      await other.close();
    }
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ metricsToken: 'scrape-me-please' });
  });
  afterAll(async () => h.close());

  it('answers only a scraper with the bearer token', async () => {
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer scrape-me' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${h.url}/metrics`, { headers: { authorization: 'Bearer scrape-me-please' } });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toContain('text/plain');
    expect(await right.text()).toContain('kpi_bot_outbox_pending');
  });
});
