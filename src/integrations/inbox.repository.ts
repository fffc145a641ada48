import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { crmEvents } from '../db/schema.js';
import type { CrmEvent, CrmSource } from './crm-event.js';

/** Events are applied per object: a deal's events together, in the order they happened. */
export function objectKeyOf(event: CrmEvent): string {
  switch (event.type) {
    case 'deal.upsert':
    case 'deal.delete':
      return `${DEAL_PREFIX}${event.dealId}`;
    case 'lead.create':
      return `lead:${event.leadId}`;
    case 'activity':
      return `activity:${event.eventId}`;
    case 'activity.upsert':
    case 'activity.delete':
      return `${ACTIVITY_RECORD_PREFIX}${event.activityId}`;
  }
}

const ACTIVITY_RECORD_PREFIX = 'crm-activity:';
const DEAL_PREFIX = 'deal:';

/** Whether an inbox object is a CRM activity record (a call, meeting…), which nothing else reads. */
export function isActivityRecordKey(object: { objectKey: string } | undefined): boolean {
  return object?.objectKey.startsWith(ACTIVITY_RECORD_PREFIX) ?? false;
}

/** Whether an inbox object is a deal, which no other deal reads (activities and leads come after it). */
export function isDealKey(object: { objectKey: string } | undefined): boolean {
  return object?.objectKey.startsWith(DEAL_PREFIX) ?? false;
}

const DATE_FIELDS = new Set(['occurredAt', 'createdAt', 'closedAt', 'mqlAt', 'qualifiedAt', 'doneAt']);

/** Events are stored as JSON; their dates come back as Date objects. */
export function reviveEvent(stored: unknown): CrmEvent {
  return JSON.parse(JSON.stringify(stored), (key, value) =>
    DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as CrmEvent;
}

/**
 * Stores a batch once per event id, in one statement: all or nothing. Returns how many were new;
 * the rest had been stored before (a CRM retry or a duplicate delivery).
 */
export async function storeEvents(
  db: Database,
  workspaceId: string,
  source: CrmSource,
  events: readonly CrmEvent[],
): Promise<{ stored: number; duplicates: number }> {
  if (events.length === 0) return { stored: 0, duplicates: 0 };
  const rows = events.map((event) => ({
    event_id: event.eventId,
    object_key: objectKeyOf(event),
    occurred_at: event.occurredAt.toISOString(),
    event,
  }));
  // The batch travels as one JSON parameter rather than six per row: building and binding a
  // 600-parameter statement cost more than the insert itself. Rows go in in event-id order, so two
  // deliveries overlapping in their events (a retry racing the original) cannot deadlock.
  const inserted = await queryRows<{ id: number }>(
    db,
    sql`insert into crm_events (workspace_id, source, event_id, object_key, occurred_at, event)
        select ${workspaceId}, ${source}, e.event_id, e.object_key, e.occurred_at, e.event
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as e(event_id text, object_key text, occurred_at timestamptz, event jsonb)
        order by e.event_id
        on conflict do nothing
        returning id`,
  );
  return { stored: inserted.length, duplicates: events.length - inserted.length };
}

export interface InboxObject {
  workspaceId: string;
  source: CrmSource;
  objectKey: string;
}

/**
 * Objects with events not applied yet, oldest first: those of the oldest `limit` such events, so
 * with a backlog (a backfill stores a hundred thousand) the query sorts no more than `limit` rows
 * by object, not every event waiting. The objects further back come in the next calls.
 */
export async function objectsToApply(db: Database, workspaceId: string | null, limit: number): Promise<InboxObject[]> {
  const oldest = db
    .select({
      id: crmEvents.id,
      workspaceId: crmEvents.workspaceId,
      source: crmEvents.source,
      objectKey: crmEvents.objectKey,
    })
    .from(crmEvents)
    .where(
      and(
        inArray(crmEvents.status, ['pending', 'waiting']),
        workspaceId === null ? undefined : eq(crmEvents.workspaceId, workspaceId),
      ),
    )
    .orderBy(crmEvents.id)
    .limit(limit)
    .as('oldest');
  const rows = await db
    .select({ workspaceId: oldest.workspaceId, source: oldest.source, objectKey: oldest.objectKey })
    .from(oldest)
    .groupBy(oldest.workspaceId, oldest.source, oldest.objectKey)
    .orderBy(sql`min(${oldest.id})`);
  return rows.map((r) => ({ ...r, source: r.source as CrmSource }));
}

type StoredEvent = { id: number; event: CrmEvent; applied: boolean };

/** An object's events, all of them (applied ones too), in the order they happened. */
export async function eventsOf(db: Database, o: InboxObject): Promise<StoredEvent[]> {
  return (await eventsOfObjects(db, o, [o.objectKey])).get(o.objectKey) ?? [];
}

/** The events of several objects of one workspace and CRM, in one query: each object's in the order they happened. */
export async function eventsOfObjects(
  db: Database,
  where: { workspaceId: string; source: CrmSource },
  objectKeys: readonly string[],
): Promise<Map<string, StoredEvent[]>> {
  const byObject = new Map<string, StoredEvent[]>();
  if (objectKeys.length === 0) return byObject;
  // Each object's events looked up by the index on (workspace, CRM, object): a plan that does not
  // hang on statistics, which lag behind an inbox a backfill has just filled.
  const rows = await queryRows<{ id: number; objectKey: string; event: unknown; status: string }>(
    db,
    sql`select e.id::float8 as id, e.object_key as "objectKey", e.event, e.status
        from jsonb_array_elements_text(${JSON.stringify(objectKeys)}::jsonb) with ordinality as k(key, n)
        cross join lateral (
          select id, object_key, event, status, occurred_at from ${crmEvents}
          where workspace_id = ${where.workspaceId} and source = ${where.source} and object_key = k.key
          order by occurred_at, id
        ) e
        order by k.n, e.occurred_at, e.id`,
  );
  for (const r of rows) {
    const events = byObject.get(r.objectKey) ?? [];
    events.push({ id: r.id, event: reviveEvent(r.event), applied: r.status === 'applied' });
    byObject.set(r.objectKey, events);
  }
  return byObject;
}

/** Marks the events that were read (not any that arrived meanwhile) as applied, or as waiting. */
export async function markEvents(db: Database, ids: readonly number[], outcome: { waitingFor: string | null }) {
  if (ids.length === 0) return;
  await db
    .update(crmEvents)
    .set({
      status: outcome.waitingFor === null ? 'applied' : 'waiting',
      waitingFor: outcome.waitingFor,
      attempts: sql`${crmEvents.attempts} + 1`,
    })
    .where(inArray(crmEvents.id, [...ids]));
}

/** What is waiting, and why: admins see it with `/kpi crm`. */
export async function waitingSummary(db: Database, workspaceId: string) {
  return db
    .select({ source: crmEvents.source, waitingFor: crmEvents.waitingFor, events: sql<number>`count(*)::int` })
    .from(crmEvents)
    .where(and(eq(crmEvents.workspaceId, workspaceId), eq(crmEvents.status, 'waiting')))
    .groupBy(crmEvents.source, crmEvents.waitingFor)
    .orderBy(crmEvents.source, crmEvents.waitingFor);
}

/** After an owner is mapped, that owner's waiting deals are tried again. */
export async function requeueWaiting(db: Database, workspaceId: string, source: string, waitingFor: string) {
  await db
    .update(crmEvents)
    .set({ status: 'pending' })
    .where(
      and(
        eq(crmEvents.workspaceId, workspaceId),
        eq(crmEvents.source, source),
        eq(crmEvents.status, 'waiting'),
        eq(crmEvents.waitingFor, waitingFor),
      ),
    );
}
