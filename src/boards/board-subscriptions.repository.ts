import { and, asc, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { boardSubscriptions, outbox } from '../db/schema.js';
import type { ScorecardWeights } from '../kpi/weighted-score.js';
import type { Schedule } from './schedule.js';

export type BoardSubscription = typeof boardSubscriptions.$inferSelect;

/** The outbox `ref_type` of a board post, so a delivery error can be traced back to its board. */
export const BOARD_REF = 'board_subscription';

export interface SubscriptionInput extends Schedule {
  workspaceId: string;
  channelId: string;
  metric: string | null;
  scorecard: ScorecardWeights | null;
  topN: number;
  createdBy: string;
  nextRunAt: Date;
}

export function scheduleOf(sub: BoardSubscription): Schedule {
  return {
    cadence: sub.cadence,
    dayOfWeek: sub.dayOfWeek,
    dayOfMonth: sub.dayOfMonth,
    timeOfDay: sub.timeOfDay,
    timezone: sub.timezone,
  };
}

/**
 * Creates the channel's board for this metric (or its scorecard), or updates the live one: the
 * unique index on (workspace, channel, metric) among live rows makes a second subscribe an update.
 * An update keeps `last_window_end`, so the next post still covers exactly the time since the last
 * one, and clears the last error: a manager re-subscribing after fixing the channel retries it.
 */
export async function upsertSubscription(
  db: Database,
  input: SubscriptionInput,
): Promise<{ subscription: BoardSubscription; created: boolean }> {
  const rows = await queryRows<{ id: string | number; created: boolean }>(
    db,
    sql`insert into board_subscriptions
          (workspace_id, channel_id, metric, scorecard, cadence, day_of_week, day_of_month, time_of_day,
           timezone, top_n, created_by, next_run_at)
        values (${input.workspaceId}, ${input.channelId}, ${input.metric},
          ${input.scorecard === null ? null : JSON.stringify(input.scorecard)}::jsonb, ${input.cadence},
          ${input.dayOfWeek}, ${input.dayOfMonth}, ${input.timeOfDay}, ${input.timezone}, ${input.topN},
          ${input.createdBy}, ${input.nextRunAt.toISOString()}::timestamptz)
        on conflict (workspace_id, channel_id, (coalesce(metric, 'scorecard'))) where archived_at is null
        do update set scorecard = excluded.scorecard, cadence = excluded.cadence,
          day_of_week = excluded.day_of_week, day_of_month = excluded.day_of_month,
          time_of_day = excluded.time_of_day, timezone = excluded.timezone, top_n = excluded.top_n,
          next_run_at = excluded.next_run_at, last_error = null, last_error_at = null
        returning id, (xmax = 0) as created`,
  );
  const row = rows[0];
  if (!row) throw new Error('board subscription upsert returned no row');
  const subscription = await getSubscription(db, input.workspaceId, Number(row.id));
  if (!subscription) throw new Error('board subscription vanished after upsert');
  return { subscription, created: row.created };
}

export async function getSubscription(
  db: Database,
  workspaceId: string,
  id: number,
): Promise<BoardSubscription | undefined> {
  const rows = await db
    .select()
    .from(boardSubscriptions)
    .where(and(eq(boardSubscriptions.workspaceId, workspaceId), eq(boardSubscriptions.id, id)));
  return rows[0];
}

/** Live boards of one channel, or (channelId null) of the whole workspace, oldest first. */
export async function liveSubscriptions(
  db: Database,
  workspaceId: string,
  channelId: string | null,
): Promise<BoardSubscription[]> {
  return db
    .select()
    .from(boardSubscriptions)
    .where(
      and(
        eq(boardSubscriptions.workspaceId, workspaceId),
        isNull(boardSubscriptions.archivedAt),
        channelId === null ? undefined : eq(boardSubscriptions.channelId, channelId),
      ),
    )
    .orderBy(asc(boardSubscriptions.channelId), asc(boardSubscriptions.id));
}

/** Archives a live board; archived rows are kept (the audit log and old posts point at them). */
export async function archiveSubscription(db: Database, workspaceId: string, id: number, at: Date): Promise<boolean> {
  const rows = await db
    .update(boardSubscriptions)
    .set({ archivedAt: at })
    .where(
      and(
        eq(boardSubscriptions.workspaceId, workspaceId),
        eq(boardSubscriptions.id, id),
        isNull(boardSubscriptions.archivedAt),
      ),
    )
    .returning({ id: boardSubscriptions.id });
  return rows.length > 0;
}

/** Boards whose scheduled instant has come, soonest first; not locked (each is claimed on its own). */
export async function dueSubscriptionIds(
  db: Database,
  now: Date,
  options: { workspaceId?: string; limit: number },
): Promise<number[]> {
  const rows = await db
    .select({ id: boardSubscriptions.id })
    .from(boardSubscriptions)
    .where(
      and(
        isNull(boardSubscriptions.archivedAt),
        lte(boardSubscriptions.nextRunAt, now),
        options.workspaceId === undefined ? undefined : eq(boardSubscriptions.workspaceId, options.workspaceId),
      ),
    )
    .orderBy(asc(boardSubscriptions.nextRunAt), asc(boardSubscriptions.id))
    .limit(options.limit);
  return rows.map((r) => r.id);
}

/**
 * Claims one due board for the transaction `tx`: the row is locked until it commits, and a board
 * another replica holds is skipped rather than waited for. The due check is repeated under the lock,
 * so a board that another run has just decided (and moved on) is not decided again.
 */
export async function claimDue(tx: Database, id: number, now: Date): Promise<BoardSubscription | undefined> {
  const rows = await dueRow(tx, id, now).for('update', { skipLocked: true });
  return rows[0];
}

/** The board if it is still due, without locking it (to read what the decision will need first). */
export async function peekDue(db: Database, id: number, now: Date): Promise<BoardSubscription | undefined> {
  const rows = await dueRow(db, id, now);
  return rows[0];
}

function dueRow(db: Database, id: number, now: Date) {
  return db
    .select()
    .from(boardSubscriptions)
    .where(
      and(eq(boardSubscriptions.id, id), isNull(boardSubscriptions.archivedAt), lte(boardSubscriptions.nextRunAt, now)),
    );
}

/** After a post is decided: the next instant, and where this post's window ended. */
export async function markPosted(tx: Database, id: number, nextRunAt: Date, windowEnd: Date): Promise<void> {
  await tx
    .update(boardSubscriptions)
    .set({ nextRunAt, lastWindowEnd: windowEnd, lastError: null, lastErrorAt: null })
    .where(eq(boardSubscriptions.id, id));
}

/**
 * A permanent error (the channel is gone, the bot was removed): recorded for `/kpi boards`, and the
 * board waits for its next scheduled instant to try again. Its window does not move: the start of
 * the window that could not be posted is kept (a first post has no earlier end to keep), so the
 * first post after the fix covers everything since the last one.
 */
export async function markFailed(
  tx: Database,
  id: number,
  failure: { nextRunAt: Date; windowStart: Date; error: string; at: Date },
): Promise<void> {
  await tx
    .update(boardSubscriptions)
    .set({
      nextRunAt: failure.nextRunAt,
      lastWindowEnd: sql`coalesce(${boardSubscriptions.lastWindowEnd}, ${failure.windowStart.toISOString()}::timestamptz)`,
      lastError: failure.error,
      lastErrorAt: failure.at,
    })
    .where(eq(boardSubscriptions.id, id));
}

/** The latest failed delivery of each board's posts (the deliverer records it on the outbox row). */
export async function lastDeliveryErrors(
  db: Database,
  workspaceId: string,
  ids: readonly number[],
): Promise<Map<number, { error: string; at: Date }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectDistinctOn([outbox.refId], {
      refId: outbox.refId,
      status: outbox.status,
      error: outbox.lastError,
      at: outbox.createdAt,
    })
    .from(outbox)
    .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.refType, BOARD_REF), inArray(outbox.refId, [...ids])))
    .orderBy(outbox.refId, desc(outbox.id));
  const result = new Map<number, { error: string; at: Date }>();
  for (const row of rows) {
    if (row.refId !== null && row.status === 'failed') {
      result.set(row.refId, { error: row.error ?? 'unknown error', at: row.at });
    }
  }
  return result;
}
