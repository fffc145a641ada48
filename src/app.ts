import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { resealSecrets } from './db/secrets-at-rest.js';
import { deliveryClient, wakeOnOutbox } from './delivery/deliver.job.js';
import { Deliverer } from './delivery/deliverer.js';
import { createApis } from './integrations/crm-apis.js';
import { type CrmRunner, createCrmRunner } from './integrations/crm-runner.js';
import { webhookRoutes } from './integrations/webhook-router.js';
import type { JobDeps, JobOptions, JobReport } from './jobs/job.js';
import { createJobRunner } from './jobs/runner.js';
import type { Logger } from './lib/logger.js';
import { createSecretBox } from './lib/secret-box.js';
import { createShutdown, type Shutdown } from './lib/shutdown.js';
import { DEFAULT_HEALTH_LIMITS, type HealthLimits, healthRoutes, LoopWatch } from './ops/health.js';
import { createMetrics, metricsRoute } from './ops/metrics.js';
import { requestLog } from './ops/observe.js';
import { createSlack } from './slack/bolt-app.js';
import { registerListeners } from './slack/listeners/index.js';

/**
 * Composition only: config → database → Slack → listeners, webhooks and jobs → start, and each
 * service adds how it stops to the shutdown registry. The process entry (`main.ts`) owns signals
 * and exit codes; tests build the whole app here against fakes.
 */

export interface KpiBot {
  app: App;
  /** Applies stored CRM webhook batches in the background. */
  crm: CrmRunner;
  /** What scheduled job bodies get: the database, the logger, each workspace's Slack client … */
  jobDeps: JobDeps;
  /** Sends the outbox: woken when posts are committed; `drain(now)` sends what is due and settles it. */
  delivery: Deliverer;
  /** Runs one scheduled job's body now (tests, `kpi-bot jobs run`). */
  runJob(name: string, now: Date, options?: JobOptions): Promise<JobReport>;
  /** Starts listening (HTTP) or connecting (Socket Mode) and the scheduled jobs; returns the HTTP server. */
  start(): Promise<Server | undefined>;
  /** Runs the shutdown registry: what started last stops first. */
  stop(): Promise<void>;
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  now?: () => Date;
  /** Off in tests, which run job bodies themselves with an injected clock. */
  scheduleJobs?: boolean;
  /** Off in tests that look at posts as decided: only kicks and the deliver job send them then. */
  deliverOnCommit?: boolean;
  /** Thresholds of `/livez` and `/readyz` (tests shorten them). */
  health?: Partial<HealthLimits>;
  /** Where services add how they stop; the caller's, to stop what it opened (the database) last. */
  shutdown?: Shutdown;
}

export async function buildApp(options: BuildOptions): Promise<KpiBot> {
  const { config, database, logger, now = () => new Date() } = options;
  const { db } = database;
  const shutdown = options.shutdown ?? createShutdown(logger);
  const metrics = createMetrics(db, now);
  const secrets = createSecretBox(config.encryption);
  // Before anything reads them: values still in plain text, or under a previous key, are sealed anew.
  if (config.encryption) {
    const resealed = await resealSecrets(db, secrets);
    if (resealed > 0) logger.info({ resealed }, 'stored secrets sealed under the current ENCRYPTION_KEY');
  }
  const slack = createSlack({ config, db, logger, now, secrets, fetch: metrics.slackFetch });
  const slackFor = (workspaceId: string) => slack.clientFor(workspaceId);
  const apis = createApis(config.crm, now);
  // CRM API credentials come from the environment, so they serve the one workspace only.
  const crmApis: JobDeps['crm'] = {
    crm: config.crm,
    apiFor: (workspaceId, source) => (workspaceId === slack.workspaceId ? (apis[source] ?? null) : null),
  };
  const crm = createCrmRunner({ db, logger, now, slackFor, ...crmApis }, logger);
  shutdown.add('crm runner', () => crm.idle());
  const delivery = new Deliverer({
    db,
    logger,
    now,
    clientFor: async (workspaceId) =>
      deliveryClient(await slackFor(workspaceId), { logger: slack.boltLogger, fetch: metrics.slackFetch }),
    onSettled: (kind, outcome) => metrics.delivery(kind, outcome),
  });
  const loop = new LoopWatch();
  let scheduler = false;
  const app = slack.createApp([
    metricsRoute(metrics, config.metricsToken, logger),
    ...healthRoutes({
      database,
      logger,
      loop,
      limits: { ...DEFAULT_HEALTH_LIMITS, ...options.health },
      schedulerRunning: () => scheduler,
      delivererStalledMs: () => delivery.stalledMs(),
    }),
    ...webhookRoutes({
      db,
      logger,
      now,
      crm: config.crm,
      secrets,
      get singleWorkspaceId() {
        return slack.workspaceId;
      },
      onStored: (workspaceId) => crm.kick(workspaceId),
      metrics,
    }),
  ]);
  app.use(requestLog(logger, metrics));
  const perWorkspaceConnections = config.slack.mode === 'oauth';
  registerListeners(
    app,
    { db, logger, now, crm: { config: config.crm, runner: crm, perWorkspaceConnections, secrets } },
    slack.store,
  );
  await slack.connect();
  let listening = false;
  shutdown.add('slack', async () => {
    if (listening) await app.stop();
  });
  shutdown.add('deliverer', () => delivery.stop());
  const jobDeps: JobDeps = { db, logger, slackFor, deliverer: delivery, crm: crmApis };
  const jobs = createJobRunner(jobDeps, { logger, metrics });

  return {
    app,
    crm,
    jobDeps,
    delivery,
    runJob: jobs.run,
    start: async () => {
      const server = (await app.start(config.port)) as unknown;
      listening = true;
      loop.start();
      shutdown.add('event loop watch', () => loop.stop());
      if (options.deliverOnCommit ?? true) {
        shutdown.add('outbox listener', await wakeOnOutbox(database, delivery, logger));
      }
      delivery.kick();
      if (options.scheduleJobs ?? true) {
        const stopJobs = jobs.schedule();
        scheduler = true;
        shutdown.add('scheduler', async () => {
          scheduler = false;
          await stopJobs();
        });
      }
      return config.slack.mode === 'socket' ? undefined : (server as Server);
    },
    stop: () => shutdown.run(),
  };
}
