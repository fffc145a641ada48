import { sql } from 'drizzle-orm';
import { afterEach, expect, it } from 'vitest';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type Harness, type HarnessOptions, startHarness } from '../support/harness.js';
import { enqueueBoardPost } from './ops-support.js';

interface Readiness {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

async function get(h: Harness, path: string): Promise<{ status: number; body: Readiness & Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`);
  return { status: res.status, body: (await res.json()) as Readiness & Record<string, unknown> };
}

/** Polls `/readyz` until it answers `status` (the deliverer's stall takes a moment to show). */
async function readyzUntil(h: Harness, status: number, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(h, '/readyz');
    if (answer.status === status || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeDb('/livez, /readyz and /healthz through the running app', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A harness on a database of its own, which the test may break; torn down in the right order. */
  async function harness(options: HarnessOptions = {}) {
    const database = await openTestDatabase();
    const h = await startHarness({ database, scheduleJobs: true, ...options });
    let fakeClosed = false;
    cleanups.push(async () => {
      if (!fakeClosed) await h.fake.close();
      await h.bot.stop();
      await database.close().catch(() => {});
    });
    return {
      h,
      database,
      /** Releases every answer the fake withheld, so in-flight requests end. */
      closeFake: async () => {
        fakeClosed = true;
        await h.fake.close();
      },
    };
  }

  it('is ready when the database answers, migrations are applied, jobs are scheduled and delivery moves', async () => {
    const { h } = await harness();
    const ready = await get(h, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({
      database: { ok: true },
      migrations: { ok: true },
      scheduler: { ok: true },
      deliverer: { ok: true },
    });
    expect((await get(h, '/livez')).status).toBe(200);
    expect((await get(h, '/healthz')).status).toBe(200);
  });

  it('is not ready while the scheduler is not running', async () => {
    const { h } = await harness({ scheduleJobs: false });
    const ready = await get(h, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.scheduler).toEqual({ ok: false, error: 'not_running' });
    expect(ready.body.checks.database).toEqual({ ok: true });
  });

  it('is not ready when the database lacks the newest migration', async () => {
    const { h, database } = await harness();
    await database.db.execute(
      sql`delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)`,
    );
    const ready = await get(h, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.migrations).toEqual({ ok: false, error: 'migrations_pending' });
  });

  it('is neither ready nor healthy when the database is gone, and stays alive', async () => {
    const { h, database } = await harness();
    await database.close();
    const ready = await get(h, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.database).toEqual({ ok: false, error: 'database_unavailable' });
    expect((await get(h, '/healthz')).status).toBe(503);
    // A restart would not bring the database back: liveness is about this process only.
    expect((await get(h, '/livez')).status).toBe(200);
  });

  it('is not ready while a delivery pass makes no progress', async () => {
    const { h, closeFake } = await harness({ health: { delivererStuckMs: 500 } });
    // Slack takes the post but its answer never comes back: the pass waits on it.
    h.fake.holdAnswersAfter('chat.postMessage', 0);
    await enqueueBoardPost(h, 'stuck', 'CSTUCK');
    h.bot.delivery.kick();
    const stuck = await readyzUntil(h, 503);
    expect(stuck.status).toBe(503);
    expect(stuck.body.checks.deliverer?.ok).toBe(false);
    expect(stuck.body.checks.deliverer?.error).toMatch(/^no progress for \d+ s$/);

    await closeFake();
    await h.bot.delivery.idle();
    expect((await get(h, '/readyz')).status).toBe(200);
  });

  it('fails liveness after the event loop was blocked longer than the limit', async () => {
    const { h } = await harness({ health: { maxLoopLagMs: 1_500 } });
    expect((await get(h, '/livez')).status).toBe(200);
    // Wait for one timer tick so the watch has a baseline, then hold the loop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      // busy: the loop is stuck, as in a runaway synchronous computation
    }
    await new Promise((resolve) => setTimeout(resolve, 600));
    const live = await get(h, '/livez');
    expect(live.status).toBe(503);
    expect(live.body.error).toBe('event_loop_blocked');
    expect(live.body.lagMs).toBeGreaterThanOrEqual(1_500);
  });
});
