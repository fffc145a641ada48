import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type InstallationStore, webApi } from '@slack/bolt';
import type { Config } from './config.js';
import { type DatabaseHandle, ping } from './db/client.js';
import { deliveryClient, useDeliverer } from './delivery/deliver.job.js';
import { Deliverer } from './delivery/deliverer.js';
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
  /** Sends the outbox: kicked after every job; tests and the CLI `drain(now)` it and wait (`idle()`). */
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
  const clientOptions = { slackApiUrl: config.slackApiUrl, logger: bolt, rejectRateLimitedCalls: true, ...SLACK_CALLS };
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
    clientFor: async (workspaceId) => deliveryClient(await jobDeps.slackFor(workspaceId), bolt),
  });
  useDeliverer(jobDeps, delivery);
  const runJob = async (name: string, at: Date, jobOptions: JobOptions = {}) => {
    const job = findJob(name);
    if (!job) throw new Error(`no job named ${name}; jobs: ${JOBS.map((j) => j.name).join(', ')}`);
    const report = await job.run(jobDeps, at, jobOptions);
    if (Object.values(report).some((n) => n > 0)) logger.info({ job: name, ...report }, 'job ran');
    // What the job enqueued goes out now rather than at the next minute.
    delivery.kick();
    return report;
  };

  let stopJobs = async () => {};
  return {
    app: bot,
    crm,
    jobDeps,
    delivery,
    runJob,
    start: async () => {
      const server = (await bot.start(config.port)) as unknown;
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
      await delivery.stop();
      await bot.stop();
      await crm.idle();
    },
  };
}

/** How long the health check waits for the database before it answers 503. */
export const HEALTH_DEADLINE_MS = 2_000;

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
