import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { crmConnections } from '../src/db/schema.js';
import { sealedIn } from '../src/db/secrets-at-rest.js';
import { createSecretBox } from '../src/lib/secret-box.js';
import { freePort, listen, runMain } from './support/app-process.js';

// Each test starts src/main.ts as a child process (node + tsx over the whole source tree).
const KEY_1 = Buffer.alloc(32, 1);
const KEY_2 = Buffer.alloc(32, 2);

// The process entry, as an operator meets it.

const STACK_LINE = /^\s+at /m;

describe('src/main.ts', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  it('exits with code 2 and lists every configuration problem, without a stack trace', async () => {
    const botToken = 'xoxb-SECRETMAIN8c7d6e';
    const exit = await runMain({ SLACK_BOT_TOKEN: botToken, PORT: 'abc', DATABASE_URL: 'mysql://db/kpi' });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('kpi-bot cannot start: the configuration has problems.');
    expect(exit.stderr).toContain('  - SLACK_SIGNING_SECRET is missing');
    expect(exit.stderr).toContain('  - DATABASE_URL must be a postgres:// or postgresql:// URL');
    expect(exit.stderr).toContain('  - PORT must be a whole number from 1 to 65535 (got "abc").');
    expect(exit.stderr).toContain('See the "Environment variables" table in README.md.');
    expect(exit.stderr).not.toMatch(STACK_LINE);
    expect(exit.stderr).not.toContain(botToken);
    expect(exit.stdout).toBe('');
  }, 60_000);

  it('exits with code 2 when a stored secret is under a key it was not given', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kpi-key-'));
    try {
      const database = await openDatabase({ driver: 'pglite', dataDir });
      const box = createSecretBox({ current: KEY_1, previous: [] });
      await database.db.insert(crmConnections).values({
        id: 'c1',
        workspaceId: 'T1',
        source: 'generic',
        secret: box.seal('whsec_abc', sealedIn.crmConnection('c1')),
        createdBy: 'U1',
      });
      await database.close();
      const exit = await runMain({
        SLACK_CLIENT_ID: '1.2',
        SLACK_CLIENT_SECRET: 'cs',
        SLACK_STATE_SECRET: 'st',
        SLACK_SIGNING_SECRET: 'ss',
        ENCRYPTION_KEY: KEY_2.toString('base64'),
        DATABASE_URL: `file://${dataDir}`,
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
      });
      expect(exit.code).toBe(2);
      expect(exit.stderr).toContain('kpi-bot cannot start: a stored secret is encrypted under key');
      expect(exit.stderr).toContain('ENCRYPTION_KEY_PREVIOUS');
      expect(exit.stderr).not.toMatch(STACK_LINE);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('exits with code 2 when Slack rejects the bot token at start-up', async () => {
    const requests: { method: string | undefined; url: string | undefined; body: string }[] = [];
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":false,"error":"invalid_auth"}');
      });
    });
    const apiPort = await listen(server);
    const exit = await runMain({
      SLACK_BOT_TOKEN: 'xoxb-bad',
      SLACK_SIGNING_SECRET: 's',
      SLACK_API_URL: `http://127.0.0.1:${apiPort}/api/`,
      DATABASE_URL: 'memory://',
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
    });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('kpi-bot cannot start: Slack rejected SLACK_BOT_TOKEN');
    expect(exit.stderr).toContain('invalid_auth');
    expect(exit.stderr).not.toMatch(STACK_LINE);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toContain('POST /api/auth.test');
  }, 60_000);

  // The SDK's defaults (no timeout, 10 retries over about 30 minutes) hung start-up silently.
  it.each([
    ['refuses connections', async () => freePort()],
    [
      'accepts connections and never answers',
      async () => {
        server = createServer(() => {});
        return listen(server);
      },
    ],
  ])(
    'exits with code 2 within 60 s, naming Slack and the URL, when Slack %s',
    async (_case, slackPort) => {
      const apiUrl = `http://127.0.0.1:${await slackPort()}/api/`;
      const started = performance.now();
      const exit = await runMain(
        {
          SLACK_BOT_TOKEN: 'xoxb-unreachable',
          SLACK_SIGNING_SECRET: 's',
          SLACK_API_URL: apiUrl,
          DATABASE_URL: 'memory://',
          PORT: String(await freePort()),
          LOG_LEVEL: 'error',
        },
        90_000,
      );
      expect(performance.now() - started).toBeLessThan(60_000);
      expect(exit.code).toBe(2);
      expect(exit.stderr).toContain(`kpi-bot cannot start: Could not reach Slack at ${apiUrl}`);
      expect(exit.stderr).not.toMatch(STACK_LINE);
    },
    90_000,
  );
});
