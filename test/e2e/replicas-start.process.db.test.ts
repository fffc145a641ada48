import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type AppProcess, freePort, startMain, waitForStatus } from '../support/app-process.js';
import { describeDb, TEST_DB } from '../support/db.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { ADMIN_URL } from '../support/test-env.js';

/** Replicas rolled out together on a database nobody has migrated yet, and a pipeline's migrate step. */

const BIN = fileURLToPath(new URL('../../bin/kpi-bot.js', import.meta.url));
const run = promisify(execFile);

let admin: postgres.Sql;
let fake: FakeSlack;
const created: string[] = [];
let apps: AppProcess[] = [];

/** An empty database (no template): the state of a first deploy. */
async function emptyDatabase(): Promise<string> {
  const name = `kpi_empty_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin.unsafe(`create database "${name}"`);
  created.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function appliedMigrations(url: string): Promise<number> {
  const db = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await db`select count(*)::int as n from drizzle.__drizzle_migrations`;
    return row?.n as number;
  } finally {
    await db.end();
  }
}

describeDb.skipIf(TEST_DB === 'pglite')('replicas starting on an empty database', () => {
  beforeAll(async () => {
    admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    fake = await startFakeSlack();
    fake.addToken('xoxb-replicas', { teamId: 'TREPLICAS', botUserId: 'UBOT', botId: 'BBOT' });
  });
  afterEach(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    apps = [];
  });
  afterAll(async () => {
    for (const name of created) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin?.end();
    await fake?.close();
  });

  it('three processes started at once all migrate safely and serve', async () => {
    const url = await emptyDatabase();
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    apps = ports.map((port) =>
      startMain({
        SLACK_BOT_TOKEN: 'xoxb-replicas',
        SLACK_SIGNING_SECRET: 'replicas-secret',
        SLACK_API_URL: fake.apiUrl,
        DATABASE_URL: url,
        PORT: String(port),
        LOG_LEVEL: 'warn',
      }),
    );
    await Promise.all(ports.map((port, i) => waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 90_000, apps[i])));
    for (const app of apps) expect(app.child.exitCode, app.output().stderr).toBeNull();
    const migrations = await appliedMigrations(url);
    expect(migrations).toBeGreaterThan(0);
  }, 150_000);

  it('`kpi-bot db migrate` migrates before a rollout, and again is a no-op', async () => {
    const url = await emptyDatabase();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_URL: url };
    const first = await run(process.execPath, [BIN, 'db', 'migrate'], { env });
    expect(first.stdout).toContain('Migrations applied');
    const count = await appliedMigrations(url);
    expect(count).toBeGreaterThan(0);
    const again = await run(process.execPath, [BIN, 'db', 'migrate'], { env });
    expect(again.stdout).toContain('Migrations applied');
    expect(await appliedMigrations(url)).toBe(count);
    // The URL can carry a password: it is never echoed.
    expect(first.stdout + first.stderr).not.toContain(url);
  }, 90_000);
});
