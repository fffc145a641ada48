import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { activities, crmEvents, dealStageChanges, deals } from '../../src/db/schema.js';
import type { CrmSource } from '../../src/integrations/crm-event.js';
import type { Harness } from './harness.js';

/**
 * Shared pieces of the CRM webhook end-to-end tests: posting a delivery to the app over HTTP, and
 * reading back what the processor made of it (the deal, its stage history, its outcome entries).
 */

export interface WebhookAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** POSTs raw bytes to `<h.url><path>` with these headers; the body is sent exactly as given. */
export async function postWebhook(
  h: Harness,
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<WebhookAnswer> {
  const res = await fetch(`${h.url}${path}`, { method: 'POST', headers, body: new Uint8Array(Buffer.from(body)) });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** The JSON answer of a CRM that only looks at the status (HubSpot, Pipedrive). */
export function jsonOf(answer: WebhookAnswer): { status: number; body: unknown } {
  return { status: answer.status, body: JSON.parse(answer.text) };
}

/** A Slack member `users.lookupByEmail` finds: how CRM owners are matched to people. */
export function addRep(h: Harness, id: string, email: string, name: string): void {
  h.fake.addUser({ id, teamId: h.teamId, name: name.toLowerCase(), displayName: name, email, tz: 'UTC' });
}

/** Milliseconds since the epoch of an ISO time, for payloads that carry times as numbers. */
export const ms = (iso: string): number => Date.parse(iso);

/** Everything the processor wrote about one CRM deal: the row, its stage history, its outcome entries. */
export async function dealRecord(h: Harness, source: CrmSource, externalId: string) {
  const { db } = h.database;
  const [deal] = await db
    .select()
    .from(deals)
    .where(and(eq(deals.workspaceId, h.teamId), eq(deals.source, source), eq(deals.externalId, externalId)));
  if (!deal) return { deal: undefined, stages: [], entries: [] };
  const stages = await db
    .select({ from: dealStageChanges.fromStage, to: dealStageChanges.toStage, at: dealStageChanges.changedAt })
    .from(dealStageChanges)
    .where(and(eq(dealStageChanges.workspaceId, h.teamId), eq(dealStageChanges.dealId, deal.id)))
    .orderBy(asc(dealStageChanges.changedAt), asc(dealStageChanges.id));
  const entries = await db
    .select()
    .from(activities)
    .where(and(eq(activities.workspaceId, h.teamId), eq(activities.dealId, deal.id)))
    .orderBy(asc(activities.id));
  return { deal, stages, entries };
}

/** Stage history as `[from, to, ISO time]`, easy to compare exactly. */
export function stageHistory(stages: { from: string | null; to: string; at: Date }[]) {
  return stages.map((s) => [s.from, s.to, s.at.toISOString()]);
}

/** An outcome entry as the fields that matter, with its time as ISO text. */
export function entrySummary(e: typeof activities.$inferSelect) {
  return {
    kind: e.kind,
    userId: e.userId,
    quantity: e.quantity,
    amountCents: e.amountCents,
    occurredAt: e.occurredAt.toISOString(),
    source: e.source,
    reverses: e.reversesId,
  };
}

/** What the entries of a deal add up to: zero for a deal whose outcome was taken back. */
export function netOf(entries: readonly (typeof activities.$inferSelect)[]) {
  return entries.reduce(
    (sum, e) => ({ quantity: sum.quantity + e.quantity, amountCents: sum.amountCents + e.amountCents }),
    { quantity: 0, amountCents: 0 },
  );
}

/** How many events the inbox holds for this workspace: unchanged after a refused request. */
export async function storedEventCount(h: Harness): Promise<number> {
  const [row] = await h.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(crmEvents)
    .where(eq(crmEvents.workspaceId, h.teamId));
  return row?.n ?? 0;
}

/** The inbox rows of this workspace whose event id is one of these, in id order. */
export async function inboxRows(h: Harness, source: CrmSource, eventIds: readonly string[]) {
  return h.database.db
    .select({
      eventId: crmEvents.eventId,
      status: crmEvents.status,
      waitingFor: crmEvents.waitingFor,
      attempts: crmEvents.attempts,
    })
    .from(crmEvents)
    .where(
      and(eq(crmEvents.workspaceId, h.teamId), eq(crmEvents.source, source), inArray(crmEvents.eventId, [...eventIds])),
    )
    .orderBy(asc(crmEvents.id));
}
