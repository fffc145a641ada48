import { describe, expect, it } from 'vitest';
import { type Config, type ConfigResult, formatProblems, parseConfig } from '../src/config.js';

const DEFAULTS = {
  database: { driver: 'pglite', dataDir: './data' },
  port: 3000,
  slackApiUrl: undefined,
  logLevel: 'info',
  crm: {
    hubspot: null,
    salesforce: null,
    pipedrive: null,
    pipedriveOAuth: null,
    salesforceOAuth: null,
    generic: null,
    publicUrl: null,
    stages: {
      hubspot: { won: ['closedwon'], lost: ['closedlost'] },
      salesforce: { won: ['Closed Won'], lost: ['Closed Lost'] },
      pipedrive: { won: [], lost: [] },
      generic: { won: ['won'], lost: ['lost'] },
    },
  },
  encryption: null,
} as const;

const KEY_1 = Buffer.alloc(32, 1);
const KEY_2 = Buffer.alloc(32, 2);

const SINGLE = { SLACK_BOT_TOKEN: 'xoxb-1-single', SLACK_SIGNING_SECRET: 'signing-single' };

function configOf(result: ConfigResult): Config {
  if (!result.ok) throw new Error(`expected a config, got problems:\n${result.problems.join('\n')}`);
  return result.config;
}

function problemsOf(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected problems, got a config');
  return result.problems;
}

describe('parseConfig', () => {
  it('reads Socket Mode, with every default', () => {
    expect(parseConfig({ SLACK_APP_TOKEN: 'xapp-1-A1', SLACK_BOT_TOKEN: 'xoxb-2-B2' })).toEqual({
      ok: true,
      config: { slack: { mode: 'socket', appToken: 'xapp-1-A1', botToken: 'xoxb-2-B2' }, ...DEFAULTS },
    });
  });

  it('reads one workspace over HTTP', () => {
    expect(parseConfig(SINGLE)).toEqual({
      ok: true,
      config: { slack: { mode: 'single', botToken: 'xoxb-1-single', signingSecret: 'signing-single' }, ...DEFAULTS },
    });
  });

  it('reads many workspaces over HTTP (OAuth)', () => {
    const result = parseConfig({
      SLACK_CLIENT_ID: '123.456',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret',
      SLACK_SIGNING_SECRET: 'signing-secret',
      ENCRYPTION_KEY: KEY_1.toString('base64'),
    });
    expect(result).toEqual({
      ok: true,
      config: {
        slack: {
          mode: 'oauth',
          clientId: '123.456',
          clientSecret: 'client-secret',
          stateSecret: 'state-secret',
          signingSecret: 'signing-secret',
        },
        ...DEFAULTS,
        encryption: { current: KEY_1, previous: [] },
      },
    });
  });

  it('ignores variables it does not know', () => {
    expect(
      configOf(parseConfig({ ...SINGLE, HOME: '/root', PATH: '/usr/bin', NODE_ENV: 'production' })).slack.mode,
    ).toBe('single');
  });

  it('reads the database from DATABASE_URL and DATA_DIR', () => {
    const db = (env: Record<string, string>) => configOf(parseConfig({ ...SINGLE, ...env })).database;
    expect(db({})).toEqual({ driver: 'pglite', dataDir: './data' });
    expect(db({ DATA_DIR: '/var/lib/kpi-bot' })).toEqual({ driver: 'pglite', dataDir: '/var/lib/kpi-bot' });
    expect(db({ DATABASE_URL: 'memory://' })).toEqual({ driver: 'pglite', dataDir: null });
    expect(db({ DATABASE_URL: 'file:///tmp/x' })).toEqual({ driver: 'pglite', dataDir: '/tmp/x' });
    expect(db({ DATABASE_URL: 'file:///tmp/a%20b' })).toEqual({ driver: 'pglite', dataDir: '/tmp/a b' });
    // DATABASE_URL wins over DATA_DIR.
    expect(db({ DATABASE_URL: 'memory://', DATA_DIR: '/elsewhere' })).toEqual({ driver: 'pglite', dataDir: null });
    expect(db({ DATABASE_URL: 'postgres://kpi:pw@db.internal:5432/kpi' })).toEqual({
      driver: 'postgres',
      url: 'postgres://kpi:pw@db.internal:5432/kpi',
    });
    expect(db({ DATABASE_URL: 'postgresql://db/kpi?sslmode=require' })).toEqual({
      driver: 'postgres',
      url: 'postgresql://db/kpi?sslmode=require',
    });
  });

  it('reads PORT, LOG_LEVEL and SLACK_API_URL', () => {
    const config = configOf(
      parseConfig({ ...SINGLE, PORT: '8080', LOG_LEVEL: 'DEBUG', SLACK_API_URL: 'http://127.0.0.1:9999/api' }),
    );
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('debug');
    expect(config.slackApiUrl).toBe('http://127.0.0.1:9999/api/');
    expect(configOf(parseConfig({ ...SINGLE, SLACK_API_URL: 'https://proxy.example/api/' })).slackApiUrl).toBe(
      'https://proxy.example/api/',
    );
    expect(configOf(parseConfig({ ...SINGLE, PORT: '1' })).port).toBe(1);
    expect(configOf(parseConfig({ ...SINGLE, PORT: '65535' })).port).toBe(65535);
  });

  it('counts empty strings as unset', () => {
    const result = parseConfig({
      ...SINGLE,
      SLACK_APP_TOKEN: '',
      SLACK_CLIENT_ID: '',
      SLACK_CLIENT_SECRET: ' ',
      SLACK_STATE_SECRET: '',
      SLACK_API_URL: '',
      DATABASE_URL: '',
      DATA_DIR: '',
      PORT: '',
      LOG_LEVEL: '  ',
    });
    expect(result).toEqual({
      ok: true,
      config: { slack: { mode: 'single', botToken: 'xoxb-1-single', signingSecret: 'signing-single' }, ...DEFAULTS },
    });
    // An empty signing secret is a missing one.
    expect(problemsOf(parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '' }))).toEqual([
      'SLACK_SIGNING_SECRET is missing: every request from Slack is verified with it; find it on the Basic Information page.',
    ]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(
      parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1', PORT: 'eighty', DATABASE_URL: 'mysql://db/kpi' }),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^SLACK_SIGNING_SECRET is missing/);
    expect(problems[1]).toMatch(/^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(problems[2]).toBe('PORT must be a whole number from 1 to 65535 (got "eighty").');

    // Five at once: a wrong token prefix, a missing secret, the port, the API URL and the log level.
    const five = problemsOf(
      parseConfig({
        SLACK_BOT_TOKEN: 'xoxp-1',
        PORT: '70000',
        SLACK_API_URL: 'ftp://files.example',
        LOG_LEVEL: 'verbose',
      }),
    );
    expect(five).toEqual([
      'SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (the value given starts differently).',
      'SLACK_SIGNING_SECRET is missing: every request from Slack is verified with it; find it on the Basic Information page.',
      'PORT must be a whole number from 1 to 65535 (got "70000").',
      'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "verbose").',
    ]);
  });

  it.each(['0', '65536', '80.5', '-1', '3000abc', '1e3'])('refuses PORT=%s', (port) => {
    expect(problemsOf(parseConfig({ ...SINGLE, PORT: port }))).toEqual([
      `PORT must be a whole number from 1 to 65535 (got "${port}").`,
    ]);
  });

  it('refuses a SLACK_API_URL that is not an http(s) URL', () => {
    for (const url of ['not a url', 'ftp://slack.example/api/', 'slack.com/api']) {
      expect(problemsOf(parseConfig({ ...SINGLE, SLACK_API_URL: url }))).toEqual([
        'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/.',
      ]);
    }
  });

  it('refuses tokens with the wrong prefix', () => {
    expect(problemsOf(parseConfig({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 's' }))).toEqual([
      'SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (the value given starts differently).',
    ]);
    expect(problemsOf(parseConfig({ SLACK_APP_TOKEN: 'xoxb-not-app', SLACK_BOT_TOKEN: 'xapp-not-bot' }))).toEqual([
      'SLACK_APP_TOKEN must be an app-level token with the connections:write scope starting with "xapp-" (the value given starts differently).',
      'SLACK_BOT_TOKEN must be a bot token starting with "xoxb-" (the value given starts differently).',
    ]);
  });

  it('asks for what each mode is missing', () => {
    expect(problemsOf(parseConfig({ SLACK_APP_TOKEN: 'xapp-1' }))).toEqual([
      'SLACK_BOT_TOKEN is missing: Socket Mode needs the bot token too (OAuth & Permissions page).',
    ]);
    expect(problemsOf(parseConfig({ SLACK_SIGNING_SECRET: 's' }))).toEqual([
      'SLACK_BOT_TOKEN is missing: install the app to your workspace and copy the Bot User OAuth Token.',
    ]);
    const oauth = problemsOf(parseConfig({ SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'cs' }));
    expect(oauth).toEqual([
      'SLACK_STATE_SECRET is missing: set any long random string; it signs the OAuth state.',
      'SLACK_SIGNING_SECRET is missing: every request from Slack is verified with it; find it on the Basic Information page of your Slack app.',
      "ENCRYPTION_KEY is missing: many-workspace mode stores every workspace's bot token and CRM secrets encrypted with it; generate one with `openssl rand -base64 32` and keep it safe.",
    ]);
    expect(problemsOf(parseConfig({ SLACK_STATE_SECRET: 'st' }))).toHaveLength(4);
  });

  it('without any credentials says the three ways to run and how to try it without Slack, as one problem', () => {
    const problems = problemsOf(parseConfig({}));
    expect(problems).toHaveLength(1);
    const [only] = problems;
    expect(only).toContain('Socket Mode (SLACK_APP_TOKEN + SLACK_BOT_TOKEN)');
    expect(only).toContain('one workspace over HTTP (SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET)');
    expect(only).toContain(
      'many workspaces over HTTP (SLACK_CLIENT_ID + SLACK_CLIENT_SECRET + SLACK_STATE_SECRET + SLACK_SIGNING_SECRET)',
    );
    expect(only).toContain('`npm run demo`');
    // Empty values are no credentials either.
    expect(problemsOf(parseConfig({ SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' }))).toEqual(problems);
  });

  it('refuses SLACK_BOT_TOKEN together with SLACK_CLIENT_ID', () => {
    expect(
      problemsOf(
        parseConfig({
          SLACK_CLIENT_ID: '1.2',
          SLACK_CLIENT_SECRET: 'cs',
          SLACK_STATE_SECRET: 'st',
          SLACK_SIGNING_SECRET: 'ss',
          SLACK_BOT_TOKEN: 'xoxb-1',
          ENCRYPTION_KEY: KEY_1.toString('hex'),
        }),
      ),
    ).toEqual(['SLACK_BOT_TOKEN must not be set with SLACK_CLIENT_ID: in OAuth mode tokens come from installs.']);
  });

  it('reads the encryption key and the previous ones of a rotation, as base64 or hex', () => {
    const config = configOf(
      parseConfig({
        ...SINGLE,
        ENCRYPTION_KEY: KEY_2.toString('base64'),
        ENCRYPTION_KEY_PREVIOUS: `${KEY_1.toString('hex')}, `,
      }),
    );
    expect(config.encryption).toEqual({ current: KEY_2, previous: [KEY_1] });
  });

  it('refuses a malformed key, and previous keys without a current one', () => {
    expect(problemsOf(parseConfig({ ...SINGLE, ENCRYPTION_KEY: 'short' }))).toEqual([
      'ENCRYPTION_KEY must be 32 random bytes as base64 (`openssl rand -base64 32`) or 64 hex digits.',
    ]);
    expect(problemsOf(parseConfig({ ...SINGLE, ENCRYPTION_KEY_PREVIOUS: KEY_1.toString('base64') }))).toEqual([
      'ENCRYPTION_KEY is missing: ENCRYPTION_KEY_PREVIOUS only helps to rotate to a new ENCRYPTION_KEY.',
    ]);
  });

  it('reads METRICS_TOKEN, an empty one counting as unset', () => {
    const token = (env: Record<string, string>) => {
      const r = parseConfig({ ...SINGLE, ...env });
      return r.ok ? r.config.metricsToken : 'invalid';
    };
    expect(token({ METRICS_TOKEN: 'scrape-me' })).toBe('scrape-me');
    expect(token({ METRICS_TOKEN: '' })).toBeUndefined();
    expect(token({})).toBeUndefined();
  });

  it('never echoes a secret in a problem', () => {
    const secrets = {
      bot: 'xoxp-SECRETBOT7f3a9c',
      app: 'zapp-SECRETAPP42b1e8',
      signing: 'SECRETSIGN5d0c77e1',
      client: 'SECRETCLIENT9a8b7c',
      state: 'SECRETSTATE1e2d3c',
      dbPassword: 'SECRETDBPW6b5a4f',
      apiPassword: 'SECRETAPIPW3c2b1a',
      key: 'SECRETKEYaa11bb22cc33',
    };
    const envs: Record<string, string>[] = [
      // Wrong prefixes in Socket Mode, a broken database URL and API URL with passwords in them.
      {
        SLACK_APP_TOKEN: secrets.app,
        SLACK_BOT_TOKEN: secrets.bot,
        DATABASE_URL: `mysql://admin:${secrets.dbPassword}@db/kpi`,
        SLACK_API_URL: `ftp://user:${secrets.apiPassword}@slack.example/api`,
        PORT: 'x',
      },
      // A wrong bot token next to a signing secret.
      {
        SLACK_BOT_TOKEN: secrets.bot,
        SLACK_SIGNING_SECRET: secrets.signing,
        DATABASE_URL: `pg://u:${secrets.dbPassword}@h`,
      },
      // OAuth with a bot token, and OAuth with a part missing.
      {
        SLACK_CLIENT_ID: '1.2',
        SLACK_CLIENT_SECRET: secrets.client,
        SLACK_STATE_SECRET: secrets.state,
        SLACK_SIGNING_SECRET: secrets.signing,
        SLACK_BOT_TOKEN: secrets.bot,
      },
      {
        SLACK_CLIENT_SECRET: secrets.client,
        SLACK_STATE_SECRET: secrets.state,
        LOG_LEVEL: 'loud',
        ENCRYPTION_KEY: secrets.key,
        ENCRYPTION_KEY_PREVIOUS: secrets.key,
      },
      // A signing secret alone.
      { SLACK_SIGNING_SECRET: secrets.signing, SLACK_API_URL: `not a url ${secrets.apiPassword}` },
    ];
    for (const env of envs) {
      const text = formatProblems(problemsOf(parseConfig(env)));
      for (const secret of Object.values(secrets)) {
        expect(text).not.toContain(secret);
        // Not even the distinctive tail of one.
        expect(text).not.toContain(secret.slice(-6));
      }
    }
  });
});

describe('formatProblems', () => {
  it('lists the problems under a heading and points to the README', () => {
    expect(formatProblems(['A is wrong.', 'B is missing.'])).toBe(
      [
        'kpi-bot cannot start: the configuration has problems.',
        '  - A is wrong.',
        '  - B is missing.',
        'See the "Environment variables" table in README.md.',
      ].join('\n'),
    );
  });
});
