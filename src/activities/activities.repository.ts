import { and, desc, eq, inArray, isNull, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { activities } from '../db/schema.js';
import type { ActivityKind } from '../kpi/activity-kinds.js';

export type Activity = typeof activities.$inferSelect;

export interface NewActivity {
  workspaceId: string;
  userId: string;
  kind: ActivityKind;
  quantity: number;
  amountCents: number;
  occurredAt: Date;
  source: string;
  idempotencyKey: string;
  recordedBy?: string | null;
  note?: string | null;
  dealId?: number | null;
  leadId?: number | null;
  /** The CRM activity record this entry stands for. */
  externalId?: string | null;
}

/**
 * Appends an activity once per idempotency key. A retry or a double click with the same key returns
 * the row stored the first time, with `created: false`.
 */
export async function recordActivity(
  db: Database,
  input: NewActivity,
): Promise<{ activity: Activity; created: boolean }> {
  const inserted = await db
    .insert(activities)
    .values(input)
    .onConflictDoNothing({ target: [activities.workspaceId, activities.idempotencyKey] })
    .returning();
  const row = inserted[0];
  if (row) return { activity: row, created: true };
  const existing = await findByKey(db, input.workspaceId, input.idempotencyKey);
  if (!existing) throw new Error('activity vanished after an idempotency conflict');
  return { activity: existing, created: false };
}

/**
 * Appends many entries in one statement, each once per idempotency key: those whose key is taken
 * already are left as they are. Returns how many went in.
 */
export async function recordActivities(db: Database, inputs: readonly NewActivity[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const inserted = await db
    .insert(activities)
    .values([...inputs])
    .onConflictDoNothing({ target: [activities.workspaceId, activities.idempotencyKey] })
    .returning({ id: activities.id });
  return inserted.length;
}

async function findByKey(db: Database, workspaceId: string, key: string): Promise<Activity | undefined> {
  const rows = await db
    .select()
    .from(activities)
    .where(and(eq(activities.workspaceId, workspaceId), eq(activities.idempotencyKey, key)));
  return rows[0];
}

/** An entry of the workspace's log by id, or undefined when it has none by that id. */
export async function findActivity(
  db: Database,
  workspaceId: string,
  activityId: number,
): Promise<Activity | undefined> {
  const rows = await db
    .select()
    .from(activities)
    .where(and(eq(activities.workspaceId, workspaceId), eq(activities.id, activityId)));
  return rows[0];
}

/**
 * Appends the negation of an entry. The unique index on `reverses_id` makes a second reversal (a
 * double click, a retry, a second device) a no-op: it returns null.
 */
export async function appendReversal(
  db: Database,
  original: Activity,
  now: Date,
  by: string | null,
): Promise<Activity | null> {
  const inserted = await db
    .insert(activities)
    .values({
      workspaceId: original.workspaceId,
      userId: original.userId,
      kind: original.kind,
      quantity: -original.quantity,
      amountCents: -original.amountCents,
      // The reversal lands in the same window as the entry, so every window's figures net to zero.
      occurredAt: original.occurredAt,
      recordedAt: now,
      recordedBy: by,
      source: original.source,
      idempotencyKey: `undo:${original.id}`,
      reversesId: original.id,
      dealId: original.dealId,
      leadId: original.leadId,
      note: 'undo',
    })
    .onConflictDoNothing()
    .returning();
  return inserted[0] ?? null;
}

/**
 * Entries that stand, neither a reversal nor reversed, matching `where`, newest first. An undo
 * and a CRM correction both work on these.
 */
async function standing(db: Database, where: SQL | undefined, limit?: number): Promise<Activity[]> {
  const reversal = alias(activities, 'reversal');
  const query = db
    .select({ activity: activities })
    .from(activities)
    .leftJoin(reversal, eq(reversal.reversesId, activities.id))
    .where(and(where, isNull(activities.reversesId), isNull(reversal.id)))
    .orderBy(desc(activities.recordedAt), desc(activities.id));
  const rows = await (limit === undefined ? query : query.limit(limit));
  return rows.map((r) => r.activity);
}

/** A deal's standing entries of these kinds (its won or lost outcome). */
export function liveDealActivities(db: Database, workspaceId: string, dealId: number, kinds: readonly string[]) {
  return standing(
    db,
    and(eq(activities.workspaceId, workspaceId), eq(activities.dealId, dealId), inArray(activities.kind, [...kinds])),
  );
}

/** The standing entries of CRM activity records (by their ids): what an edit or delete in the CRM corrects. */
export function liveCrmActivityEntries(
  db: Database,
  workspaceId: string,
  source: string,
  externalIds: readonly string[],
) {
  return standing(
    db,
    and(
      eq(activities.workspaceId, workspaceId),
      eq(activities.source, source),
      inArray(activities.externalId, [...externalIds]),
    ),
  );
}

/** The rep's newest standing entry typed in Slack: what `/kpi undo` takes back. */
export async function latestUndoable(db: Database, workspaceId: string, userId: string): Promise<Activity | undefined> {
  const [latest] = await standing(
    db,
    and(eq(activities.workspaceId, workspaceId), eq(activities.userId, userId), eq(activities.source, 'slack')),
    1,
  );
  return latest;
}
