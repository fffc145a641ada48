import type { CrmEvent, DealFields } from './crm-event.js';

/**
 * A deal's state is a fold over its events in the order they happened in the CRM. Because it is
 * recomputed from all of them each time, an event that arrives late lands in its place, and one
 * that arrives twice changes nothing.
 */

export type DealStatus = 'open' | 'won' | 'lost';

export interface StageRule {
  won: readonly string[];
  lost: readonly string[];
}

export interface DealState {
  fields: DealFields;
  status: DealStatus;
  deleted: boolean;
  /** When the deal was first heard of: its opening time when the CRM does not say. */
  firstSeenAt: Date;
  /** When it was closed: the CRM's close date, or when it reached won or lost. */
  closedAt: Date | null;
  stageChanges: { from: string | null; to: string; at: Date }[];
}

type DealEvent = Extract<CrmEvent, { type: 'deal.upsert' | 'deal.delete' }>;

export function statusOf(fields: DealFields, rule: StageRule): DealStatus {
  if (fields.status) return fields.status;
  if (fields.stage && rule.won.includes(fields.stage)) return 'won';
  if (fields.stage && rule.lost.includes(fields.stage)) return 'lost';
  return 'open';
}

/** Defined values of `next` win; undefined means "this event does not say". */
export function mergeFields(base: DealFields, next: DealFields): DealFields {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(next)) if (value !== undefined) merged[key] = value;
  return merged as DealFields;
}

export function foldDeal(events: readonly DealEvent[], rule: StageRule): DealState | null {
  const first = events[0];
  if (!first) return null;
  let fields: DealFields = {};
  let deleted = false;
  let status: DealStatus = 'open';
  let reachedCloseAt: Date | null = null;
  const stageChanges: DealState['stageChanges'] = [];
  for (const event of events) {
    if (event.type === 'deal.delete') {
      deleted = true;
      continue;
    }
    deleted = false;
    const before = fields.stage ?? null;
    fields = mergeFields(fields, event.fields);
    if (fields.stage && fields.stage !== before)
      stageChanges.push({ from: before, to: fields.stage, at: event.occurredAt });
    const next = statusOf(fields, rule);
    if (next !== status) reachedCloseAt = next === 'open' ? null : event.occurredAt;
    status = next;
  }
  const closedAt = status === 'open' ? null : (fields.closedAt ?? reachedCloseAt);
  return { fields, status, deleted, firstSeenAt: first.occurredAt, closedAt, stageChanges };
}

/** The fields the KPIs need; if any is unknown after the fold, the CRM's API is asked. */
export function missingFields(fields: DealFields): boolean {
  return fields.amountCents === undefined || fields.stage === undefined || fields.ownerId === undefined;
}
