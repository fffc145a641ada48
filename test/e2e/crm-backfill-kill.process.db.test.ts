import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { databaseUrl } from '../delivery/delivery-support.js';
import { PORTAL_ID } from '../integrations/hubspot/fixtures.js';
import { HUBSPOT_CLIENT_SECRET } from '../support/crm-harness.js';
import { describeDb, openTestDatabase, TEST_DB } from '../support/db.js';
import { type FakeHubSpot, putCalls, startFakeHubSpot } from '../support/fake-hubspot.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

/**
 * `kpi-bot crm backfill` killed with SIGKILL halfway (a node drained, an OOM kill): nothing of what
 * it stored is lost, the next run goes on from its checkpoint instead of reading the CRM again, and
 * every record lands in the log exactly once. The fake HubSpot keeps its documented search limits
 * (5 searches a second, 200 a page), which is what makes the run long enough to kill.
 */

const BIN = fileURLToPath(new URL('../../bin/kpi-bot.js', import.meta.url));
const run = promisify(execFile);
const TEAM = 'TKILLED01';
const ANA = { id: '77', email: 'ana@acme.test', firstName: 'Ana', lastName: 'Lopez' };
const CALLS = 6_000;
const PAGE = 200;
/** The source stores engagements 1,000 at a time: five search pages, then their association reads. */
const SEARCHES_PER_STORED_PAGE = 5;
const DAY = 86_400_000;

let fake: FakeSlack;
let hubspot: FakeHubSpot;
let handle: DatabaseHandle | undefined;
let dataDir: string | undefined;
let env: Record<string, string>;

/** Search requests that read a page of calls. */
const callPages = () =>
  hubspot.calls.filter(
    (c) =>
      c.path === '/crm/v3/objects/calls/search' && c.status === 200 && (c.body as { limit: number }).limit === PAGE,
  );

/** Reads the database the CLI writes (a child's PGlite directory is opened only while no child runs). */
async function query<T extends Record<string, unknown>>(text: ReturnType<typeof sql>): Promise<T[]> {
  if (handle) return queryRows<T>(handle.db, text);
  const opened = await openDatabase({ driver: 'pglite', dataDir: dataDir ?? '' });
  try {
    return await queryRows<T>(opened.db, text);
  } finally {
    await opened.close();
  }
}

describeDb('a backfill killed halfway', () => {
  beforeAll(async () => {
    fake = await startFakeSlack();
    const botToken = `xoxb-${TEAM}`;
    fake.addToken(botToken, { teamId: TEAM, botUserId: 'UBOT', botId: 'BBOT' });
    fake.addUser({ id: 'UANA', teamId: TEAM, name: 'ana', displayName: 'Ana', email: ANA.email, tz: 'UTC' });
    hubspot = await startFakeHubSpot();
    hubspot.addOwner(ANA);
    putCalls(hubspot, {
      ownerId: ANA.id,
      count: CALLS,
      from: new Date(Date.now() - 80 * DAY),
      spanMs: 70 * DAY,
      firstId: 500_000,
    });
    let database: Record<string, string>;
    if (TEST_DB === 'postgres') {
      handle = await openTestDatabase();
      database = { DATABASE_URL: await databaseUrl(handle.db) };
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'kpi-killed-'));
      database = { DATA_DIR: dataDir };
    }
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: 'killed-signing-secret',
      SLACK_API_URL: fake.apiUrl,
      HUBSPOT_CLIENT_SECRET,
      HUBSPOT_PORTAL_ID: String(PORTAL_ID),
      HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
      HUBSPOT_API_URL: hubspot.baseUrl,
      LOG_LEVEL: 'warn',
      ...database,
    };
  }, 60_000);

  afterAll(async () => {
    await handle?.close();
    await hubspot?.close();
    await fake?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes on from its checkpoint after SIGKILL and lands every call once', async () => {
    const args = [BIN, 'crm', 'backfill', 'hubspot', '--workspace', TEAM];
    const first = execFile(process.execPath, args, { env });
    const firstExit = new Promise<NodeJS.Signals | number | null>((resolve) =>
      first.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    // Killed once the fourth stored page's searches have begun: the engine stores a page while it
    // reads the next, so by then the first two are in the database and the third is in flight.
    const deadline = Date.now() + 60_000;
    while (callPages().length < 3 * SEARCHES_PER_STORED_PAGE + 2) {
      if (Date.now() > deadline) throw new Error(`the first run never got going: ${String(await firstExit)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    expect(await firstExit).toBe('SIGKILL');
    const readBeforeKill = callPages().length;

    const [killed] = await query<{ status: string; calls: number; lease: string | null }>(
      sql`select status, (read->>'activities')::int as calls, lease_owner as lease from crm_backfills where workspace_id = ${TEAM}`,
    );
    expect(killed?.status).toBe('running');
    expect(killed?.calls).toBeGreaterThanOrEqual(2 * SEARCHES_PER_STORED_PAGE * PAGE);
    expect(killed?.calls).toBeLessThan(CALLS);
    // What a lapsed lease looks like two minutes later: the dead process holds it no more.
    await query(
      sql`update crm_backfills set lease_expires_at = now() - interval '1 second' where workspace_id = ${TEAM}`,
    );

    const second = await run(process.execPath, args, { env, timeout: 120_000 });
    expect(second.stdout).toMatch(/done/i);

    const [log] = await query<{ entries: number; keys: number; calls: number }>(
      sql`select count(*)::int as entries, count(distinct idempotency_key)::int as keys,
            coalesce(sum(quantity) filter (where kind = 'call'), 0)::int as calls
          from activities where workspace_id = ${TEAM} and user_id = 'UANA'`,
    );
    expect(log).toEqual({ entries: CALLS, keys: CALLS, calls: CALLS });
    const [runs] = await query<{ done: number; running: number }>(
      sql`select count(*) filter (where status = 'done')::int as done, count(*) filter (where status = 'running')::int as running
          from crm_backfills where workspace_id = ${TEAM}`,
    );
    expect(runs).toEqual({ done: 1, running: 0 });
    // Went on from its checkpoint: the second run read every page after it, and none before it.
    const stored = killed?.calls ?? 0;
    const offsets = callPages()
      .slice(readBeforeKill)
      .map((c) => Number((c.body as { after?: string }).after ?? 0));
    expect(Math.min(...offsets)).toBe(stored);
    expect(new Set(offsets).size).toBe((CALLS - stored) / PAGE);
  }, 180_000);
});
