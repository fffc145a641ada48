import { connect } from 'node:net';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { activities, crmEvents, dealStageChanges, deals } from '../../src/db/schema.js';
import type { CrmSource } from '../../src/integrations/crm-event.js';
import { signStandardWebhook } from '../../src/integrations/generic/signature.js';
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

export interface ChunkedAnswer {
  /** The status line the server sent, if any (e.g. 'HTTP/1.1 413 Payload Too Large'). */
  statusLine: string | null;
  /** Body bytes the client managed to send before the server stopped reading or closed. */
  sent: number;
  /** A socket error the client saw (ECONNRESET, EPIPE), or null for a clean exchange. */
  error: string | null;
}

/**
 * POSTs `total` bytes in `chunkSize` chunks with `Transfer-Encoding: chunked` (no Content-Length)
 * over a raw socket, as a streaming CRM client does, then reads the answer until the server closes.
 * Sending stops early when the server closes, so an endless body can be measured too.
 */
export function postChunked(
  h: Harness,
  path: string,
  total: number,
  headers: Record<string, string> = {},
  chunkSize = 64 * 1024,
): Promise<ChunkedAnswer> {
  const { hostname, port } = new URL(h.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let sent = 0;
    let error: string | null = null;
    let closed = false;
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      closed = true;
      const text = Buffer.concat(received).toString('latin1');
      resolve({ statusLine: text ? (text.split('\r\n')[0] ?? null) : null, sent, error });
    });
    socket.on('connect', async () => {
      const head = Object.entries({ 'content-type': 'application/json', ...headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n${head}\r\n`,
      );
      const chunk = Buffer.alloc(chunkSize, 'x');
      while (sent < total && !closed) {
        const size = Math.min(chunkSize, total - sent);
        const ok =
          socket.write(`${size.toString(16)}\r\n`) && socket.write(chunk.subarray(0, size)) && socket.write('\r\n');
        sent += size;
        if (!ok) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
      if (!closed) socket.write('0\r\n\r\n');
    });
  });
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

/** POSTs a signed generic-format webhook (Standard Webhooks) and returns the HTTP status. */
export async function sendGenericWebhook(h: Harness, id: string, body: unknown, secret: string): Promise<number> {
  const text = JSON.stringify(body);
  const timestamp = Math.floor(h.clock.now.getTime() / 1000);
  const res = await fetch(`${h.url}/webhooks/generic`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, id, timestamp, text),
    },
    body: text,
  });
  return res.status;
}

/** Every log entry one CRM activity record made (reversals included), oldest first. */
export async function crmActivityEntries(h: Harness, source: CrmSource, externalId: string) {
  const { db } = h.database;
  const originals = await db
    .select()
    .from(activities)
    .where(
      and(eq(activities.workspaceId, h.teamId), eq(activities.source, source), eq(activities.externalId, externalId)),
    )
    .orderBy(asc(activities.id));
  const ids = originals.map((a) => a.id);
  const reversals =
    ids.length === 0
      ? []
      : await db
          .select()
          .from(activities)
          .where(and(eq(activities.workspaceId, h.teamId), inArray(activities.reversesId, ids)))
          .orderBy(asc(activities.id));
  return [...originals, ...reversals].sort((a, b) => a.id - b.id);
}

/** What entries add up to per kind, leaving out kinds that net to zero. */
export function netByKind(entries: readonly (typeof activities.$inferSelect)[]): Record<string, number> {
  const net: Record<string, number> = {};
  for (const e of entries) net[e.kind] = (net[e.kind] ?? 0) + e.quantity;
  return Object.fromEntries(Object.entries(net).filter(([, n]) => n !== 0));
}
