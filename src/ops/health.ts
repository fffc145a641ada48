import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CustomRoute } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type DatabaseHandle, MIGRATIONS_FOLDER, ping } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { withDeadline } from '../lib/deadline.js';
import type { Logger } from '../lib/logger.js';
import type { Shutdown } from '../lib/shutdown.js';

/**
 * Liveness and readiness, apart: `/livez` says whether the process should be restarted (its event
 * loop has been stuck), `/readyz` whether it should take traffic (database, migrations, scheduler,
 * deliverer). `/healthz` keeps its older meaning, database only, in app.ts.
 */
export interface HealthLimits {
  /** An event-loop delay above this, within the last `windowMs`, fails `/livez`. */
  maxLoopLagMs: number;
  /** A delivery pass that has made no progress for this long fails `/readyz`. */
  delivererStuckMs: number;
  /** How long `/readyz` waits for the database before calling it unreachable. */
  databaseTimeoutMs: number;
}

export const DEFAULT_HEALTH_LIMITS: HealthLimits = {
  maxLoopLagMs: 5_000,
  delivererStuckMs: 5 * 60_000,
  databaseTimeoutMs: 3_000,
};

const TICK_MS = 250;
const WINDOW_MS = 30_000;

/**
 * Measures event-loop lag with a timer: a tick that fires late by more than a threshold means the
 * loop was blocked for that long. The worst lag of the recent window is kept, because a probe can
 * only be answered once the loop is free again.
 */
export class LoopWatch {
  private timer: NodeJS.Timeout | undefined;
  private lags: { at: number; lag: number }[] = [];

  /** Watches until the app stops. */
  start(shutdown: Shutdown): void {
    let expected = performance.now() + TICK_MS;
    this.timer = setInterval(() => {
      const now = performance.now();
      const lag = Math.max(0, now - expected);
      expected = now + TICK_MS;
      if (lag > 0) this.lags.push({ at: now, lag });
      this.lags = this.lags.filter((l) => l.at > now - WINDOW_MS);
    }, TICK_MS);
    this.timer.unref();
    shutdown.add('event loop watch', () => clearInterval(this.timer));
  }

  /** The longest lag seen in the last window, in milliseconds. */
  worstLagMs(): number {
    const since = performance.now() - WINDOW_MS;
    return Math.max(0, ...this.lags.filter((l) => l.at > since).map((l) => l.lag));
  }
}

export interface HealthDeps {
  database: DatabaseHandle;
  logger: Logger;
  loop: LoopWatch;
  limits: HealthLimits;
  /** Whether the scheduled jobs are running (started and not stopped). */
  schedulerRunning(): boolean;
  /** How long the running delivery pass has gone without progress (0 when idle or moving). */
  delivererStalledMs(): number;
}

type Check = { ok: true } | { ok: false; error: string };

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

/** The newest migration this build ships, and whether the database has it. */
async function migrationsApplied(database: DatabaseHandle, newest: number): Promise<Check> {
  const [row] = await queryRows<{ at: number | null }>(
    database.db,
    sql`select max(created_at)::float8 as at from drizzle.__drizzle_migrations`,
  );
  return (row?.at ?? 0) >= newest ? { ok: true } : { ok: false, error: 'migrations_pending' };
}

/** How long the health check waits for the database before it answers 503. */
export const HEALTH_DEADLINE_MS = 2_000;

/** `/healthz` (the database answers), `/livez` (the event loop is not blocked) and `/readyz` (all of it). */
export function healthRoutes(deps: HealthDeps): CustomRoute[] {
  const newest = Math.max(0, ...readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).map((m) => m.folderMillis));

  const readiness = async (): Promise<Record<string, Check>> => {
    const database = await ping(deps.database.db, deps.limits.databaseTimeoutMs).then(
      (): Check => ({ ok: true }),
      (error: unknown): Check => {
        deps.logger.warn({ err: error }, 'readiness: the database does not answer');
        return { ok: false, error: 'database_unavailable' };
      },
    );
    const migrations = database.ok
      ? await withDeadline(
          migrationsApplied(deps.database, newest),
          deps.limits.databaseTimeoutMs,
          () => new Error('timed_out'),
        ).catch((): Check => ({ ok: false, error: 'migrations_unknown' }))
      : ({ ok: false, error: 'database_unavailable' } as const);
    const stalled = deps.delivererStalledMs();
    return {
      database,
      migrations,
      scheduler: deps.schedulerRunning() ? { ok: true } : { ok: false, error: 'not_running' },
      deliverer:
        stalled > deps.limits.delivererStuckMs
          ? { ok: false, error: `no progress for ${Math.round(stalled / 1000)} s` }
          : { ok: true },
    };
  };

  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        ping(deps.database.db, HEALTH_DEADLINE_MS).then(
          () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
          (error: unknown) => {
            deps.logger.error({ err: error }, 'health check: the database does not answer');
            res
              .writeHead(503, { 'content-type': 'application/json' })
              .end('{"ok":false,"error":"database_unavailable"}');
          },
        );
      },
    },
    {
      path: '/livez',
      method: ['GET'],
      handler: (_req, res) => {
        const lag = Math.round(deps.loop.worstLagMs());
        const ok = lag <= deps.limits.maxLoopLagMs;
        json(res, ok ? 200 : 503, ok ? { ok } : { ok, error: 'event_loop_blocked', lagMs: lag });
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        readiness().then(
          (checks) => {
            const ok = Object.values(checks).every((c) => c.ok);
            json(res, ok ? 200 : 503, { ok, checks });
          },
          (error: unknown) => {
            deps.logger.error({ err: error }, 'readiness check failed');
            json(res, 503, { ok: false, error: 'check_failed' });
          },
        );
      },
    },
  ];
}
