import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { queryRows, violatedUniqueConstraint } from '../../db/rows.js';
import { crmBackfills, crmEvents } from '../../db/schema.js';
import type { CrmSource } from '../crm-event.js';
import { storeEvents } from '../inbox.repository.js';
import {
  BACKFILL_STAGES,
  type BackfillCursor,
  type BackfillPage,
  type BackfillRequest,
  type BackfillRun,
  type BackfillStage,
} from './contract.js';
import { BACKFILL_EVENT_PREFIX } from './event-id.js';

/** A run as the engine drives it: the contract's run, where it goes on, and whether it has read everything. */
export interface StoredBackfill {
  run: BackfillRun;
  cursor: BackfillCursor | null;
  readAll: boolean;
}

type Row = typeof crmBackfills.$inferSelect;

const perStage = <T>(value: T) =>
  Object.fromEntries(BACKFILL_STAGES.map((s) => [s, value])) as Record<BackfillStage, T>;

function fromRow(row: Row): StoredBackfill {
  return {
    run: {
      id: row.id,
      workspaceId: row.workspaceId,
      source: row.source as CrmSource,
      window: { since: row.since, until: row.until },
      requestedBy: row.requestedBy,
      status: row.status,
      stage: row.stage,
      read: { ...perStage(0), ...(row.read as Record<BackfillStage, number>) },
      estimated: { ...perStage(null), ...(row.estimated as Record<BackfillStage, number | null>) },
      startedAt: row.startedAt,
      updatedAt: row.updatedAt,
      finishedAt: row.finishedAt,
      error: row.error,
    },
    cursor: (row.cursor as BackfillCursor | null) ?? null,
    readAll: row.readAllAt !== null,
  };
}

/** The process that drives a run, and how long its lease lasts from each renewal. */
export interface Holder {
  owner: string;
  leaseMs: number;
}

const lease = (holder: Holder, now: Date) => ({
  leaseOwner: holder.owner,
  leaseExpiresAt: new Date(now.getTime() + holder.leaseMs),
});

/**
 * A new run, or null when one is already running for this workspace and CRM (the partial unique
 * index decides, so two requests racing in two replicas make one run).
 */
export async function insertRun(
  db: Database,
  request: BackfillRequest,
  now: Date,
  holder: Holder,
): Promise<StoredBackfill | null> {
  const [row] = await db
    .insert(crmBackfills)
    .values({
      workspaceId: request.workspaceId,
      source: request.source,
      since: request.window.since,
      until: request.window.until,
      requestedBy: request.requestedBy,
      status: 'running',
      stage: BACKFILL_STAGES[0],
      read: perStage(0),
      estimated: perStage(null),
      startedAt: now,
      updatedAt: now,
      ...lease(holder, now),
    })
    .onConflictDoNothing({ target: [crmBackfills.workspaceId, crmBackfills.source], where: sql`status = 'running'` })
    .returning();
  return row ? fromRow(row) : null;
}

/** The run going for this workspace and CRM, if any. */
export async function runningRun(db: Database, workspaceId: string, source: CrmSource): Promise<StoredBackfill | null> {
  const [row] = await db
    .select()
    .from(crmBackfills)
    .where(
      and(
        eq(crmBackfills.workspaceId, workspaceId),
        eq(crmBackfills.source, source),
        eq(crmBackfills.status, 'running'),
      ),
    );
  return row ? fromRow(row) : null;
}

/**
 * Puts the workspace's newest run for this CRM back to running, checkpoint and counts kept, when it
 * failed and started from the same day: asking again after a failure goes on where it stopped
 * rather than reading everything again. Null when there is no such run (or one is running already).
 */
export async function reopenFailed(
  db: Database,
  request: BackfillRequest,
  now: Date,
  holder: Holder,
): Promise<StoredBackfill | null> {
  const [newest] = await db
    .select()
    .from(crmBackfills)
    .where(and(eq(crmBackfills.workspaceId, request.workspaceId), eq(crmBackfills.source, request.source)))
    .orderBy(desc(crmBackfills.id))
    .limit(1);
  const sameDay = (a: Date, b: Date) => a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);
  if (newest?.status !== 'failed' || !sameDay(newest.since, request.window.since)) return null;
  try {
    const [row] = await db
      .update(crmBackfills)
      .set({ status: 'running', error: null, finishedAt: null, updatedAt: now, ...lease(holder, now) })
      .where(and(eq(crmBackfills.id, newest.id), eq(crmBackfills.status, 'failed')))
      .returning();
    return row ? fromRow(row) : null;
  } catch (error) {
    // Another request started a run meanwhile (the partial unique index): that one is joined.
    if (violatedUniqueConstraint(error) !== null) return null;
    throw error;
  }
}

/** Takes the lease of a running run that has none, or whose holder let it lapse; null when another holds it. */
export async function claimRun(db: Database, id: number, now: Date, holder: Holder): Promise<StoredBackfill | null> {
  const [row] = await db
    .update(crmBackfills)
    .set(lease(holder, now))
    .where(
      and(
        eq(crmBackfills.id, id),
        eq(crmBackfills.status, 'running'),
        or(
          isNull(crmBackfills.leaseExpiresAt),
          lt(crmBackfills.leaseExpiresAt, now),
          eq(crmBackfills.leaseOwner, holder.owner),
        ),
      ),
    )
    .returning();
  return row ? fromRow(row) : null;
}

/** Running runs whose lease lapsed: their process died or stopped. */
export async function lapsedRuns(db: Database, now: Date, workspaceId: string | null): Promise<number[]> {
  const rows = await db
    .select({ id: crmBackfills.id })
    .from(crmBackfills)
    .where(
      and(
        eq(crmBackfills.status, 'running'),
        or(isNull(crmBackfills.leaseExpiresAt), lt(crmBackfills.leaseExpiresAt, now)),
        workspaceId === null ? undefined : eq(crmBackfills.workspaceId, workspaceId),
      ),
    );
  return rows.map((r) => r.id);
}

/** Keeps the lease; false when another process holds it now. */
export async function renewLease(db: Database, id: number, now: Date, holder: Holder) {
  const rows = await db
    .update(crmBackfills)
    .set(lease(holder, now))
    .where(and(eq(crmBackfills.id, id), eq(crmBackfills.leaseOwner, holder.owner), eq(crmBackfills.status, 'running')))
    .returning({ id: crmBackfills.id });
  return rows.length > 0;
}

/** Lets another process take the run over at once (this one is stopping). */
export async function releaseLease(db: Database, id: number, holder: Holder): Promise<void> {
  await db
    .update(crmBackfills)
    .set({ leaseOwner: null, leaseExpiresAt: null })
    .where(and(eq(crmBackfills.id, id), eq(crmBackfills.leaseOwner, holder.owner)));
}

/**
 * Stores a page's events and moves the checkpoint past it in one transaction, only while this
 * process holds the lease: a run killed anywhere resumes at the first page not stored, and a page
 * is never stored by two processes. Returns the run as it now stands, or null when the lease is lost.
 */
export async function storePage(
  db: Database,
  at: { run: BackfillRun; stage: BackfillStage; page: BackfillPage },
  now: Date,
  holder: Holder,
): Promise<StoredBackfill | null> {
  const { run, stage, page } = at;
  const stageDone = page.next === null;
  const nextStage = stageDone ? BACKFILL_STAGES[BACKFILL_STAGES.indexOf(stage) + 1] : stage;
  const read = { ...run.read, [stage]: run.read[stage] + page.records };
  const estimated = page.estimatedTotal === null ? run.estimated : { ...run.estimated, [stage]: page.estimatedTotal };
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(crmBackfills)
      .set({
        stage: nextStage ?? stage,
        cursor: stageDone ? null : page.next,
        read,
        estimated,
        readAllAt: nextStage === undefined ? now : null,
        updatedAt: now,
        ...lease(holder, now),
      })
      .where(
        and(eq(crmBackfills.id, run.id), eq(crmBackfills.leaseOwner, holder.owner), eq(crmBackfills.status, 'running')),
      )
      .returning();
    if (!row) return null;
    await storeEvents(tx, run.workspaceId, run.source, page.events);
    return fromRow(row);
  });
}

/** Ends a run: done, or failed with a sentence for the admin. */
export async function finishRun(
  db: Database,
  id: number,
  holder: Holder,
  now: Date,
  outcome: { status: 'done' } | { status: 'failed'; error: string },
): Promise<StoredBackfill | null> {
  const [row] = await db
    .update(crmBackfills)
    .set({
      status: outcome.status,
      error: outcome.status === 'failed' ? outcome.error : null,
      finishedAt: now,
      updatedAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
    })
    .where(and(eq(crmBackfills.id, id), eq(crmBackfills.leaseOwner, holder.owner), eq(crmBackfills.status, 'running')))
    .returning();
  return row ? fromRow(row) : null;
}

/** The newest run per CRM of a workspace. */
export async function latestRuns(db: Database, workspaceId: string): Promise<BackfillRun[]> {
  const rows = await db
    .selectDistinctOn([crmBackfills.source])
    .from(crmBackfills)
    .where(eq(crmBackfills.workspaceId, workspaceId))
    .orderBy(crmBackfills.source, desc(crmBackfills.id));
  return rows.map((row) => fromRow(row).run);
}

/** Backfilled events of this workspace and CRM the processor has not applied yet (waiting ones wait on purpose). */
export async function backfillEventsPending(db: Database, workspaceId: string, source: CrmSource): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${crmEvents}
        where ${crmEvents.status} = 'pending' and ${crmEvents.workspaceId} = ${workspaceId}
          and ${crmEvents.source} = ${source} and ${crmEvents.eventId} like ${`${BACKFILL_EVENT_PREFIX}%`}`,
  );
  return row?.n ?? 0;
}

/** What a run's reporters kept (the Slack message they update), or null. */
export async function loadReporterState(db: Database, runId: number): Promise<unknown> {
  const [row] = await db
    .select({ state: crmBackfills.reporterState })
    .from(crmBackfills)
    .where(eq(crmBackfills.id, runId));
  return row?.state ?? null;
}

export async function saveReporterState(db: Database, runId: number, state: unknown): Promise<void> {
  await db
    .update(crmBackfills)
    .set({ reporterState: state === undefined ? null : state })
    .where(eq(crmBackfills.id, runId));
}
