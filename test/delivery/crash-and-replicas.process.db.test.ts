import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { buildApp, type KpiBot } from '../../src/app.js';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { outbox } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { describeDb, newWorkspaceId, openTestDatabase, TEST_DB } from '../support/db.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { addWorkspace, databaseUrl, enqueue, newDeliverer, post, postedKeys } from './delivery-support.js';

let handle: DatabaseHandle;
let fake: FakeSlack;

const CHILD = fileURLToPath(new URL('./deliver-process.ts', import.meta.url));
const USERS = Array.from({ length: 30 }, (_, i) => `U${String(i + 1).padStart(3, '0')}`);
const CHANNELS = ['CNORTH', 'CSOUTH', 'CEAST'];

/** 30 DMs and 3 posts in each of 3 channels: the shape of a weekly fan-out. */
function fanOut(workspaceId: string, at: Date) {
  return [
    ...USERS.map((user) => post(workspaceId, `nudge:${user}:w47`, user, { kind: 'nudge', decidedAt: at })),
    ...CHANNELS.flatMap((channel) =>
      [1, 2, 3].map((n) => post(workspaceId, `board:${channel}:${n}:w47`, channel, { decidedAt: at })),
    ),
  ];
}

/** How many messages in Slack carry each post's key. */
function timesPosted(posts: readonly { key: string }[]): number[] {
  const counts = postedKeys(fake, { in: [...USERS, ...CHANNELS] });
  return posts.map((p) => counts.get(p.key) ?? 0);
}

async function rowsOf(workspaceId: string) {
  return handle.db.select().from(outbox).where(eq(outbox.workspaceId, workspaceId));
}

describeDb('delivery across crashes and replicas', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    fake = await startFakeSlack();
  });
  afterEach(async () => {
    await fake.close();
  });

  // A child process needs a database it can reach: PostgreSQL, not the in-memory PGlite.
  it.skipIf(TEST_DB === 'pglite')(
    'a deliverer killed halfway through a fan-out and a fresh one post every key exactly once',
    async () => {
      const ws = newWorkspaceId();
      const token = addWorkspace(fake, ws, { channels: CHANNELS, users: USERS });
      const posts = fanOut(ws, new Date());
      await enqueue(handle.db, posts);
      // Slack takes the 13th post and later ones, but the child never hears back: it dies in flight.
      fake.holdAnswersAfter('chat.postMessage', 12);

      const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD], {
        env: {
          ...process.env,
          DATABASE_URL: await databaseUrl(handle.db),
          SLACK_API_URL: fake.apiUrl,
          WORKSPACE_ID: ws,
          TOKEN: token,
        },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal)),
      );
      await fake.waitFor(
        (e) =>
          e.kind === 'call' &&
          e.method === 'chat.postMessage' &&
          e.ok &&
          fake.callsTo('chat.postMessage').filter((c) => c.ok).length > 12,
        20_000,
      );
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const before = await rowsOf(ws);
      const sentBefore = before.filter((r) => r.status === 'sent').length;
      expect(sentBefore).toBeLessThanOrEqual(12);
      expect(before.some((r) => r.status === 'sending' && r.claimedBy === 'child')).toBe(true);
      const inSlack = timesPosted(posts).filter((n) => n > 0).length;
      // At least one post is in Slack but not recorded: the case history must settle.
      expect(inSlack).toBeGreaterThan(sentBefore);

      fake.reset();
      // A fresh deliverer, once the dead one's leases (2 minutes) have run out.
      const later = () => new Date(Date.now() + 121_000);
      const report = await newDeliverer(handle.db, fake, { [ws]: token }, { now: later }).drain();

      expect(report.reconciled).toBe(inSlack - sentBefore);
      expect(timesPosted(posts)).toEqual(posts.map(() => 1));
      expect((await rowsOf(ws)).every((r) => r.status === 'sent' && r.messageTs !== null)).toBe(true);
    },
  );

  it('two app instances on one database deliver one outbox: none twice, none lost', async () => {
    const ws = newWorkspaceId();
    const token = addWorkspace(fake, ws, { channels: CHANNELS, users: USERS });
    const posts = fanOut(ws, new Date());
    await enqueue(handle.db, posts);
    // Each instance gets its own connection pool on PostgreSQL; PGlite has one connection to share.
    const second =
      TEST_DB === 'postgres'
        ? await openDatabase({ driver: 'postgres', url: await databaseUrl(handle.db) }, { migrate: false })
        : handle;
    const bots: KpiBot[] = [];
    for (const database of [handle, second]) {
      bots.push(
        await buildApp({
          config: {
            slack: { mode: 'single', botToken: token, signingSecret: 'secret' },
            database: { driver: 'pglite', dataDir: null },
            port: 0,
            slackApiUrl: fake.apiUrl,
            logLevel: 'silent',
            crm: parseCrmConfig({}, []),
            encryption: null,
          },
          database,
          logger: createLogger('silent'),
          scheduleJobs: false,
        }),
      );
    }
    try {
      // Starting kicks each deliverer; they drain the same outbox at once.
      await Promise.all(bots.map((bot) => bot.start()));
      await Promise.all(bots.map((bot) => bot.delivery.idle()));
      await Promise.all(bots.map((bot) => bot.delivery.drain()));

      expect(timesPosted(posts)).toEqual(posts.map(() => 1));
      const rows = await rowsOf(ws);
      expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
      // Whichever replica claims a post sends it, waiting for its channel's pace under its own claim
      // rather than handing it to a replica whose pacer has not seen that channel's last posts.
      const workers = new Set(bots.map((bot) => bot.delivery.workerId));
      expect(rows.every((r) => workers.has(r.claimedBy ?? ''))).toBe(true);
    } finally {
      for (const bot of bots) await bot.stop();
      if (second !== handle) await second.close();
    }
  });
});
