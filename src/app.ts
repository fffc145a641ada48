import type { Server } from 'node:http';
import { App, type CustomRoute, HTTPReceiver, type InstallationStore, webApi } from '@slack/bolt';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { boltLogger, type Logger } from './lib/logger.js';
import type { AppDeps } from './slack/deps.js';
import { BOT_SCOPES } from './slack/ids.js';
import { createInstallationStore } from './slack/installation-store.js';
import { registerListeners } from './slack/listeners/index.js';

/**
 * Composition only: config → database → Bolt app → listeners. The process entry (`main.ts`) owns
 * signals and exit codes; tests build the whole app here against a fake Slack and a test database.
 */

export class SlackAuthError extends Error {
  readonly code = 'kpi_bot.slack_auth_failed';
}

export interface KpiBot {
  app: App;
  /** Starts listening (HTTP) or connecting (Socket Mode); HTTP returns the server. */
  start(): Promise<Server | undefined>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
  now?: () => Date;
}

export async function buildApp({ config, database, logger, now = () => new Date() }: BuildOptions): Promise<KpiBot> {
  const deps: AppDeps = { db: database.db, logger, now };
  const bolt = boltLogger(logger);
  // A rate-limited call fails at once instead of sleeping: an interactive reply cannot wait out a
  // Retry-After, and callers fall back (a stored profile) or retry on their own schedule.
  const clientOptions = { slackApiUrl: config.slackApiUrl, logger: bolt, rejectRateLimitedCalls: true };
  const health: CustomRoute = {
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

  const { slack } = config;
  let store: InstallationStore | undefined;
  let app: App;
  if (slack.mode === 'socket') {
    app = new App({
      token: slack.botToken,
      appToken: slack.appToken,
      socketMode: true,
      clientOptions,
      logger: bolt,
      deferInitialization: true,
    });
  } else if (slack.mode === 'single') {
    app = new App({
      token: slack.botToken,
      receiver: new HTTPReceiver({ signingSecret: slack.signingSecret, customRoutes: [health], logger: bolt }),
      clientOptions,
      logger: bolt,
      deferInitialization: true,
    });
  } else {
    store = createInstallationStore(database.db, now);
    app = new App({
      receiver: new HTTPReceiver({
        signingSecret: slack.signingSecret,
        clientId: slack.clientId,
        clientSecret: slack.clientSecret,
        stateSecret: slack.stateSecret,
        scopes: [...BOT_SCOPES],
        installationStore: store,
        installerOptions: { directInstall: true, clientOptions },
        customRoutes: [health],
        logger: bolt,
      }),
      clientOptions,
      logger: bolt,
      deferInitialization: true,
    });
  }

  registerListeners(app, deps, store);
  // Logged with context, then rethrown so the receiver answers as Slack expects: 401 for a
  // workspace with no installation, 500 for a failure before the ack.
  app.error(async (error) => {
    logger.error({ err: error, code: error.code }, 'error in a listener');
    throw error;
  });

  try {
    await app.init();
  } catch (error) {
    throw new SlackAuthError(describeAuthFailure(error));
  }

  return {
    app,
    start: async () => {
      const server = (await app.start(config.port)) as unknown;
      return slack.mode === 'socket' ? undefined : (server as Server);
    },
    stop: () => app.stop() as Promise<void>,
  };
}

function describeAuthFailure(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === webApi.ErrorCode.PlatformError) {
    const slackError = (error as webApi.WebAPIPlatformError).data.error;
    return `Slack rejected SLACK_BOT_TOKEN at start-up (auth.test answered "${slackError}"). Reinstall the app to your workspace and copy the current Bot User OAuth Token.`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `Could not reach Slack to check SLACK_BOT_TOKEN (auth.test failed: ${reason}). Check the network and SLACK_API_URL.`;
}
