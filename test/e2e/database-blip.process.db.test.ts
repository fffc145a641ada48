import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { activities, crmEvents, deals } from '../../src/db/schema.js';
import { signStandardWebhook } from '../../src/integrations/generic/signature.js';
import { databaseUrl } from '../delivery/delivery-support.js';
import { type AppProcess, freePort, startMain, waitForStatus } from '../support/app-process.js';
import { describeDb, openTestDatabase, TEST_DB } from '../support/db.js';
import { type FakeSlack, isResponse, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { postSigned, slashCommandBody } from '../support/slack-signing.js';
import { ADMIN_URL } from '../support/test-env.js';

/**
 * The running process while PostgreSQL drops every connection under it (a failover, a proxy's idle
 * timeout, `pg_terminate_backend`): it must live through it, answer 503 while the database is
 * away, serve normally again within seconds, and store every batch a CRM retries exactly once.
 */

const SIGNING_SECRET = 'blip-signing-secret';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROUNDS = 4;

let handle: DatabaseHandle;
let fake: FakeSlack;
let app: AppProcess;
let admin: postgres.Sql;
let dbName: string;
let url: string;
const teamId = `T${randomUUID().slice(0, 8).toUpperCase()}`;

/** Ends every connection the app holds to its database. */
async function killBackends(): Promise<number> {
  const rows = await admin`select pg_terminate_backend(pid) as killed from pg_stat_activity
    where datname = ${dbName} and pid <> pg_backend_pid()`;
  return rows.length;
}

let responses = 0;
async function kpi(userId: string, text: string): Promise<{ status: number; reply: () => Promise<RecordedResponse> }> {
  const id = `r${++responses}`;
  const responseUrl = fake.responseUrl(id);
  const body = slashCommandBody({ teamId, userId, text, responseUrl });
  const res = await postSigned(`${url}/slack/events`, body, {
    signingSecret: SIGNING_SECRET,
    contentType: 'application/x-www-form-urlencoded',
  });
  fake.commandAnswered(responseUrl, res);
  const reply = () => fake.waitFor((e) => isResponse(e) && e.id === id, 30_000) as Promise<RecordedResponse>;
  return { status: res.status, reply };
}

/** Sends one generic batch as a CRM does: again, under a new delivery id, until it gets a 2xx. */
async function sendUntilStored(batch: object, log: number[]): Promise<void> {
  const text = JSON.stringify(batch);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(`${url}/webhooks/generic`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(WEBHOOK_SECRET, id, timestamp, text),
        },
        body: text,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      log.push(res.status);
      if (res.ok) return;
    } catch {
      log.push(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('a batch was never stored');
}

/** Null while the process lives; once it has died, how and what it said last. */
async function deathOf(process: AppProcess): Promise<string | null> {
  const exit = await Promise.race([process.exited, new Promise<null>((resolve) => setTimeout(resolve, 500, null))]);
  return exit && `exited (${exit.code ?? exit.signal}): ${exit.stderr.slice(-3000)}`;
}

const wonDeal = (dealId: string) => ({
  events: [
    {
      id: `${dealId}-won`,
      type: 'deal',
      occurred_at: '2026-11-17T10:00:00Z',
      deal: {
        id: dealId,
        name: dealId,
        amount: 1000,
        stage: 'won',
        status: 'won',
        closed_at: '2026-11-17T10:00:00Z',
        owner_email: 'ana@acme.test',
      },
    },
  ],
});

// A child process needs a database it can reach, and only PostgreSQL has backends to kill.
describeDb.skipIf(TEST_DB === 'pglite')('the running app through a database blip', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    fake = await startFakeSlack();
    const botToken = `xoxb-${teamId}`;
    fake.addToken(botToken, { teamId, botUserId: 'UBOT', botId: 'BBOT' });
    fake.addUser({ id: 'UANA', teamId, name: 'ana', displayName: 'Ana', email: 'ana@acme.test', tz: 'UTC' });
    const databaseUrlText = await databaseUrl(handle.db);
    dbName = new URL(databaseUrlText).pathname.slice(1);
    admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    app = startMain({
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      DATABASE_URL: databaseUrlText,
      WEBHOOK_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    await waitForStatus(`${url}/healthz`, 200, 60_000, app);
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await admin?.end();
    await fake?.close();
    await handle?.close();
  });

  it('lives through backends killed mid-flight, recovers, and stores every retried batch once', async () => {
    const statuses: number[] = [];
    const batches: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ids = Array.from({ length: 4 }, (_, i) => `D${round}-${i}`);
      batches.push(...ids);
      // Commands and batches keep arriving while every connection is pulled again and again.
      let storming = true;
      const storm = (async () => {
        while (storming) {
          await killBackends();
          await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 60));
        }
      })();
      const commands: Promise<number | string>[] = [];
      const sends = ids.map((id) => sendUntilStored(wonDeal(id), statuses));
      for (let i = 0; i < 12; i++) {
        commands.push(
          kpi('UANA', 'me').then(
            (c) => c.status,
            (e: Error) => `${e.message}: ${String(e.cause)}`,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 80));
      }
      storming = false;
      await storm;
      const answered = await Promise.all(commands);
      expect(await deathOf(app)).toBeNull();
      expect(answered).toEqual(commands.map(() => 200));
      await Promise.all(sends);
    }

    // Still the same process, healthy again, and serving normally within seconds: a command that
    // lands on a connection killed a moment ago may still get the friendly apology, none after.
    await waitForStatus(`${url}/healthz`, 200, 10_000, app);
    let lastReply = '';
    const served = async () => {
      lastReply = JSON.stringify((await (await kpi('UANA', 'me')).reply()).body);
      return lastReply.includes('Revenue');
    };
    const deadline = Date.now() + 10_000;
    const why = () =>
      `last reply: ${lastReply.slice(0, 500)}\napp stdout: ${app.output().stdout.slice(-4000)}\napp stderr: ${app.output().stderr.slice(-3000)}`;
    while (!(await served())) expect(Date.now(), why()).toBeLessThan(deadline);
    for (let i = 0; i < 5; i++) expect(await served()).toBe(true);
    expect(await deathOf(app)).toBeNull();
    expect(app.output().stderr).not.toMatch(/Unhandled|crashed/);

    // Every batch is in the inbox exactly once, however many times it was sent.
    const stored = await handle.db
      .select({ eventId: crmEvents.eventId, n: sql<number>`count(*)::int` })
      .from(crmEvents)
      .where(eq(crmEvents.workspaceId, teamId))
      .groupBy(crmEvents.eventId);
    expect(new Map(stored.map((r) => [r.eventId, r.n]))).toEqual(new Map(batches.map((id) => [`${id}-won`, 1])));
    // And no deal was won twice.
    const won = await handle.db
      .select({ dealId: deals.externalId, n: sql<number>`count(*)::int` })
      .from(activities)
      .innerJoin(deals, eq(deals.id, activities.dealId))
      .where(and(eq(activities.workspaceId, teamId), eq(activities.kind, 'deal_won')))
      .groupBy(deals.externalId);
    expect(won.every((r) => r.n === 1)).toBe(true);
  }, 240_000);
});
