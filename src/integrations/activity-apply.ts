import {
  type Activity,
  appendReversal,
  liveCrmActivityEntries,
  type NewActivity,
  recordActivities,
} from '../activities/activities.repository.js';
import type { Database } from '../db/client.js';
import { deals, leads } from '../db/schema.js';
import { type ActivityKind, MAX_NOTE_CHARS } from '../kpi/activity-kinds.js';
import type { Logger } from '../lib/logger.js';
import { ACTIVITY_SOURCES, type ActivityMapping, type ActivitySource, kindsFor } from './activity-mapping.js';
import { loadActivityMapping } from './activity-mapping.repository.js';
import { idsByExternalId, lock, markFirstResponses, type Outcome, ownerOf, waitOnApi } from './apply-support.js';
import type { ActivityFields, CrmEvent, CrmSource } from './crm-event.js';
import { type InboxObject, markEvents } from './inbox.repository.js';
import type { OwnerDeps } from './owners.js';

/**
 * Applies a CRM activity record's events (create, change, delete, in any order and any number of
 * times): folds them into the record's current state, maps it to kinds with the workspace's
 * mapping, and makes the log say exactly that. Entries that no longer match are reversed, never
 * deleted; the new ones are keyed by the newest inbox event they were computed from, so applying the
 * same events again writes nothing and any later event (even one arriving out of order) gets new keys.
 *
 * Records are applied many at a time (a backfill stores a hundred thousand): the mapping, owners,
 * deals and leads are looked up once for all of them, their new entries go in as one statement, and
 * everything (entries, reversals, the events marked) is written in one transaction, so a failure
 * anywhere leaves every event of the batch pending, to be applied again with the same keys.
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

/** What turning records into entries looks up, once for a whole batch. */
interface Lookups {
  mapping: ActivityMapping;
  /** The Slack user of a CRM owner, resolved once per owner. */
  owner(fields: ActivityFields): Promise<string | null>;
  deals: Map<string, number>;
  leads: Map<string, number>;
}

async function lookupsFor(
  db: Database,
  ownerDeps: OwnerDeps,
  where: { workspaceId: string; source: ActivitySource },
  states: readonly ActivityState[],
): Promise<Lookups> {
  const owners = new Map<string, Promise<string | null>>();
  const named = (key: 'dealId' | 'leadId') => states.flatMap((s) => s.fields[key] ?? []);
  return {
    mapping: await loadActivityMapping(db, where.workspaceId, where.source),
    owner({ ownerId = null, ownerEmail = null }) {
      const key = JSON.stringify([ownerId, ownerEmail]);
      let userId = owners.get(key);
      if (!userId) {
        userId = ownerOf(ownerDeps, where, ownerId, ownerEmail);
        owners.set(key, userId);
      }
      return userId;
    },
    deals: await idsByExternalId(db, deals, where, named('dealId')),
    leads: await idsByExternalId(db, leads, where, named('leadId')),
  };
}

/** The entries the record should stand for, or the owner it waits for. */
async function desiredEntries(lookups: Lookups, state: ActivityState): Promise<Desired[] | Outcome> {
  const { fields } = state;
  const kinds = state.deleted ? [] : kindsFor(fields, lookups.mapping);
  if (kinds.length === 0) return [];
  const userId = await lookups.owner(fields);
  if (!userId) return { waitingFor: `owner ${fields.ownerId ?? fields.ownerEmail ?? '(none)'}` };
  const dealId = fields.dealId ? (lookups.deals.get(fields.dealId) ?? null) : null;
  const leadId = fields.leadId ? (lookups.leads.get(fields.leadId) ?? null) : null;
  const occurredAt = fields.doneAt ?? state.lastEventAt;
  return kinds.map((kind) => ({ kind, userId, occurredAt, dealId, leadId }));
}

/** One activity record's stored events, applied ones too, in the order they happened. */
export interface StoredRecord {
  object: InboxObject;
  rows: readonly { id: number; event: CrmEvent }[];
}

/** A record with what it should stand for, ready to be written. */
interface Ready {
  object: InboxObject;
  state: ActivityState;
  desired: Desired[];
  /** The newest inbox event the entries were computed from. */
  generation: number;
}

/** Records whose events leave fields out are completed from the CRM's API, this many reads at once. */
const API_READS_AT_ONCE = 4;

/**
 * Applies activity records of one workspace and CRM: their events folded and mapped, the log made
 * to say it, their events marked applied or waiting, all in one transaction. Returns each record's
 * outcome, in order. A CRM API failure makes only the records that needed the API wait.
 */
export async function applyActivityRecords(
  deps: { db: Database; now: () => Date; logger: Logger },
  ownerDeps: OwnerDeps,
  where: { workspaceId: string; source: CrmSource },
  records: readonly StoredRecord[],
): Promise<Outcome[]> {
  const source = ACTIVITY_SOURCES.find((s) => s === where.source);
  const waitOn = (error: unknown) => waitOnApi(error, deps.logger, where.source);
  /** The record's state, or why it waits; null when there is nothing to write (or no mapping for its CRM). */
  const stateOf = async (record: StoredRecord): Promise<ActivityState | Outcome | null> => {
    const folded = foldActivity(record.rows.map((r) => r.event).filter(isActivityEvent));
    if (!folded || !source) return null;
    const state = await currentState(ownerDeps, folded).catch(waitOn);
    return typeof state === 'string' ? { waitingFor: `${source} ${state}` } : state;
  };
  const states: (ActivityState | Outcome | null)[] = [];
  for (let i = 0; i < records.length; i += API_READS_AT_ONCE) {
    states.push(...(await Promise.all(records.slice(i, i + API_READS_AT_ONCE).map(stateOf))));
  }
  const isState = (s: ActivityState | Outcome | null | undefined): s is ActivityState => !!s && 'activityId' in s;
  const outcomes: Outcome[] = states.map((s) => (s && !isState(s) ? s : { waitingFor: null }));
  const ready: Ready[] = [];
  if (source) {
    const lookups = await lookupsFor(deps.db, ownerDeps, { ...where, source }, states.filter(isState));
    for (const [i, { object, rows }] of records.entries()) {
      const state = states[i];
      if (!isState(state)) continue;
      const desired = await desiredEntries(lookups, state).catch(waitOn);
      if (!Array.isArray(desired)) outcomes[i] = desired;
      else ready.push({ object, state, desired, generation: Math.max(...rows.map((r) => r.id)) });
    }
  }
  await deps.db.transaction(async (tx) => {
    await lock(
      tx,
      ready.map((r) => r.object),
    );
    await writeEntries(tx, where, ready, deps.now());
    await markFirstResponses(
      tx,
      ready.flatMap(({ desired: [first] }) => (first?.leadId ? [{ leadId: first.leadId, at: first.occurredAt }] : [])),
    );
    const byOutcome = new Map<string | null, number[]>();
    for (const [i, record] of records.entries()) {
      const waitingFor = outcomes[i]?.waitingFor ?? null;
      byOutcome.set(waitingFor, [...(byOutcome.get(waitingFor) ?? []), ...record.rows.map((r) => r.id)]);
    }
    for (const [waitingFor, ids] of byOutcome) await markEvents(tx, ids, { waitingFor });
  });
  return outcomes;
}

/**
 * Makes the log say what the records should stand for: entries that no longer match are reversed,
 * the new ones inserted, all of the batch's in one statement.
 */
async function writeEntries(
  tx: Database,
  where: { workspaceId: string; source: CrmSource },
  records: readonly Ready[],
  now: Date,
) {
  if (records.length === 0) return;
  const ids = records.map((r) => r.state.activityId);
  const standing = new Map<string, Activity[]>();
  for (const entry of await liveCrmActivityEntries(tx, where.workspaceId, where.source, ids)) {
    standing.set(entry.externalId ?? '', [...(standing.get(entry.externalId ?? '') ?? []), entry]);
  }
  const inserts: NewActivity[] = [];
  for (const { state, desired, generation } of records) {
    const stands = standing.get(state.activityId) ?? [];
    if (matches(stands, desired)) continue;
    for (const entry of stands) await appendReversal(tx, entry, now, null);
    // What the new entries replace is in their key too: the same events applied again with a different
    // result (an API read or the mapping changed meanwhile) still get fresh keys.
    const replaces = stands.length > 0 ? Math.min(...stands.map((a) => a.id)) : 0;
    const note = state.fields.subject?.slice(0, MAX_NOTE_CHARS) ?? null;
    for (const d of desired) {
      inserts.push({
        workspaceId: where.workspaceId,
        userId: d.userId,
        kind: d.kind,
        quantity: 1,
        amountCents: 0,
        occurredAt: d.occurredAt,
        source: where.source,
        idempotencyKey: `crm:${where.source}:activity:${state.activityId}:${generation}.${replaces}:${d.kind}`,
        note,
        dealId: d.dealId,
        leadId: d.leadId,
        externalId: state.activityId,
      });
    }
  }
  await recordActivities(tx, inserts);
}
