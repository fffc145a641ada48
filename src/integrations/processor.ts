import { and, eq, sql } from 'drizzle-orm';
import { liveDealActivities } from '../activities/activities.repository.js';
import type { Database } from '../db/client.js';
import { customers, dealStageChanges, deals, leads } from '../db/schema.js';
import type { Logger } from '../lib/logger.js';
import type { SlackDirectory } from '../members/slack-directory.js';
import { recordActivityAndCelebrate } from '../recognition/celebrations.js';
import { reverseActivity } from '../recognition/undo.js';
import { applyActivityRecords } from './activity-apply.js';
import type { CrmApi } from './adapter.js';
import { findByExternalId, lock, markFirstResponses, type Outcome, ownerOf, waitOnApi } from './apply-support.js';
import type { CrmConfig } from './crm-config.js';
import type { CrmEvent, CrmSource, DealFields } from './crm-event.js';
import { type DealState, foldDeal, mergeFields, missingFields, statusOf } from './deal-fold.js';
import {
  eventsOf,
  eventsOfObjects,
  type InboxObject,
  isActivityRecordKey,
  isDealKey,
  markEvents,
  objectsToApply,
} from './inbox.repository.js';
import type { OwnerDeps } from './owners.js';

/**
 * Applies stored CRM events: folds each deal's events into the deals table and its stage history,
 * turns a won or lost deal into exactly one outcome entry in the activity log, and records leads
 * and activities. Calls to Slack and the CRM's API happen before the write transaction; the write
 * holds an advisory lock on the object, so two replicas never apply the same deal at once.
 * Anything that cannot be applied yet (an owner not mapped, the CRM API down) waits and is retried.
 */
export interface ProcessorDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  crm: CrmConfig;
  /** The bot's client for a workspace (null when the workspace has no installation). */
  slackFor(workspaceId: string): Promise<SlackDirectory | null>;
  /** The CRM API for a workspace, when credentials are configured (the environment's, or its OAuth grant). */
  apiFor(workspaceId: string, source: CrmSource): CrmApi | null | Promise<CrmApi | null>;
}

/**
 * Activity records applied together, in one transaction: none reads another's result, so a run of
 * them (a backfill stores a hundred thousand) costs a few statements, not a few per record.
 */
const ACTIVITY_RECORDS_AT_ONCE = 200;
/** Deals applied at once, each in its own transaction: each locks only itself, none reads another. */
const DEALS_AT_ONCE = 8;

/** Whether `object` goes with `first`: activity records of one workspace and CRM, or deals. */
const sameRun = (first: InboxObject, object: InboxObject | undefined) =>
  (isActivityRecordKey(first) &&
    isActivityRecordKey(object) &&
    object?.workspaceId === first.workspaceId &&
    object.source === first.source) ||
  (isDealKey(first) && isDealKey(object));

/**
 * Objects are applied oldest first. Leads one at a time (an activity after a lead must find it);
 * consecutive deals several at a time, and consecutive activity records in batches, so a burst of
 * calls or a backfill's ten thousand deals does not queue behind itself. One call takes the objects
 * of the oldest `limit` events waiting: finding them costs a pass over what waits, so a backlog is
 * taken in large steps.
 */
export async function applyPending(deps: ProcessorDeps, workspaceId: string | null, limit = 2000) {
  const objects = await objectsToApply(deps.db, workspaceId, limit);
  let applied = 0;
  let waiting = 0;
  for (let next = 0; next < objects.length; ) {
    const first = objects[next];
    if (!first) break;
    const most = isActivityRecordKey(first) ? ACTIVITY_RECORDS_AT_ONCE : DEALS_AT_ONCE;
    let end = next + 1;
    while (end - next < most && sameRun(first, objects[end])) end++;
    const run = objects.slice(next, end);
    const outcomes = isActivityRecordKey(first)
      ? await applyActivityBatch(deps, first, run)
      : await Promise.all(run.map((object) => applyObject(deps, object)));
    for (const outcome of outcomes) {
      if (outcome.waitingFor === null) applied++;
      else waiting++;
    }
    next = end;
  }
  return { applied, waiting };
}

async function ownerDepsFor(deps: ProcessorDeps, object: InboxObject): Promise<OwnerDeps> {
  return {
    db: deps.db,
    logger: deps.logger,
    slack: await deps.slackFor(object.workspaceId),
    api: await deps.apiFor(object.workspaceId, object.source),
  };
}

/** Activity records of one workspace and CRM: their events read in one query, applied in one transaction. */
async function applyActivityBatch(deps: ProcessorDeps, where: InboxObject, objects: InboxObject[]) {
  const stored = await eventsOfObjects(
    deps.db,
    where,
    objects.map((o) => o.objectKey),
  );
  const records = objects.map((object) => ({ object, rows: stored.get(object.objectKey) ?? [] }));
  return applyActivityRecords(deps, await ownerDepsFor(deps, where), where, records);
}

export async function applyObject(deps: ProcessorDeps, object: InboxObject): Promise<Outcome> {
  if (isActivityRecordKey(object)) {
    const [outcome = { waitingFor: null }] = await applyActivityBatch(deps, object, [object]);
    return outcome;
  }
  const rows = await eventsOf(deps.db, object);
  const ids = rows.map((r) => r.id);
  const events = rows.map((r) => r.event);
  // What this application brings is news only if an event not yet applied came live (a webhook):
  // the past read by a backfill lands quietly, even a win closed an hour ago.
  const announce = rows.some((r) => !r.applied && r.event.backfilled !== true);
  let outcome: Outcome;
  try {
    outcome = await applyEvents(deps, object, events, announce);
  } catch (error) {
    outcome = waitOnApi(error, deps.logger, object.source);
  }
  await markEvents(deps.db, ids, outcome);
  return outcome;
}

async function applyEvents(
  deps: ProcessorDeps,
  object: InboxObject,
  events: CrmEvent[],
  announce: boolean,
): Promise<Outcome> {
  const first = events[0];
  if (!first) return { waitingFor: null };
  const ownerDeps = await ownerDepsFor(deps, object);
  if (first.type === 'activity') return applyActivity(deps, ownerDeps, object, first, announce);
  if (first.type === 'lead.create') return applyLead(deps, ownerDeps, object, first);
  const dealEvents = events.filter((e) => e.type === 'deal.upsert' || e.type === 'deal.delete');
  const state = foldDeal(dealEvents, deps.crm.stages[object.source]);
  if (!state) return { waitingFor: null };
  const dealId = dealEvents[0]?.dealId ?? '';
  return applyDeal(deps, ownerDeps, object, dealId, await enrich(ownerDeps, state, first), announce);
}

/** Fills what the events left unknown from the CRM's API; what the events say wins. */
async function enrich(deps: OwnerDeps, state: DealState, first: CrmEvent): Promise<DealState> {
  if (!deps.api || state.deleted || !missingFields(state.fields) || first.type !== 'deal.upsert') return state;
  const current = (await deps.api.fetchDeals([first.dealId])).get(first.dealId);
  if (!current) return state;
  return { ...state, fields: mergeFields(current, state.fields) };
}

async function applyDeal(
  deps: ProcessorDeps,
  ownerDeps: OwnerDeps,
  object: InboxObject,
  dealId: string,
  state: DealState,
  announce: boolean,
): Promise<Outcome> {
  const { fields } = state;
  const where = { workspaceId: object.workspaceId, source: object.source };
  const ownerUserId = await ownerOf(ownerDeps, where, fields.ownerId ?? null, fields.ownerEmail ?? null);
  const status = statusOf(fields, deps.crm.stages[object.source]);
  const closedAt = status === 'open' ? null : (state.closedAt ?? fields.closedAt ?? state.firstSeenAt);

  await deps.db.transaction(async (tx) => {
    await lock(tx, [object]);
    const customerId = await linkCustomer(tx, where, fields, status, closedAt, ownerUserId);
    const row = {
      ...where,
      externalId: dealId,
      name: fields.name ?? null,
      amountCents: fields.amountCents ?? null,
      stage: fields.stage ?? null,
      status,
      ownerUserId,
      crmOwnerId: fields.ownerId ?? null,
      customerId,
      dealType: fields.dealType ?? null,
      leadSource: fields.leadSource ?? null,
      openedAt: fields.createdAt ?? state.firstSeenAt,
      closedAt,
      deletedAt: state.deleted ? deps.now() : null,
      updatedAt: deps.now(),
    };
    const [saved] = await tx
      .insert(deals)
      .values(row)
      .onConflictDoUpdate({ target: [deals.workspaceId, deals.source, deals.externalId], set: row })
      .returning({ id: deals.id });
    if (!saved) throw new Error('deal upsert returned nothing');
    await tx
      .delete(dealStageChanges)
      .where(and(eq(dealStageChanges.workspaceId, where.workspaceId), eq(dealStageChanges.dealId, saved.id)));
    if (state.stageChanges.length > 0) {
      await tx.insert(dealStageChanges).values(
        state.stageChanges.map((c) => ({
          workspaceId: where.workspaceId,
          dealId: saved.id,
          fromStage: c.from,
          toStage: c.to,
          changedAt: c.at,
        })),
      );
    }
    const desired =
      status !== 'open' && !state.deleted && ownerUserId && closedAt
        ? {
            kind: status === 'won' ? 'deal_won' : 'deal_lost',
            userId: ownerUserId,
            amountCents: fields.amountCents ?? 0,
            occurredAt: closedAt,
          }
        : null;
    await reconcileOutcome(tx, { ...where, dealId, rowId: saved.id }, desired, deps.now(), announce);
  });

  const unmapped = status !== 'open' && !state.deleted && !ownerUserId;
  return { waitingFor: unmapped ? `owner ${fields.ownerId ?? fields.ownerEmail ?? '(none)'}` : null };
}

interface DesiredOutcome {
  kind: string;
  userId: string;
  amountCents: number;
  occurredAt: Date;
}

/**
 * A closed deal stands in the activity log as one `deal_won` or `deal_lost` entry. If the deal
 * changes after that (amount corrected, reopened, reassigned), the standing entry is reversed and,
 * if still closed, a new one appended: the log stays a faithful history and every KPI adds up.
 * The entry's key counts the outcomes before it, so re-applying the same events writes nothing.
 */
async function reconcileOutcome(
  tx: Database,
  deal: { workspaceId: string; source: CrmSource; dealId: string; rowId: number },
  desired: DesiredOutcome | null,
  now: Date,
  announce: boolean,
) {
  const standing = await liveDealActivities(tx, deal.workspaceId, deal.rowId, ['deal_won', 'deal_lost']);
  const matches = (a: (typeof standing)[number]) =>
    desired !== null &&
    a.kind === desired.kind &&
    a.userId === desired.userId &&
    a.amountCents === desired.amountCents &&
    a.occurredAt.getTime() === desired.occurredAt.getTime();
  if (standing.length === 1 && standing.every(matches)) return;
  if (standing.length === 0 && desired === null) return;
  for (const entry of standing) await reverseActivity(tx, entry, now, null);
  if (!desired) return;
  const [{ n } = { n: 0 }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(sql`activities`)
    .where(
      sql`workspace_id = ${deal.workspaceId} and deal_id = ${deal.rowId} and reverses_id is null and kind in ('deal_won', 'deal_lost')`,
    );
  await recordActivityAndCelebrate(
    tx,
    {
      workspaceId: deal.workspaceId,
      userId: desired.userId,
      kind: desired.kind as 'deal_won' | 'deal_lost',
      quantity: 1,
      amountCents: desired.amountCents,
      occurredAt: desired.occurredAt,
      source: deal.source,
      idempotencyKey: `crm:${deal.source}:deal:${deal.dealId}:outcome:${n}`,
      dealId: deal.rowId,
    },
    now,
    { announce },
  );
}

/** A won deal makes its company a customer (from its close date), for retention and lifetime value. */
async function linkCustomer(
  tx: Database,
  where: { workspaceId: string; source: CrmSource },
  fields: DealFields,
  status: 'open' | 'won' | 'lost',
  closedAt: Date | null,
  ownerUserId: string | null,
): Promise<number | null> {
  if (!fields.customerId) return null;
  const key = and(
    eq(customers.workspaceId, where.workspaceId),
    eq(customers.source, where.source),
    eq(customers.externalId, fields.customerId),
  );
  if (status === 'won' && closedAt) {
    await tx
      .insert(customers)
      .values({ ...where, externalId: fields.customerId, ownerUserId, becameCustomerAt: closedAt })
      .onConflictDoUpdate({
        target: [customers.workspaceId, customers.source, customers.externalId],
        set: { becameCustomerAt: sql`least(${customers.becameCustomerAt}, ${closedAt.toISOString()}::timestamptz)` },
      });
  }
  const [row] = await tx.select({ id: customers.id }).from(customers).where(key);
  return row?.id ?? null;
}

async function applyLead(
  deps: ProcessorDeps,
  ownerDeps: OwnerDeps,
  object: InboxObject,
  event: Extract<CrmEvent, { type: 'lead.create' }>,
): Promise<Outcome> {
  const where = { workspaceId: object.workspaceId, source: object.source };
  const ownerUserId = await ownerOf(ownerDeps, where, event.ownerId ?? null, event.ownerEmail ?? null);
  const milestones = { mqlAt: event.mqlAt ?? null, qualifiedAt: event.qualifiedAt ?? null };
  await deps.db
    .insert(leads)
    .values({
      ...where,
      externalId: event.leadId,
      ownerUserId,
      leadSource: event.leadSource ?? null,
      createdAt: event.occurredAt,
      ...milestones,
    })
    .onConflictDoUpdate({
      target: [leads.workspaceId, leads.source, leads.externalId],
      set: {
        ownerUserId: sql`coalesce(${leads.ownerUserId}, excluded.owner_user_id)`,
        mqlAt: sql`coalesce(${leads.mqlAt}, excluded.mql_at)`,
        qualifiedAt: sql`coalesce(${leads.qualifiedAt}, excluded.qualified_at)`,
      },
    });
  return { waitingFor: null };
}

async function applyActivity(
  deps: ProcessorDeps,
  ownerDeps: OwnerDeps,
  object: InboxObject,
  event: Extract<CrmEvent, { type: 'activity' }>,
  announce: boolean,
): Promise<Outcome> {
  const where = { workspaceId: object.workspaceId, source: object.source };
  const { rep } = event;
  const userId = rep.slackUserId ?? (await ownerOf(ownerDeps, where, rep.ownerId ?? null, rep.email ?? null));
  if (!userId) return { waitingFor: `rep ${rep.email ?? rep.ownerId ?? '(none)'}` };
  const deal = event.dealId ? await findByExternalId(deps.db, deals, where, event.dealId) : undefined;
  const lead = event.leadId ? await findByExternalId(deps.db, leads, where, event.leadId) : undefined;
  await recordActivityAndCelebrate(
    deps.db,
    {
      workspaceId: where.workspaceId,
      userId,
      kind: event.kind,
      quantity: event.quantity,
      amountCents: event.amountCents,
      occurredAt: event.occurredAt,
      source: where.source,
      idempotencyKey: `crm:${where.source}:${event.eventId}`,
      note: event.note ?? null,
      dealId: deal?.id ?? null,
      leadId: lead?.id ?? null,
    },
    deps.now(),
    { announce },
  );
  if (lead) await markFirstResponses(deps.db, [{ leadId: lead.id, at: event.occurredAt }]);
  return { waitingFor: null };
}
