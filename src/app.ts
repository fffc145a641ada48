import type { Server } from 'node:http';
import { App, type CustomRoute, type InstallationStore, webApi } from '@slack/bolt';
import type { Config } from './config.js';
import { type DatabaseHandle, ping } from './db/client.js';
import { resealSecrets } from './db/secrets-at-rest.js';
import { deliveryClient, useDeliverer } from './delivery/deliver.job.js';
import { Deliverer } from './delivery/deliverer.js';
import { OUTBOX_CHANNEL } from './delivery/outbox.repository.js';
import { createApis } from './integrations/crm-apis.js';
import { type CrmRunner, createCrmRunner } from './integrations/crm-runner.js';
import { webhookRoutes } from './integrations/webhook-router.js';
import { findJob, JOBS } from './jobs/catalog.js';
import { startJobs } from './jobs/index.js';
import type { JobDeps, JobOptions, JobReport } from './jobs/job.js';
import { boltLogger, type Logger } from './lib/logger.js';
import { createSecretBox } from './lib/secret-box.js';
import { slackErrorCode } from './lib/slack-errors.js';
import { DEFAULT_HEALTH_LIMITS, type HealthLimits, healthRoutes, LoopWatch } from './ops/health.js';
import { createMetrics, metricsRoute } from './ops/metrics.js';
import { observeJob, type RequestInfo, requestLog } from './ops/observe.js';
import type { AppDeps } from './slack/deps.js';
import { BOT_SCOPES } from './slack/ids.js';
import { createInstallationStore } from './slack/installation-store.js';
import { registerListeners } from './slack/listeners/index.js';
import { createSlackReceiver } from './slack/receiver.js';
import { withTokenRotation } from './slack/token-rotation.js';

/**
 * Composition only: config → database → Bolt app → listeners, webhooks and jobs. The process entry
 * (`main.ts`) owns signals and exit codes; tests build the whole app here against fakes.
 */

/** Bolt's handler type with `extendedErrorHandler` on (the last overload of `error`; not exported). */
type ExtendedErrorHandler = Parameters<App['error']>[0];

/**
 * Every Web API call is bounded: the SDK's default is no timeout and 10 retries over about 30
 * minutes, so an unreachable Slack hung start-up and every call silently. Here a call gives up
 * after 5 s and is tried 3 times at most, under 20 s in all.
 */
export const SLACK_CALLS = {
  timeout: 5_000,
  retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 1_000, randomize: true },
} satisfies webApi.WebClientOptions;

export class SlackAuthError extends Error {
  readonly code = 'kpi_bot.slack_auth_failed';
}

export interface KpiBot {
  app: App;
  /** Applies stored CRM webhook batches in the background. */
  crm: CrmRunner;
  /** What scheduled job bodies get: the database, the logger and each workspace's Slack client. */
  jobDeps: JobDeps;
  /** Sends the outbox: woken when posts are committed; `drain(now)` sends what is due and settles it. */
  delivery: Deliverer;
  /** Runs one scheduled job's body now (tests, `kpi-bot jobs run`). */
  runJob(name: string, now: Date, options?: JobOptions): Promise<JobReport>;
  /** Starts listening (HTTP) or connecting (Socket Mode) and the scheduled jobs; returns the HTTP server. */
  start(): Promise<Server | undefined>;
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
}

export async function buildApp(options: BuildOptions): Promise<KpiBot> {
  const { config, database, logger, now = () => new Date() } = options;
  const bolt = boltLogger(logger);
  const metrics = createMetrics(database.db, now);
  // A rate-limited call fails at once instead of sleeping: an interactive reply cannot wait out a
  // Retry-After, and callers fall back (a stored profile) or retry on their own schedule. Every
  // Slack client fetches through the metrics, so calls are counted by method and answer.
  const clientOptions = {
    slackApiUrl: config.slackApiUrl,
    logger: bolt,
    rejectRateLimitedCalls: true,
    fetch: metrics.slackFetch,
    ...SLACK_CALLS,
  };
  const { slack } = config;
  const secrets = createSecretBox(config.encryption);
  // Before anything reads them: values still in plain text, or under a previous key, are sealed anew.
  if (config.encryption) {
    const resealed = await resealSecrets(database.db, secrets);
    if (resealed > 0) logger.info({ resealed }, 'stored secrets sealed under the current ENCRYPTION_KEY');
  }
  const store =
    slack.mode === 'oauth'
      ? withTokenRotation({
          db: database.db,
          now,
          logger,
          storeFor: (db) => createInstallationStore(db, now, secrets),
          clientId: slack.clientId,
          clientSecret: slack.clientSecret,
          clientOptions,
        })
      : undefined;

  // Filled in once Slack has told us who we are (one-workspace modes).
  const identity = { workspaceId: null as string | null };
  let app: App | undefined;
  const apis = createApis(config.crm, now);
  const crm = createCrmRunner(
    {
      db: database.db,
      logger,
      now,
      crm: config.crm,
      slackFor: (workspaceId) => slackClientFor(workspaceId, { app, store, identity, clientOptions }),
      // CRM API credentials come from the environment, so they serve the one workspace only.
      apiFor: (workspaceId, source) => (workspaceId === identity.workspaceId ? (apis[source] ?? null) : null),
    },
    logger,
  );
  const loop = new LoopWatch();
  // Set once the app is composed (the deliverer and scheduler come after the receiver's routes).
  const state = { scheduler: false, delivery: undefined as Deliverer | undefined };
  const routes = [
    healthRoute(database, logger),
    metricsRoute(metrics, config.metricsToken, logger),
    ...healthRoutes({
      database,
      logger,
      loop,
      limits: { ...DEFAULT_HEALTH_LIMITS, ...options.health },
      schedulerRunning: () => state.scheduler,
      delivererStalledMs: () => state.delivery?.stalledMs() ?? 0,
    }),
    ...webhookRoutes({
      db: database.db,
      logger,
      now,
      crm: config.crm,
      secrets,
      get singleWorkspaceId() {
        return identity.workspaceId;
      },
      onStored: (workspaceId) => crm.kick(workspaceId),
      metrics,
    }),
  ];

  const deps: AppDeps = {
    db: database.db,
    logger,
    now,
    crm: { config: config.crm, runner: crm, perWorkspaceConnections: slack.mode === 'oauth', secrets },
  };

  if (slack.mode === 'socket') {
    app = new App({
      token: slack.botToken,
      appToken: slack.appToken,
      socketMode: true,
      // Socket Mode needs no public URL for Slack, but CRMs still call webhooks over HTTP.
      customRoutes: routes,
      installerOptions: { port: config.port },
      clientOptions,
      logger: bolt,
      deferInitialization: true,
      extendedErrorHandler: true,
    });
  } else if (slack.mode === 'single') {
    app = new App({
      token: slack.botToken,
      receiver: createSlackReceiver({ signingSecret: slack.signingSecret, customRoutes: routes, logger: bolt }, logger),
      clientOptions,
      logger: bolt,
      deferInitialization: true,
      extendedErrorHandler: true,
    });
  } else {
    app = new App({
      receiver: createSlackReceiver(
        {
          signingSecret: slack.signingSecret,
          clientId: slack.clientId,
          clientSecret: slack.clientSecret,
          stateSecret: slack.stateSecret,
          scopes: [...BOT_SCOPES],
          installationStore: store,
          installerOptions: { directInstall: true, clientOptions },
          customRoutes: routes,
          logger: bolt,
        },
        logger,
      ),
      clientOptions,
      logger: bolt,
      deferInitialization: true,
      extendedErrorHandler: true,
    });
  }
  const bot = app;

  bot.use(requestLog(logger, metrics));
  registerListeners(bot, deps, store);
  // Logged with context (the request's id and workspace), then rethrown so the receiver answers
  // as Slack expects: 401 for a workspace with no installation, 500 for a failure before the ack.
  bot.error((async ({ error, context }: Parameters<ExtendedErrorHandler>[0]) => {
    const { requestId } = context as RequestInfo;
    logger.error({ err: error, code: error.code, requestId, workspace: context.teamId }, 'error in a listener');
    throw error;
  }) as ExtendedErrorHandler);

  try {
    await bot.init();
    if (slack.mode !== 'oauth') identity.workspaceId = (await bot.client.auth.test()).team_id ?? null;
  } catch (error) {
    throw new SlackAuthError(describeAuthFailure(error, config.slackApiUrl));
  }

  const jobDeps: JobDeps = {
    db: database.db,
    logger,
    slackFor: (workspaceId) => slackClientFor(workspaceId, { app: bot, store, identity, clientOptions }),
  };
  const delivery = new Deliverer({
    db: database.db,
    logger,
    now,
    clientFor: async (workspaceId) =>
      deliveryClient(await jobDeps.slackFor(workspaceId), { logger: bolt, fetch: metrics.slackFetch }),
    onSettled: (kind, outcome) => metrics.delivery(kind, outcome),
  });
  state.delivery = delivery;
  useDeliverer(jobDeps, delivery);
  const runJob = async (name: string, at: Date, jobOptions: JobOptions = {}) => {
    const job = findJob(name);
    if (!job) throw new Error(`no job named ${name}; jobs: ${JOBS.map((j) => j.name).join(', ')}`);
    const report = await observeJob({ logger, metrics }, { name, workspace: jobOptions.workspaceId }, () =>
      job.run(jobDeps, at, jobOptions),
    );
    return report;
  };

  let stopJobs = async () => {};
  let unlisten = async () => {};
  return {
    app: bot,
    crm,
    jobDeps,
    delivery,
    runJob,
    start: async () => {
      const server = (await bot.start(config.port)) as unknown;
      loop.start();
      if (options.deliverOnCommit ?? true) unlisten = await wakeOnOutbox(database, delivery, logger);
      delivery.kick();
      if (options.scheduleJobs ?? true) {
        // Events that wait (an unmapped owner, a CRM API that was down) are retried every minute.
        stopJobs = startJobs(
          [
            {
              name: 'crm-retry',
              cron: '* * * * *',
              timezone: 'UTC',
              run: () => observeJob({ logger, metrics }, { name: 'crm-retry' }, () => crm.sweep()),
            },
            ...JOBS.map((job) => ({ ...job, run: async (at: Date) => void (await runJob(job.name, at)) })),
          ],
          logger,
        );
        state.scheduler = true;
      }
      return slack.mode === 'socket' ? undefined : (server as Server);
    },
    stop: async () => {
      state.scheduler = false;
      loop.stop();
      await stopJobs();
      await unlisten();
      await delivery.stop();
      await bot.stop();
      await crm.idle();
    },
  };
}

/** How long the health check waits for the database before it answers 503. */
export const HEALTH_DEADLINE_MS = 2_000;

/**
 * A post is sent as soon as the transaction that wrote it commits, by whichever replica claims it
 * first: every replica listens for the outbox's NOTIFY (`enqueuePosts` sends it), and catches up
 * on whatever was written while it was not listening. Without the subscription, the minute job and
 * the deliverer's own wake-ups still send everything, only later.
 */
async function wakeOnOutbox(database: DatabaseHandle, delivery: Deliverer, logger: Logger) {
  const kick = () => delivery.kick();
  try {
    return await database.listen(OUTBOX_CHANNEL, kick, kick);
  } catch (error) {
    logger.warn({ err: error }, 'delivery: cannot listen for new posts; they wait for the minute job');
    return async () => {};
  }
}

function healthRoute(database: DatabaseHandle, logger: Logger): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      ping(database.db, HEALTH_DEADLINE_MS).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
        (error: unknown) => {
          logger.error({ err: error }, 'health check: the database does not answer');
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"ok":false,"error":"database_unavailable"}');
        },
      );
    },
  };
}

/** The bot's Web API client for a workspace: the app's own, or one with that installation's token. */
async function slackClientFor(
  workspaceId: string,
  ctx: {
    app: App | undefined;
    store: InstallationStore | undefined;
    identity: { workspaceId: string | null };
    clientOptions: webApi.WebClientOptions;
  },
): Promise<webApi.WebClient | null> {
  if (!ctx.store) return workspaceId === ctx.identity.workspaceId ? (ctx.app?.client ?? null) : null;
  try {
    const installation = await ctx.store.fetchInstallation({
      teamId: workspaceId,
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    const token = installation.bot?.token;
    return token ? new webApi.WebClient(token, ctx.clientOptions) : null;
  } catch {
    return null;
  }
}

function describeAuthFailure(error: unknown, slackApiUrl: string | undefined): string {
  const slackError = slackErrorCode(error);
  if (slackError) {
    return `Slack rejected SLACK_BOT_TOKEN at start-up (auth.test answered "${slackError}"). Reinstall the app to your workspace and copy the current Bot User OAuth Token.`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  // Only where it went: a proxy URL may carry a password.
  const url = new URL(slackApiUrl ?? 'https://slack.com/api/');
  return `Could not reach Slack at ${url.origin}${url.pathname} to check SLACK_BOT_TOKEN (auth.test failed: ${reason}). Check the network and SLACK_API_URL.`;
}
