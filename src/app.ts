import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type InstallationStore, webApi } from '@slack/bolt';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';
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
import { slackErrorCode } from './lib/slack-errors.js';
import type { AppDeps } from './slack/deps.js';
import { BOT_SCOPES } from './slack/ids.js';
import { createInstallationStore } from './slack/installation-store.js';
import { registerListeners } from './slack/listeners/index.js';

/**
 * Composition only: config → database → Bolt app → listeners, webhooks and jobs. The process entry
 * (`main.ts`) owns signals and exit codes; tests build the whole app here against fakes.
 */

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
}

export async function buildApp(options: BuildOptions): Promise<KpiBot> {
  const { config, database, logger, now = () => new Date() } = options;
  const bolt = boltLogger(logger);
  // A rate-limited call fails at once instead of sleeping: an interactive reply cannot wait out a
  // Retry-After, and callers fall back (a stored profile) or retry on their own schedule.
  const clientOptions = { slackApiUrl: config.slackApiUrl, logger: bolt, rejectRateLimitedCalls: true };
  const { slack } = config;
  const store = slack.mode === 'oauth' ? createInstallationStore(database.db, now) : undefined;

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
  const routes = [
    healthRoute(database, logger),
    ...webhookRoutes({
      db: database.db,
      logger,
      now,
      crm: config.crm,
      get singleWorkspaceId() {
        return identity.workspaceId;
      },
      onStored: (workspaceId) => crm.kick(workspaceId),
    }),
  ];

  const deps: AppDeps = {
    db: database.db,
    logger,
    now,
    crm: { config: config.crm, runner: crm, perWorkspaceConnections: slack.mode === 'oauth' },
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
    });
  } else if (slack.mode === 'single') {
    app = new App({
      token: slack.botToken,
      receiver: new HTTPReceiver({ signingSecret: slack.signingSecret, customRoutes: routes, logger: bolt }),
      clientOptions,
      logger: bolt,
      deferInitialization: true,
    });
  } else {
    app = new App({
      receiver: new HTTPReceiver({
        signingSecret: slack.signingSecret,
        clientId: slack.clientId,
        clientSecret: slack.clientSecret,
        stateSecret: slack.stateSecret,
        scopes: [...BOT_SCOPES],
        installationStore: store,
        installerOptions: { directInstall: true, clientOptions },
        customRoutes: routes,
        logger: bolt,
      }),
      clientOptions,
      logger: bolt,
      deferInitialization: true,
    });
  }
  const bot = app;

  registerListeners(bot, deps, store);
  // Logged with context, then rethrown so the receiver answers as Slack expects: 401 for a
  // workspace with no installation, 500 for a failure before the ack.
  bot.error(async (error) => {
    logger.error({ err: error, code: error.code }, 'error in a listener');
    throw error;
  });

  try {
    await bot.init();
    if (slack.mode !== 'oauth') identity.workspaceId = (await bot.client.auth.test()).team_id ?? null;
  } catch (error) {
    throw new SlackAuthError(describeAuthFailure(error));
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
    clientFor: async (workspaceId) => deliveryClient(await jobDeps.slackFor(workspaceId), bolt),
  });
  useDeliverer(jobDeps, delivery);
  const runJob = async (name: string, at: Date, jobOptions: JobOptions = {}) => {
    const job = findJob(name);
    if (!job) throw new Error(`no job named ${name}; jobs: ${JOBS.map((j) => j.name).join(', ')}`);
    const report = await job.run(jobDeps, at, jobOptions);
    if (Object.values(report).some((n) => n > 0)) logger.info({ job: name, ...report }, 'job ran');
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
      unlisten = await wakeOnOutbox(database, delivery, logger);
      delivery.kick();
      if (options.scheduleJobs ?? true) {
        // Events that wait (an unmapped owner, a CRM API that was down) are retried every minute.
        stopJobs = startJobs(
          [
            { name: 'crm-retry', cron: '* * * * *', timezone: 'UTC', run: () => crm.sweep() },
            ...JOBS.map((job) => ({ ...job, run: async (at: Date) => void (await runJob(job.name, at)) })),
          ],
          logger,
        );
      }
      return slack.mode === 'socket' ? undefined : (server as Server);
    },
    stop: async () => {
      await stopJobs();
      await unlisten();
      await delivery.stop();
      await bot.stop();
      await crm.idle();
    },
  };
}

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
      database.ping().then(
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

function describeAuthFailure(error: unknown): string {
  const slackError = slackErrorCode(error);
  if (slackError) {
    return `Slack rejected SLACK_BOT_TOKEN at start-up (auth.test answered "${slackError}"). Reinstall the app to your workspace and copy the current Bot User OAuth Token.`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `Could not reach Slack to check SLACK_BOT_TOKEN (auth.test failed: ${reason}). Check the network and SLACK_API_URL.`;
}
