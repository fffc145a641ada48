import { z } from 'zod';
import { type CrmConfig, parseCrmConfig } from './integrations/crm-config.js';
import { type EncryptionKeys, parseKey } from './lib/secret-box.js';

/**
 * Configuration is a pure function of the environment: only `main.ts` reads `process.env`, and tests
 * call `parseConfig` with plain objects. Every problem is collected so the operator fixes them in one
 * go, and no secret is ever echoed back.
 */

export type SlackConfig =
  | { mode: 'socket'; appToken: string; botToken: string }
  | { mode: 'single'; botToken: string; signingSecret: string }
  | { mode: 'oauth'; clientId: string; clientSecret: string; stateSecret: string; signingSecret: string };

export type DatabaseConfig = { driver: 'pglite'; dataDir: string | null } | { driver: 'postgres'; url: string };

export interface Config {
  slack: SlackConfig;
  database: DatabaseConfig;
  port: number;
  /** Web API base URL override (proxies, tests); undefined means Slack's own. */
  slackApiUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  crm: CrmConfig;
  /** Seals bot tokens and CRM secrets in the database; required in many-workspace mode. */
  encryption: EncryptionKeys | null;
  /** When set, `GET /metrics` answers only `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

// Empty strings count as unset: `FOO=` in a .env file or a compose file means "not given".
const optional = z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().optional());

const envSchema = z.object({
  SLACK_BOT_TOKEN: optional,
  SLACK_APP_TOKEN: optional,
  SLACK_SIGNING_SECRET: optional,
  SLACK_CLIENT_ID: optional,
  SLACK_CLIENT_SECRET: optional,
  SLACK_STATE_SECRET: optional,
  SLACK_API_URL: optional,
  DATABASE_URL: optional,
  DATA_DIR: optional,
  PORT: optional,
  LOG_LEVEL: optional,
  HUBSPOT_CLIENT_SECRET: optional,
  HUBSPOT_CLIENT_ID: optional,
  PIPEDRIVE_CLIENT_ID: optional,
  PIPEDRIVE_CLIENT_SECRET: optional,
  PIPEDRIVE_OAUTH_URL: optional,
  SALESFORCE_CLIENT_ID: optional,
  SALESFORCE_CLIENT_SECRET: optional,
  SALESFORCE_LOGIN_URL: optional,
  HUBSPOT_ACCESS_TOKEN: optional,
  HUBSPOT_PORTAL_ID: optional,
  HUBSPOT_API_URL: optional,
  HUBSPOT_WON_STAGES: optional,
  HUBSPOT_LOST_STAGES: optional,
  SALESFORCE_ORGANIZATION_ID: optional,
  SALESFORCE_WEBHOOK_TOKEN: optional,
  SALESFORCE_ACCESS_TOKEN: optional,
  SALESFORCE_INSTANCE_URL: optional,
  SALESFORCE_WON_STAGES: optional,
  SALESFORCE_LOST_STAGES: optional,
  PIPEDRIVE_WEBHOOK_USER: optional,
  PIPEDRIVE_WEBHOOK_PASSWORD: optional,
  PIPEDRIVE_API_TOKEN: optional,
  PIPEDRIVE_API_URL: optional,
  PIPEDRIVE_WON_STAGES: optional,
  PIPEDRIVE_LOST_STAGES: optional,
  GENERIC_WON_STAGES: optional,
  GENERIC_LOST_STAGES: optional,
  WEBHOOK_SECRET: optional,
  PUBLIC_URL: optional,
  ENCRYPTION_KEY: optional,
  ENCRYPTION_KEY_PREVIOUS: optional,
  METRICS_TOKEN: optional,
});

/** Every variable `parseConfig` reads; `.env.example` lists them all (a test compares). */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const e = envSchema.parse(env);
  const problems: string[] = [];

  const slack = parseSlack(e, problems);
  const database = parseDatabase(e, problems);

  let port = 3000;
  if (e.PORT !== undefined) {
    port = Number(e.PORT);
    if (!/^\d+$/.test(e.PORT) || port < 1 || port > 65535) {
      problems.push(`PORT must be a whole number from 1 to 65535 (got "${e.PORT}").`);
    }
  }

  let slackApiUrl: string | undefined;
  if (e.SLACK_API_URL !== undefined) {
    if (!URL.canParse(e.SLACK_API_URL) || !/^https?:/.test(e.SLACK_API_URL)) {
      problems.push('SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.');
    } else {
      slackApiUrl = e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`;
    }
  }

  const crm = parseCrmConfig(e, problems);
  if (crm.hubspot && slack && slack.mode !== 'oauth' && crm.hubspot.portalId === null) {
    problems.push(
      "HUBSPOT_PORTAL_ID is missing: HubSpot signs every portal's webhooks with the one app secret, so only " +
        'the portal named here is accepted; it is the Hub ID in your HubSpot account menu.',
    );
  }
  if (choosesOauth(e) && e.HUBSPOT_PORTAL_ID !== undefined) {
    problems.push(
      'HUBSPOT_PORTAL_ID must not be set in many-workspace mode: each workspace connects its portal with `/kpi crm connect hubspot`.',
    );
  }

  const encryption = parseEncryption(e, problems);
  if (choosesOauth(e) && e.ENCRYPTION_KEY === undefined) {
    problems.push(
      "ENCRYPTION_KEY is missing: many-workspace mode stores every workspace's bot token and CRM secrets " +
        'encrypted with it; generate one with `openssl rand -base64 32` and keep it safe.',
    );
  }

  const logLevel = (e.LOG_LEVEL ?? 'info').toLowerCase();
  if (!isLogLevel(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${e.LOG_LEVEL}").`);

  if (problems.length > 0 || !slack || !database || !isLogLevel(logLevel)) return { ok: false, problems };
  return {
    ok: true,
    config: { slack, database, port, slackApiUrl, logLevel, crm, encryption, metricsToken: e.METRICS_TOKEN },
  };
}

function isLogLevel(value: string): value is Config['logLevel'] {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

type Env = z.infer<typeof envSchema>;

/** Many-workspace mode is chosen by any of its variables (Socket Mode wins over them). */
function choosesOauth(e: Env): boolean {
  return (
    e.SLACK_APP_TOKEN === undefined &&
    (e.SLACK_CLIENT_ID !== undefined || e.SLACK_CLIENT_SECRET !== undefined || e.SLACK_STATE_SECRET !== undefined)
  );
}

function parseSlack(e: Env, problems: string[]): SlackConfig | null {
  const before = problems.length;
  const requireVar = (name: keyof Env, why: string): string => {
    const value = e[name];
    if (value === undefined) problems.push(`${name} is missing: ${why}`);
    return value ?? '';
  };
  const checkPrefix = (name: keyof Env, prefix: string, what: string) => {
    const value = e[name];
    if (value !== undefined && !value.startsWith(prefix)) {
      problems.push(`${name} must be ${what} starting with "${prefix}" (the value given starts differently).`);
    }
  };

  if (e.SLACK_APP_TOKEN !== undefined) {
    checkPrefix('SLACK_APP_TOKEN', 'xapp-', 'an app-level token with the connections:write scope');
    const botToken = requireVar('SLACK_BOT_TOKEN', 'Socket Mode needs the bot token too (OAuth & Permissions page).');
    checkPrefix('SLACK_BOT_TOKEN', 'xoxb-', 'a bot token');
    return problems.length > before ? null : { mode: 'socket', appToken: e.SLACK_APP_TOKEN, botToken };
  }

  if (choosesOauth(e)) {
    const basic = 'find it on the Basic Information page of your Slack app.';
    const clientId = requireVar('SLACK_CLIENT_ID', `the OAuth install needs it; ${basic}`);
    const clientSecret = requireVar('SLACK_CLIENT_SECRET', `the OAuth install needs it; ${basic}`);
    const stateSecret = requireVar('SLACK_STATE_SECRET', 'set any long random string; it signs the OAuth state.');
    const signingSecret = requireVar('SLACK_SIGNING_SECRET', `every request from Slack is verified with it; ${basic}`);
    if (e.SLACK_BOT_TOKEN !== undefined) {
      problems.push('SLACK_BOT_TOKEN must not be set with SLACK_CLIENT_ID: in OAuth mode tokens come from installs.');
    }
    return problems.length > before ? null : { mode: 'oauth', clientId, clientSecret, stateSecret, signingSecret };
  }

  if (e.SLACK_BOT_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined) {
    problems.push(
      'No Slack credentials. Choose one way to run: Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN), ' +
        'one workspace over HTTP (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET), or many workspaces over HTTP ' +
        '(SLACK_CLIENT_ID + SLACK_CLIENT_SECRET + SLACK_STATE_SECRET + SLACK_SIGNING_SECRET). ' +
        'To try the product without Slack, run `npm run demo`.',
    );
    return null;
  }
  const botToken = requireVar(
    'SLACK_BOT_TOKEN',
    'install the app to your workspace and copy the Bot User OAuth Token.',
  );
  checkPrefix('SLACK_BOT_TOKEN', 'xoxb-', 'a bot token');
  const signingSecret = requireVar(
    'SLACK_SIGNING_SECRET',
    'every request from Slack is verified with it; find it on the Basic Information page.',
  );
  return problems.length > before ? null : { mode: 'single', botToken, signingSecret };
}

const KEY_FORMAT = '32 random bytes as base64 (`openssl rand -base64 32`) or 64 hex digits';

function parseEncryption(e: Env, problems: string[]): EncryptionKeys | null {
  const previousText = e.ENCRYPTION_KEY_PREVIOUS?.split(',').filter((k) => k.trim() !== '') ?? [];
  const previous = previousText.map(parseKey);
  if (previous.some((k) => k === null)) {
    problems.push(`ENCRYPTION_KEY_PREVIOUS must be a comma-separated list of keys, each ${KEY_FORMAT}.`);
  }
  if (e.ENCRYPTION_KEY === undefined) {
    if (previousText.length > 0) {
      problems.push('ENCRYPTION_KEY is missing: ENCRYPTION_KEY_PREVIOUS only helps to rotate to a new ENCRYPTION_KEY.');
    }
    return null;
  }
  const current = parseKey(e.ENCRYPTION_KEY);
  if (!current) problems.push(`ENCRYPTION_KEY must be ${KEY_FORMAT}.`);
  return current ? { current, previous: previous.filter((k) => k !== null) } : null;
}

function parseDatabase(e: Env, problems: string[]): DatabaseConfig | null {
  const url = e.DATABASE_URL;
  if (url === undefined) return { driver: 'pglite', dataDir: e.DATA_DIR ?? './data' };
  if (url === 'memory://') return { driver: 'pglite', dataDir: null };
  if (url.startsWith('file://')) return { driver: 'pglite', dataDir: decodeURIComponent(url.slice('file://'.length)) };
  if (/^postgres(ql)?:\/\//.test(url) && URL.canParse(url)) return { driver: 'postgres', url };
  problems.push(
    'DATABASE_URL must be a postgres:// or postgresql:// URL (or memory:// / file://DIR for the embedded database); ' +
      'leave it unset to use the embedded database in DATA_DIR.',
  );
  return null;
}

/** Every secret value the configuration holds, for the logger to scrub from every line it writes. */
export function configuredSecrets(config: Config): string[] {
  const { slack, crm, database, encryption } = config;
  const keys = encryption ? [encryption.current, ...encryption.previous] : [];
  return [
    ...(slack.mode === 'socket' ? [slack.appToken, slack.botToken] : []),
    ...(slack.mode === 'single' ? [slack.botToken, slack.signingSecret] : []),
    ...(slack.mode === 'oauth' ? [slack.clientSecret, slack.stateSecret, slack.signingSecret] : []),
    crm.hubspot?.clientSecret,
    crm.hubspot?.accessToken,
    crm.salesforce?.token,
    crm.salesforce?.accessToken,
    crm.pipedrive?.password,
    crm.pipedrive?.apiToken,
    crm.pipedriveOAuth?.clientSecret,
    crm.salesforceOAuth?.clientSecret,
    crm.generic?.secret,
    config.metricsToken,
    database.driver === 'postgres' ? decodeURIComponent(new URL(database.url).password) : undefined,
    ...keys.flatMap((k) => [k.toString('base64'), k.toString('hex')]),
  ].filter((s): s is string => typeof s === 'string' && s !== '');
}

/** Only the database settings: `kpi-bot db backup|restore` needs no Slack credentials. */
export function parseDatabaseConfig(
  env: Record<string, string | undefined>,
): { ok: true; database: DatabaseConfig } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const database = parseDatabase(envSchema.parse(env), problems);
  return database ? { ok: true, database } : { ok: false, problems };
}

export function formatProblems(problems: string[]): string {
  return [
    'kpi-bot cannot start: the configuration has problems.',
    ...problems.map((p) => `  - ${p}`),
    'See the "Environment variables" table in README.md.',
  ].join('\n');
}
