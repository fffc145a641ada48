import type { Server } from 'node:http';
import type { App } from '@slack/bolt';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { openSecretsAtRest } from './db/secrets-at-rest.js';
import type { Deliverer } from './delivery/deliverer.js';
import { createDelivery, startDelivery } from './delivery/delivery-service.js';
import { loadReporterState, saveReporterState } from './integrations/backfill/backfill.repository.js';
import type { BackfillReporter, BackfillRun, Backfills } from './integrations/backfill/contract.js';
import { oauthClients } from './integrations/crm-grants.js';
import { oauthRoutes } from './integrations/crm-oauth-routes.js';
import type { CrmRunner } from './integrations/crm-runner.js';
import { createCrmService } from './integrations/crm-service.js';
import { webhookRoutes } from './integrations/webhook-router.js';
import type { JobDeps, JobOptions, JobReport } from './jobs/job.js';
import { createJobRunner } from './jobs/runner.js';
import type { Logger } from './lib/logger.js';
import { createShutdown, type Shutdown } from './lib/shutdown.js';
import { DEFAULT_HEALTH_LIMITS, type HealthLimits, healthRoutes, LoopWatch } from './ops/health.js';
import { createMetrics, metricsRoute } from './ops/metrics.js';
import { requestLog } from './ops/observe.js';
import { createSlackBackfillReporter } from './slack/backfill-reporter.js';
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
  /** Reads a window of each workspace's CRM history (`/kpi crm backfill`, the CLI). */
  backfills: Backfills;
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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  now?: () => Date;
  /** How background work waits (a backfill's pacing and retries); tests move their clock instead. */
  sleep?: (ms: number) => Promise<void>;
  /** Off in tests, which run job bodies themselves with an injected clock. */
  scheduleJobs?: boolean;
  /** Off in tests that look at posts as decided: only kicks and the deliver job send them then. */
  deliverOnCommit?: boolean;
  /** Thresholds of `/livez` and `/readyz` (tests shorten them). */
  health?: Partial<HealthLimits>;
  /**
   * How long after a slash command arrives its answer may still go in the acknowledgement; later
   * ones go through `response_url` (default `COMMAND_ACK_BUDGET_MS`; tests shorten it).
   */
  commandAckBudgetMs?: number;
  /** Where services add how they stop; the caller's, to stop what it opened (the database) last. */
  shutdown?: Shutdown;
  /** Who else watches a backfill besides the admin's Slack DM (the CLI's progress bar). */
  backfillReporters?: (run: BackfillRun) => BackfillReporter[];
  /** What the Slack surfaces start backfills with, when not the CRM service's engine (tests of the surfaces alone). */
  backfills?: Backfills;
}

export async function buildApp(options: BuildOptions): Promise<KpiBot> {
  const { config, database, logger, now = () => new Date(), sleep = realSleep } = options;
  const { db } = database;
  const shutdown = options.shutdown ?? createShutdown(logger);
  const metrics = createMetrics(db, now);
  const secrets = await openSecretsAtRest(db, config.encryption, logger);
  const slack = createSlack({ config, db, logger, now, secrets, fetch: metrics.slackFetch, shutdown });
  const slackFor = (workspaceId: string) => slack.clientFor(workspaceId);
  const singleWorkspaceId = () => slack.workspaceId;
  // CRMs connect by OAuth only in many-workspace mode; one workspace keeps the environment's credentials.
  const perWorkspaceConnections = config.slack.mode === 'oauth';
  const oauth = perWorkspaceConnections ? oauthClients(config.crm, now) : {};
  const slackReporter = createSlackBackfillReporter({
    clientFor: slackFor,
    state: { load: (id) => loadReporterState(db, id), save: (id, state) => saveReporterState(db, id, state) },
    logger,
    now,
  });
  // Added before the CRM service, so it stops after the backfills: their last report still goes out.
  shutdown.add('backfill reporter', () => slackReporter.idle());
  const backfillReporters = (run: BackfillRun) => [slackReporter, ...(options.backfillReporters?.(run) ?? [])];
  const crmDeps = {
    db,
    logger,
    now,
    sleep,
    crm: config.crm,
    slackFor,
    singleWorkspaceId,
    shutdown,
    secrets,
    oauth,
    backfillReporters,
  };
  const crm = createCrmService(crmDeps);
  const delivery = createDelivery({ database, logger, now, slackFor, boltLogger: slack.boltLogger, metrics, shutdown });
  const jobDeps: JobDeps = {
    db,
    logger,
    slackFor,
    deliverer: delivery,
    crm: crm.waiting,
    crmGrants: crm.grants,
    crmBackfills: crm.backfillResumer,
  };
  const jobs = createJobRunner(jobDeps, { logger, metrics, shutdown });
  const loop = new LoopWatch();
  const app = slack.createApp([
    metricsRoute(metrics, config.metricsToken, logger),
    ...healthRoutes({
      database,
      logger,
      loop,
      limits: { ...DEFAULT_HEALTH_LIMITS, ...options.health },
      schedulerRunning: jobs.scheduled,
      delivererStalledMs: () => delivery.stalledMs(),
    }),
    ...webhookRoutes({
      db,
      logger,
      now,
      crm: config.crm,
      secrets,
      metrics,
      get singleWorkspaceId() {
        return slack.workspaceId;
      },
      onStored: (workspaceId) => crm.runner.kick(workspaceId),
    }),
    ...oauthRoutes({
      db,
      logger,
      now,
      secrets,
      clients: oauth,
      publicUrl: config.crm.publicUrl,
    }),
  ]);
  app.use(requestLog(logger, metrics));
  const crmCommand = {
    config: config.crm,
    runner: crm.runner,
    perWorkspaceConnections,
    secrets,
    oauth,
    backfills: options.backfills ?? crm.backfills,
  };
  const listenerOptions =
    options.commandAckBudgetMs === undefined ? {} : { commandAckBudgetMs: options.commandAckBudgetMs };
  registerListeners(app, { db, logger, now, crm: crmCommand }, slack.store, listenerOptions);
  await slack.connect();

  return {
    app,
    crm: crm.runner,
    backfills: crm.backfills,
    jobDeps,
    delivery,
    runJob: jobs.run,
    start: async () => {
      const server = await slack.start();
      loop.start(shutdown);
      await startDelivery({ database, logger, shutdown }, delivery, options.deliverOnCommit ?? true);
      if (options.scheduleJobs ?? true) jobs.schedule();
      // Backfills a stopped process left go on now rather than at the job's next minute.
      await crm.backfills.resumeLapsed();
      return server;
    },
    stop: () => shutdown.run(),
  };
}
