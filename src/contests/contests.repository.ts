import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { auditLog, contests } from '../db/schema.js';
import { enqueuePosts, type NewPost } from '../delivery/outbox.repository.js';
import { type Contest, type ContestDraft, type ContestStatus, readContest } from './contest.js';

/** The audit action of a new contest; its `details.key` is the submission's idempotency key. */
const CREATE = 'contest.create';

/**
 * Stores a contest once per submission key (the modal's `private_metadata`), with its audit entry
 * in the same transaction. A retried or double-clicked submission carries the same key and finds
 * the contest the first one stored: the audit entry is the record of the submission, and an
 * advisory lock on the key keeps two concurrent deliveries from both missing it.
 */
export async function createContest(
  db: Database,
  input: { workspaceId: string; actorId: string; key: string; draft: ContestDraft; now: Date },
): Promise<{ contest: Contest; created: boolean }> {
  const { workspaceId, actorId, key, draft, now } = input;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${CREATE}:${workspaceId}:${key}`}))`);
    const seen = await queryRows<{ target: string | null }>(
      tx,
      sql`select ${auditLog.target} as target from ${auditLog}
          where ${auditLog.workspaceId} = ${workspaceId} and ${auditLog.action} = ${CREATE}
            and ${auditLog.details}->>'key' = ${key}
          limit 1`,
    );
    const earlierId = Number(seen[0]?.target?.replace('contest:', ''));
    if (seen.length > 0 && Number.isSafeInteger(earlierId)) {
      const earlier = await getContest(tx, workspaceId, earlierId);
      if (earlier) return { contest: earlier, created: false };
    }
    const rows = await tx
      .insert(contests)
      .values({ workspaceId, ...draft, status: 'scheduled', createdBy: actorId })
      .returning();
    const row = rows[0];
    if (!row) throw new Error('contest insert returned no row');
    await recordAudit(tx, {
      workspaceId,
      actorId,
      action: CREATE,
      target: `contest:${row.id}`,
      details: { key, name: draft.name, metric: draft.metric, ranking: draft.ranking, channelId: draft.channelId },
      at: now,
    });
    return { contest: readContest(row), created: true };
  });
}

export async function getContest(db: Database, workspaceId: string, id: number): Promise<Contest | undefined> {
  const rows = await db
    .select()
    .from(contests)
    .where(and(eq(contests.workspaceId, workspaceId), eq(contests.id, id)));
  return rows[0] ? readContest(rows[0]) : undefined;
}

/** A workspace's contests in these states, soonest ending first. */
export async function listContests(
  db: Database,
  workspaceId: string,
  statuses: readonly ContestStatus[],
): Promise<Contest[]> {
  const rows = await db
    .select()
    .from(contests)
    .where(and(eq(contests.workspaceId, workspaceId), inArray(contests.status, [...statuses])))
    .orderBy(asc(contests.endsAt), asc(contests.id));
  return rows.map(readContest);
}

export type CancelResult = { status: 'cancelled'; contest: Contest } | { status: 'not_found' | 'already_over' };

/**
 * Cancels a scheduled or live contest, audited; a live one tells its channel (keyed, so a repeated
 * cancel posts nothing more). An ended contest keeps its result.
 */
export async function cancelContest(
  db: Database,
  input: { workspaceId: string; id: number; actorId: string; now: Date; notice: (contest: Contest) => NewPost },
): Promise<CancelResult> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(contests)
      .where(and(eq(contests.workspaceId, input.workspaceId), eq(contests.id, input.id)))
      .for('update');
    const row = rows[0];
    if (!row) return { status: 'not_found' };
    if (row.status === 'ended' || row.status === 'cancelled') return { status: 'already_over' };
    const updated = await tx.update(contests).set({ status: 'cancelled' }).where(eq(contests.id, row.id)).returning();
    const contest = readContest(updated[0] ?? row);
    if (row.status === 'live') await enqueuePosts(tx, [input.notice(contest)]);
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorId: input.actorId,
      action: 'contest.cancel',
      target: `contest:${row.id}`,
      details: { name: row.name, wasStatus: row.status },
      at: input.now,
    });
    return { status: 'cancelled', contest };
  });
}

/**
 * Runs `decide` on each contest in `status` whose `column` has passed, each in its own transaction
 * with the row locked (`FOR UPDATE SKIP LOCKED`): a replica running the same job at the same
 * minute skips the rows this one holds, and finds them changed once it may look again.
 */
export async function forEachDue(
  db: Database,
  filter: { status: ContestStatus; column: 'starts_at' | 'ends_at'; now: Date; workspaceId?: string },
  decide: (tx: Database, contest: Contest) => Promise<void>,
): Promise<number> {
  const ids = await dueIds(db, filter);
  let done = 0;
  for (const id of ids) {
    const handled = await db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(contests)
        .where(and(eq(contests.id, id), eq(contests.status, filter.status)))
        .for('update', { skipLocked: true });
      if (!rows[0]) return false;
      await decide(tx, readContest(rows[0]));
      return true;
    });
    if (handled) done++;
  }
  return done;
}

async function dueIds(
  db: Database,
  filter: { status: ContestStatus; column: 'starts_at' | 'ends_at'; now: Date; workspaceId?: string },
): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    db,
    sql`select id::float8 as id from contests
        where status = ${filter.status} and ${sql.raw(filter.column)} <= ${filter.now.toISOString()}::timestamptz
          and ${filter.workspaceId === undefined ? sql`true` : sql`workspace_id = ${filter.workspaceId}`}
        order by ${sql.raw(filter.column)}, id
        limit 200`,
  );
  return rows.map((r) => Number(r.id));
}

/** Live contests (optionally of one workspace), for the daily standings. */
export async function liveContests(db: Database, workspaceId?: string): Promise<Contest[]> {
  const rows = await db
    .select()
    .from(contests)
    .where(
      workspaceId === undefined
        ? eq(contests.status, 'live')
        : and(eq(contests.status, 'live'), eq(contests.workspaceId, workspaceId)),
    )
    .orderBy(asc(contests.id));
  return rows.map(readContest);
}

export async function setStatus(
  tx: Database,
  id: number,
  status: ContestStatus,
  result?: Contest['result'],
): Promise<void> {
  await tx
    .update(contests)
    .set(result === undefined ? { status } : { status, result })
    .where(eq(contests.id, id));
}
