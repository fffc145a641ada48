import {
  type Activity,
  appendReversal,
  liveCrmActivityEntries,
  recordActivity,
} from '../activities/activities.repository.js';
import type { Database } from '../db/client.js';
import { deals, leads } from '../db/schema.js';
import { type ActivityKind, MAX_NOTE_CHARS } from '../kpi/activity-kinds.js';
import { ACTIVITY_SOURCES, type ActivitySource, kindsFor } from './activity-mapping.js';
import { loadActivityMapping } from './activity-mapping.repository.js';
import { findByExternalId, lock, markFirstResponse, ownerOf } from './apply-support.js';
import type { ActivityFields, CrmEvent } from './crm-event.js';
import type { InboxObject } from './inbox.repository.js';
import type { OwnerDeps } from './owners.js';

/**
 * Applies a CRM activity record's events (create, change, delete, in any order and any number of
 * times): folds them into the record's current state, maps it to kinds with the workspace's
 * mapping, and makes the log say exactly that. Entries that no longer match are reversed, never
 * deleted; the new ones are keyed by the newest inbox event they were computed from, so applying the
 * same events again writes nothing and any later event (even one arriving out of order) gets new keys.
 */

type ActivityEvent = Extract<CrmEvent, { type: 'activity.upsert' | 'activity.delete' }>;

export interface ActivityState {
  activityId: string;
  fields: ActivityFields;
  deleted: boolean;
  /** When the newest event happened: the time of a record that says none. */
  lastEventAt: Date;
}

/** Later events win field by field; a delete hides the record until a later event restores it. */
export function foldActivity(events: readonly ActivityEvent[]): ActivityState | null {
  const [first] = events;
  if (!first) return null;
  const state: ActivityState = {
    activityId: first.activityId,
    fields: {},
    deleted: false,
    lastEventAt: first.occurredAt,
  };
  for (const event of events) {
    state.lastEventAt = event.occurredAt;
    if (event.type === 'activity.delete') state.deleted = true;
    else {
      state.deleted = false;
      state.fields = { ...state.fields, ...definedOnly(event.fields) };
    }
  }
  return state;
}

function definedOnly(fields: ActivityFields): ActivityFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as ActivityFields;
}

/** What mapping and attributing need; a webhook that leaves any of it out sends us to the API. */
export function missingActivityFields(fields: ActivityFields): boolean {
  const { type, done, doneAt, ownerId, ownerEmail, dealId, leadId, outcome } = fields;
  return [type, done, doneAt, dealId, leadId, outcome].includes(undefined) || (!ownerId && !ownerEmail);
}

export function isActivityEvent(event: CrmEvent): event is ActivityEvent {
  return event.type === 'activity.upsert' || event.type === 'activity.delete';
}

interface Desired {
  kind: ActivityKind;
  userId: string;
  occurredAt: Date;
  dealId: number | null;
  leadId: number | null;
}

const sameEntry = (a: Activity, d: Desired) =>
  a.kind === d.kind &&
  a.userId === d.userId &&
  a.occurredAt.getTime() === d.occurredAt.getTime() &&
  a.dealId === d.dealId &&
  a.leadId === d.leadId;

/** Whether the standing entries are exactly the desired ones (as multisets). */
function matches(standing: readonly Activity[], desired: readonly Desired[]): boolean {
  if (standing.length !== desired.length) return false;
  const left = [...standing];
  return desired.every((d) => {
    const i = left.findIndex((a) => sameEntry(a, d));
    return i >= 0 && left.splice(i, 1).length === 1;
  });
}

/**
 * The record as it stands: its events folded, with what they leave out read from the CRM's API.
 * A string says what it waits for: without an API, a record that names neither type nor owner.
 */
async function currentState(ownerDeps: OwnerDeps, state: ActivityState): Promise<ActivityState | string> {
  if (state.deleted || !missingActivityFields(state.fields)) return state;
  const api = ownerDeps.api;
  if (!api?.fetchActivity) {
    const { type, ownerId, ownerEmail } = state.fields;
    return type && (ownerId || ownerEmail) ? state : 'API credentials, to read activity records';
  }
  const current = await api.fetchActivity(state.activityId, state.lastEventAt);
  // A record the CRM no longer has counts as nothing, even before its deletion event arrives.
  return current ? { ...state, fields: { ...current, ...definedOnly(state.fields) } } : { ...state, deleted: true };
}

/** The entries the record should stand for, or the owner it waits for. */
async function desiredEntries(
  deps: { db: Database },
  ownerDeps: OwnerDeps,
  where: { workspaceId: string; source: ActivitySource },
  state: ActivityState,
): Promise<Desired[] | { waitingFor: string }> {
  const { fields } = state;
  const kinds = state.deleted
    ? []
    : kindsFor(fields, await loadActivityMapping(deps.db, where.workspaceId, where.source));
  if (kinds.length === 0) return [];
  const userId = await ownerOf(ownerDeps, where, fields.ownerId ?? null, fields.ownerEmail ?? null);
  if (!userId) return { waitingFor: `owner ${fields.ownerId ?? fields.ownerEmail ?? '(none)'}` };
  const deal = fields.dealId ? await findByExternalId(deps.db, deals, where, fields.dealId) : undefined;
  const lead = fields.leadId ? await findByExternalId(deps.db, leads, where, fields.leadId) : undefined;
  const occurredAt = fields.doneAt ?? state.lastEventAt;
  return kinds.map((kind) => ({ kind, userId, occurredAt, dealId: deal?.id ?? null, leadId: lead?.id ?? null }));
}

export async function applyActivityRecord(
  deps: { db: Database; now: () => Date },
  ownerDeps: OwnerDeps,
  object: InboxObject,
  events: readonly CrmEvent[],
  newestInboxId: number,
): Promise<{ waitingFor: string | null }> {
  const source = ACTIVITY_SOURCES.find((s) => s === object.source);
  const folded = foldActivity(events.filter(isActivityEvent));
  if (!folded || !source) return { waitingFor: null };
  const state = await currentState(ownerDeps, folded);
  if (typeof state === 'string') return { waitingFor: `${source} ${state}` };
  const where = { workspaceId: object.workspaceId, source };
  const desired = await desiredEntries(deps, ownerDeps, where, state);
  if (!Array.isArray(desired)) return desired;
  await deps.db.transaction(async (tx) => {
    await lock(tx, object);
    const note = state.fields.subject?.slice(0, MAX_NOTE_CHARS) ?? null;
    await reconcileEntries(tx, { ...where, activityId: state.activityId, note }, desired, newestInboxId, deps.now());
    const first = desired[0];
    if (first?.leadId) await markFirstResponse(tx, first.leadId, first.occurredAt);
  });
  return { waitingFor: null };
}

async function reconcileEntries(
  tx: Database,
  record: { workspaceId: string; source: ActivitySource; activityId: string; note: string | null },
  desired: readonly Desired[],
  generation: number,
  now: Date,
) {
  const standing = await liveCrmActivityEntries(tx, record.workspaceId, record.source, record.activityId);
  if (matches(standing, desired)) return;
  for (const entry of standing) await appendReversal(tx, entry, now, null);
  if (desired.length === 0) return;
  // What the new entries replace is in their key too: the same events applied again with a different
  // result (an API read or the mapping changed meanwhile) still get fresh keys.
  const replaces = standing.length > 0 ? Math.min(...standing.map((a) => a.id)) : 0;
  for (const d of desired) {
    await recordActivity(tx, {
      workspaceId: record.workspaceId,
      userId: d.userId,
      kind: d.kind,
      quantity: 1,
      amountCents: 0,
      occurredAt: d.occurredAt,
      source: record.source,
      idempotencyKey: `crm:${record.source}:activity:${record.activityId}:${generation}.${replaces}:${d.kind}`,
      note: record.note,
      dealId: d.dealId,
      leadId: d.leadId,
      externalId: record.activityId,
    });
  }
}
