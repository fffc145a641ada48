import { createHash, timingSafeEqual } from 'node:crypto';
import type { CustomRoute } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import type { Logger } from '../lib/logger.js';

/**
 * Prometheus metrics. Each app gets its own registry (nothing global), so two apps in one process,
 * as in tests, never see each other's figures. Counters are this process's; the outbox and inbox
 * gauges are read from the database at scrape time, so every replica reports the same backlog.
 */
export type WebhookOutcome = 'stored' | 'duplicate' | 'refused';

export interface Metrics {
  registry: Registry;
  /** One `/kpi` command, by subcommand and outcome (ok, error). */
  command(subcommand: string, outcome: string, seconds: number): void;
  /** One webhook batch and the events in it, by outcome. */
  webhook(crm: string, batch: WebhookOutcome | 'failed', events: Partial<Record<WebhookOutcome, number>>): void;
  /** One post settled by the deliverer. */
  delivery(kind: string, outcome: 'sent' | 'reconciled' | 'failed'): void;
  /** One job run; its last-run time is the wall clock's (what an alert compares with `time()`). */
  job(name: string, seconds: number, failed: boolean): void;
  /** A `fetch` for the Slack Web API clients that counts every call by method and answer. */
  slackFetch: typeof fetch;
}

/** Slack error codes are short snake_case words; anything else is folded so labels stay bounded. */
const slackStatus = (error: unknown) =>
  typeof error === 'string' && /^[a-z_]{1,60}$/.test(error) ? error : 'unknown_error';

export function createMetrics(db: Database, now: () => Date, base: typeof fetch = fetch): Metrics {
  const registry = new Registry();
  const commandSeconds = new Histogram({
    name: 'kpi_bot_command_duration_seconds',
    help: 'Slash command handling time, from receipt to the reply, by subcommand and outcome',
    labelNames: ['subcommand', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [registry],
  });
  const webhookBatches = new Counter({
    name: 'kpi_bot_webhook_batches_total',
    help: 'CRM webhook requests by CRM and outcome (stored, duplicate, refused, failed)',
    labelNames: ['crm', 'outcome'],
    registers: [registry],
  });
  const webhookEvents = new Counter({
    name: 'kpi_bot_webhook_events_total',
    help: 'CRM events received by CRM and outcome (stored, duplicate, refused)',
    labelNames: ['crm', 'outcome'],
    registers: [registry],
  });
  const posts = new Counter({
    name: 'kpi_bot_outbox_posts_total',
    help: 'Outbox posts settled by this process, by kind and outcome (sent, reconciled, failed)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const jobLastRun = new Gauge({
    name: 'kpi_bot_job_last_run_timestamp_seconds',
    help: 'When each job last ran (Unix time)',
    labelNames: ['job'],
    registers: [registry],
  });
  const jobDuration = new Gauge({
    name: 'kpi_bot_job_last_duration_seconds',
    help: "How long each job's last run took",
    labelNames: ['job'],
    registers: [registry],
  });
  const jobErrors = new Counter({
    name: 'kpi_bot_job_errors_total',
    help: 'Job runs that failed',
    labelNames: ['job'],
    registers: [registry],
  });
  const slackCalls = new Counter({
    name: 'kpi_bot_slack_api_calls_total',
    help: 'Slack Web API calls by method and status (ok, an error code, ratelimited for a 429, http_<code>)',
    labelNames: ['method', 'status'],
    registers: [registry],
  });

  new Gauge({
    name: 'kpi_bot_outbox_pending',
    help: 'Outbox posts waiting to be sent (pending or being sent), by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await queryRows<{ kind: string; n: number }>(
        db,
        sql`select kind, count(*)::int as n from outbox where status in ('pending', 'sending') group by kind`,
      );
      for (const row of rows) this.set({ kind: row.kind }, row.n);
    },
  });
  new Gauge({
    name: 'kpi_bot_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest post due and not yet sent (0 when none is due)',
    registers: [registry],
    async collect() {
      const at = now().toISOString();
      const [row] = await queryRows<{ age: number | null }>(
        db,
        sql`select extract(epoch from ${at}::timestamptz - min(not_before))::float8 as age
            from outbox where status in ('pending', 'sending') and not_before <= ${at}::timestamptz`,
      );
      this.set(Math.max(0, row?.age ?? 0));
    },
  });
  new Gauge({
    name: 'kpi_bot_crm_events_waiting',
    help: 'Stored CRM events not applied yet, by status (pending, waiting for a mapping or the CRM API)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await queryRows<{ status: string; n: number }>(
        db,
        sql`select status, count(*)::int as n from crm_events where status in ('pending', 'waiting') group by status`,
      );
      for (const status of ['pending', 'waiting']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
    },
  });

  const slackFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = new URL(url).pathname.split('/').pop() || 'unknown';
    let response: Response;
    try {
      response = await base(input, init);
    } catch (error) {
      slackCalls.inc({ method, status: 'network_error' });
      throw error;
    }
    if (response.status === 429) slackCalls.inc({ method, status: 'ratelimited' });
    else if (!response.ok) slackCalls.inc({ method, status: `http_${response.status}` });
    else {
      const answer = (await response
        .clone()
        .json()
        .catch(() => null)) as { ok?: boolean; error?: unknown } | null;
      slackCalls.inc({ method, status: answer?.ok ? 'ok' : slackStatus(answer?.error) });
    }
    return response;
  };

  return {
    registry,
    command: (subcommand, outcome, seconds) => commandSeconds.observe({ subcommand, outcome }, seconds),
    webhook: (crm, batch, events) => {
      webhookBatches.inc({ crm, outcome: batch });
      for (const [outcome, n] of Object.entries(events)) if (n) webhookEvents.inc({ crm, outcome }, n);
    },
    delivery: (kind, outcome) => posts.inc({ kind, outcome }),
    job: (name, seconds, failed) => {
      jobLastRun.set({ job: name }, Date.now() / 1000);
      jobDuration.set({ job: name }, seconds);
      jobErrors.inc({ job: name }, failed ? 1 : 0);
    },
    slackFetch,
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` in Prometheus's text format. With a token configured, only a scraper sending
 * `Authorization: Bearer <token>` gets an answer (compared in constant time).
 */
export function metricsRoute(metrics: Metrics, token: string | undefined, logger: Logger): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (req, res) => {
      if (token !== undefined) {
        const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
        if (!timingSafeEqual(digest(given), digest(token))) {
          res
            .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
            .end('metrics need the bearer token set in METRICS_TOKEN\n');
          return;
        }
      }
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        (error: unknown) => {
          logger.error({ err: error }, 'metrics could not be collected');
          res.writeHead(503, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
    },
  };
}
