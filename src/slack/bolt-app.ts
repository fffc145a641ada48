import type { Server } from 'node:http';
import type {
  Logger as BoltLogger,
  CustomRoute,
  Installation,
  InstallationQuery,
  InstallationStore,
} from '@slack/bolt';
import * as webApi from '@slack/web-api';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { CodedError, ErrorCode } from '../lib/errors.js';
import { boltLogger, type Logger } from '../lib/logger.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Shutdown } from '../lib/shutdown.js';
import { slackErrorCode } from '../lib/slack-errors.js';
import { getWorkspace } from '../members/members.repository.js';
import type { RequestInfo } from '../ops/observe.js';
import { App } from './bolt-runtime.js';
import { BOT_SCOPES } from './ids.js';
import { createInstallationStore } from './installation-store.js';
import { createSlackReceiver } from './receiver.js';
import { withTokenRotation } from './token-rotation.js';

/**
 * The Slack side of the app: the Bolt app in its three modes (Socket Mode, one workspace over HTTP,
 * OAuth for many workspaces), the installation store, and each workspace's Web API client.
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

export class SlackAuthError extends CodedError {
  readonly code = ErrorCode.SlackAuthFailed;
}

export interface SlackDeps {
  config: Config;
  db: Database;
  logger: Logger;
  now: () => Date;
  secrets: SecretBox;
  /** Every Slack client fetches through it (the metrics count calls by method and answer). */
  fetch: typeof fetch;
  shutdown: Shutdown;
}

export interface Slack {
  /** The OAuth installation store (OAuth mode only). */
  store: InstallationStore | undefined;
  /** The one workspace the bot token belongs to, once `connect` has asked Slack (one-workspace modes). */
  readonly workspaceId: string | null;
  /** Bolt's logger over the app's. */
  boltLogger: BoltLogger;
  /** The bot's Web API client for a workspace: the app's own, or one with that installation's token. */
  clientFor(workspaceId: string): Promise<webApi.WebClient | null>;
  /** Builds the Bolt app with the app's own HTTP routes (health, metrics, CRM webhooks). */
  createApp(routes: CustomRoute[]): App;
  /** Initialises the app and learns its workspace; a token Slack refuses is a `SlackAuthError`. */
  connect(): Promise<void>;
  /** Starts listening (HTTP) or connecting (Socket Mode); returns the HTTP server. */
  start(): Promise<Server | undefined>;
}

export function createSlack(deps: SlackDeps): Slack {
  const { config, logger } = deps;
  const { slack } = config;
  const bolt = boltLogger(logger);
  // A rate-limited call fails at once instead of sleeping: an interactive reply cannot wait out a
  // Retry-After, and callers fall back (a stored profile) or retry on their own schedule.
  const clientOptions = {
    slackApiUrl: config.slackApiUrl,
    logger: bolt,
    rejectRateLimitedCalls: true,
    fetch: deps.fetch,
    ...SLACK_CALLS,
  };
  const store =
    slack.mode === 'oauth'
      ? withTokenRotation({
          db: deps.db,
          now: deps.now,
          logger,
          storeFor: (db) => createInstallationStore(db, deps.now, deps.secrets),
          clientId: slack.clientId,
          clientSecret: slack.clientSecret,
          clientOptions,
        })
      : undefined;
  let app: App | undefined;
  let workspaceId: string | null = null;
  let listening = false;

  return {
    store,
    get workspaceId() {
      return workspaceId;
    },
    boltLogger: bolt,
    async clientFor(id) {
      if (!store) return id === workspaceId ? (app?.client ?? null) : null;
      const installation = await installationFor(store, deps.db, id);
      const token = installation?.bot?.token;
      return token ? new webApi.WebClient(token, clientOptions) : null;
    },
    createApp(routes) {
      const common = { clientOptions, logger: bolt, deferInitialization: true, extendedErrorHandler: true } as const;
      if (slack.mode === 'socket') {
        app = new App({
          ...common,
          token: slack.botToken,
          appToken: slack.appToken,
          socketMode: true,
          // Socket Mode needs no public URL for Slack, but CRMs still call webhooks over HTTP.
          customRoutes: routes,
          installerOptions: { port: config.port },
        });
      } else if (slack.mode === 'single') {
        app = new App({
          ...common,
          token: slack.botToken,
          receiver: createSlackReceiver(
            { signingSecret: slack.signingSecret, customRoutes: routes, logger: bolt },
            logger,
          ),
        });
      } else {
        app = new App({
          ...common,
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
        });
      }
      // Logged with context (the request's id and workspace), then rethrown so the receiver answers
      // as Slack expects: 401 for a workspace with no installation, 500 for a failure before the ack.
      app.error((async ({ error, context }: Parameters<ExtendedErrorHandler>[0]) => {
        const { requestId } = context as RequestInfo;
        logger.error({ err: error, code: error.code, requestId, workspace: context.teamId }, 'error in a listener');
        throw error;
      }) as ExtendedErrorHandler);
      return app;
    },
    async connect() {
      if (!app) throw new Error('connect() before createApp()');
      try {
        await app.init();
        if (slack.mode !== 'oauth') workspaceId = (await app.client.auth.test()).team_id ?? null;
      } catch (error) {
        throw new SlackAuthError(describeAuthFailure(error, config.slackApiUrl));
      }
      const connected = app;
      deps.shutdown.add('slack', async () => {
        if (listening) await connected.stop();
      });
    },
    async start() {
      if (!app) throw new Error('start() before createApp()');
      const server = (await app.start(config.port)) as unknown;
      listening = true;
      return slack.mode === 'socket' ? undefined : (server as Server);
    },
  };
}

/**
 * A workspace's installation: its own, or its Enterprise Grid org's when the app was installed
 * org-wide (the org is what the workspace's row learnt from its first request).
 */
async function installationFor(store: InstallationStore, db: Database, teamId: string): Promise<Installation | null> {
  const fetch = (query: InstallationQuery<boolean>) => store.fetchInstallation(query).catch(() => null);
  const own = await fetch({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });
  if (own) return own;
  const enterpriseId = (await getWorkspace(db, teamId))?.enterpriseId;
  return enterpriseId ? fetch({ teamId, enterpriseId, isEnterpriseInstall: true }) : null;
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
