import { and, asc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { boardSubscriptions, contests, outbox } from '../db/schema.js';
import type { Block } from '../lib/slack-text.js';

export type OutboxKind = (typeof outbox.$inferInsert)['kind'];

/** A chart to upload with the post (files.getUploadURLExternal + files.completeUploadExternal). */
export interface ChartAttachment {
  filename: string;
  title: string;
  altText: string;
  /** PNG bytes, base64: the chart is rendered when the post is decided, so a retry sends the same picture. */
  pngBase64: string;
}

/** A file shared into the conversation with `text` as its comment (a data export); not kept once sent. */
export interface FileAttachment {
  /** Unique per post: how a resumed delivery recognises the message in history. */
  filename: string;
  title: string;
  contentBase64: string;
}

export interface OutboxPayload {
  text: string;
  blocks?: Block[];
  chart?: ChartAttachment;
  file?: FileAttachment;
}

export interface NewPost {
  workspaceId: string;
  /** Unique per workspace: `kind:target:window`. Deciding the same post twice stores it once. */
  key: string;
  kind: OutboxKind;
  /** A channel id, or a user id for a DM. */
  target: string;
  payload: OutboxPayload;
  subjectUserId?: string | null;
  ref?: { type: string; id: number } | null;
  /** Not before this instant; by default ready at once, whatever the database's own clock says. */
  notBefore?: Date;
  /** Recorded as decided but not to be sent (a nudge with nothing useful to say). */
  skipped?: boolean;
}

/**
 * Writes posts to the outbox; call it inside the transaction that decides them. Returns the keys
 * that were new, so a caller can tell a first decision from a repeated one.
 */
// The epoch, not the database's now(): the deliverer compares with its own clock, which tests and
// `kpi-bot jobs run --now` set, and a decided post must be ready under either.
const READY_AT_ONCE = new Date(0);

export async function enqueuePosts(db: Database, posts: readonly NewPost[]): Promise<string[]> {
  if (posts.length === 0) return [];
  const rows = await db
    .insert(outbox)
    .values(
      posts.map((p) => ({
        workspaceId: p.workspaceId,
        key: p.key,
        kind: p.kind,
        target: p.target,
        payload: p.payload,
        subjectUserId: p.subjectUserId ?? null,
        refType: p.ref?.type ?? null,
        refId: p.ref?.id ?? null,
        status: p.skipped ? ('skipped' as const) : ('pending' as const),
        notBefore: p.notBefore ?? READY_AT_ONCE,
      })),
    )
    .onConflictDoNothing({ target: [outbox.workspaceId, outbox.key] })
    .returning({ key: outbox.key });
  const fresh = rows.map((r) => r.key);
  const toSend = new Set(posts.filter((p) => !p.skipped).map((p) => p.key));
  if (fresh.some((key) => toSend.has(key))) await signalOutbox(db);
  return fresh;
}

/** The NOTIFY channel that wakes every replica's deliverer (see `app.ts`). */
export const OUTBOX_CHANNEL = 'kpi_outbox';

/**
 * Inside the transaction that wrote the posts, PostgreSQL holds the notification until the commit
 * and drops it on a rollback: deliverers wake once the posts can be claimed, never for nothing.
 * Every path that writes posts comes through `enqueuePosts`, so none needs to wake anyone itself.
 */
async function signalOutbox(db: Database): Promise<void> {
  await db.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
}

/** Whether a post with this key was ever decided (sent, pending or skipped). */
export async function isDecided(db: Database, workspaceId: string, key: string): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`select 1 from ${outbox} where ${outbox.workspaceId} = ${workspaceId} and ${outbox.key} = ${key} limit 1`,
  );
  return rows.length > 0;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** A post claimed for sending, with what it was before the claim (to tell a crash from a first try). */
export interface ClaimedPost {
  id: number;
  workspaceId: string;
  key: string;
  kind: OutboxKind;
  target: string;
  payload: OutboxPayload;
  refType: string | null;
  refId: number | null;
  /** Claims so far, this one included. */
  attempts: number;
  lastError: string | null;
  /** `sending` when the replica that held it died (its lease ran out): the post may be in Slack. */
  previousStatus: 'pending' | 'sending';
  /** The previous claim's lease end: with the lease length, when that attempt started. */
  previousLeaseUntil: Date | null;
}

interface ClaimRow extends Record<string, unknown> {
  id: number | string;
  workspace_id: string;
  key: string;
  kind: OutboxKind;
  target: string;
  payload: OutboxPayload | string;
  ref_type: string | null;
  ref_id: number | string | null;
  attempts: number;
  last_error: string | null;
  was: 'pending' | 'sending';
  was_lease: Date | string | null;
}

/**
 * Claims up to `limit` posts that are due: pending ones whose time has come, and ones left
 * `sending` by a replica whose lease ran out. `FOR UPDATE SKIP LOCKED` lets replicas claim side by
 * side without waiting for or taking each other's rows (the condition is checked again on the
 * locked row, as another replica may have claimed it meanwhile).
 *
 * Posts with the most posts behind them in the same conversation come first: a channel's five
 * posts need four seconds at Slack's pace, so they start early and the DMs fill the gaps, rather
 * than trailing at the end of a fan-out.
 */
export async function claimReady(
  db: Database,
  options: { now: Date; workerId: string; leaseMs: number; limit: number; workspaceId?: string },
): Promise<ClaimedPost[]> {
  const { now, workerId, leaseMs, limit, workspaceId } = options;
  const inWorkspace = workspaceId === undefined ? sql`true` : sql`${outbox.workspaceId} = ${workspaceId}`;
  const rows = await queryRows<ClaimRow>(
    db,
    sql`with due as materialized (
          select id,
                 count(*) over (partition by workspace_id, target)
                   - row_number() over (partition by workspace_id, target order by not_before, id) as behind
          from ${outbox}
          where ((status = 'pending' and not_before <= ${ts(now)}) or (status = 'sending' and lease_until < ${ts(now)}))
            and ${inWorkspace}
        ), ready as (
          select o.id, o.status as was, o.lease_until as was_lease
          from ${outbox} o join due using (id)
          where ((o.status = 'pending' and o.not_before <= ${ts(now)}) or (o.status = 'sending' and o.lease_until < ${ts(now)}))
          order by due.behind desc, o.not_before, o.id
          for update of o skip locked
          limit ${limit}
        )
        update ${outbox} o
        set status = 'sending', lease_until = ${ts(new Date(now.getTime() + leaseMs))}, claimed_by = ${workerId},
            attempts = o.attempts + 1
        from ready where o.id = ready.id
        returning o.id, o.workspace_id, o.key, o.kind, o.target, o.payload, o.ref_type, o.ref_id, o.attempts,
                  o.last_error, ready.was, ready.was_lease`,
  );
  return rows
    .map((row) => ({
      id: Number(row.id),
      workspaceId: row.workspace_id,
      key: row.key,
      kind: row.kind,
      target: row.target,
      payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as OutboxPayload) : row.payload,
      refType: row.ref_type,
      refId: row.ref_id === null ? null : Number(row.ref_id),
      attempts: Number(row.attempts),
      lastError: row.last_error,
      previousStatus: row.was,
      previousLeaseUntil: row.was_lease === null ? null : new Date(row.was_lease),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Only the replica holding the claim may settle a post: a stale one (lease lost) changes nothing. */
const heldBy = (post: ClaimedPost, workerId: string) =>
  and(eq(outbox.id, post.id), eq(outbox.status, 'sending'), eq(outbox.claimedBy, workerId));

export async function markSent(
  db: Database,
  post: ClaimedPost,
  workerId: string,
  sent: { channelId: string; messageTs: string | null; at: Date },
): Promise<boolean> {
  const rows = await db
    .update(outbox)
    .set({
      status: 'sent',
      channelId: sent.channelId,
      messageTs: sent.messageTs,
      sentAt: sent.at,
      lastError: null,
      // A sent file (someone's data export) lives in Slack now; the outbox keeps no second copy.
      payload: sql`${outbox.payload} #- '{file,contentBase64}'`,
    })
    .where(heldBy(post, workerId))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

/**
 * Back to `pending` until `notBefore`. `countAttempt: false` for a post that was never tried (a
 * 429, or one handed back at shutdown), so waiting does not use up its retries.
 */
export async function reschedule(
  db: Database,
  post: ClaimedPost,
  workerId: string,
  options: { notBefore: Date; error: string | null; countAttempt: boolean },
): Promise<void> {
  await db
    .update(outbox)
    .set({
      status: 'pending',
      notBefore: options.notBefore,
      ...(options.error === null ? {} : { lastError: options.error }),
      ...(options.countAttempt ? {} : { attempts: sql`${outbox.attempts} - 1` }),
    })
    .where(heldBy(post, workerId));
}

/**
 * Gives up on a post and, in the same transaction, tells whoever set it up: the board subscription
 * or contest records the error, and its creator gets a DM saying what to do.
 */
export async function markFailed(
  db: Database,
  post: ClaimedPost,
  workerId: string,
  failure: { error: string; at: Date; notice: ((createdBy: string) => NewPost) | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(outbox)
      .set({ status: 'failed', lastError: failure.error })
      .where(heldBy(post, workerId))
      .returning({ id: outbox.id });
    if (rows.length === 0 || failure.notice === null || post.refId === null) return;
    const createdBy = await recordErrorOnRef(tx as unknown as Database, post, failure.error, failure.at);
    if (createdBy !== null) await enqueuePosts(tx as unknown as Database, [failure.notice(createdBy)]);
  });
}

async function recordErrorOnRef(db: Database, post: ClaimedPost, error: string, at: Date): Promise<string | null> {
  const refId = post.refId ?? 0;
  if (post.refType === 'board_subscription') {
    const rows = await db
      .update(boardSubscriptions)
      .set({ lastError: error, lastErrorAt: at })
      .where(and(eq(boardSubscriptions.id, refId), eq(boardSubscriptions.workspaceId, post.workspaceId)))
      .returning({ createdBy: boardSubscriptions.createdBy });
    return rows[0]?.createdBy ?? null;
  }
  if (post.refType === 'contest') {
    const rows = await db
      .select({ createdBy: contests.createdBy })
      .from(contests)
      .where(and(eq(contests.id, refId), eq(contests.workspaceId, post.workspaceId)));
    return rows[0]?.createdBy ?? null;
  }
  return null;
}

/** The DM channel (D…) a user's earlier posts landed in, if any: a DM is found in history by it. */
export async function knownDmChannel(db: Database, workspaceId: string, userId: string): Promise<string | null> {
  const rows = await db
    .select({ channelId: outbox.channelId })
    .from(outbox)
    .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.target, userId), sql`${outbox.channelId} like 'D%'`))
    .limit(1);
  return rows[0]?.channelId ?? null;
}

/** When the next pending post falls due (to wake up for it), or null. */
export async function nextDue(db: Database, workspaceId?: string): Promise<Date | null> {
  const inWorkspace = workspaceId === undefined ? sql`true` : sql`${outbox.workspaceId} = ${workspaceId}`;
  const rows = await queryRows<{ due: Date | string | null }>(
    db,
    sql`select min(least(case when status = 'pending' then not_before end, case when status = 'sending' then lease_until end)) as due
        from ${outbox} where status in ('pending', 'sending') and ${inWorkspace}`,
  );
  const due = rows[0]?.due ?? null;
  return due === null ? null : new Date(due);
}

/** Where a post stands, for whoever waits for it (`kpi-bot jobs run`). */
export interface PostState {
  id: number;
  key: string;
  kind: OutboxKind;
  target: string;
  payload: OutboxPayload;
  status: (typeof outbox.$inferSelect)['status'];
  notBefore: Date;
  lastError: string | null;
}

/** The posts a run is about: those due at `at` before it, and (`mark`) everything it writes after. */
export interface RunPosts {
  mark: number;
  due: number[];
  workspaceId: string | null;
}

/** Taken before a run: the posts it will send and the id after which come the ones it decides. */
export async function markRun(db: Database, at: Date, workspaceId: string | null): Promise<RunPosts> {
  const inWorkspace = workspaceId === null ? sql`true` : sql`${outbox.workspaceId} = ${workspaceId}`;
  const [last] = await queryRows<{ id: number | string | null }>(db, sql`select max(id) as id from ${outbox}`);
  const due = await queryRows<{ id: number | string }>(
    db,
    sql`select id from ${outbox} where status = 'pending' and not_before <= ${ts(at)} and ${inWorkspace}`,
  );
  return { mark: Number(last?.id ?? 0), due: due.map((r) => Number(r.id)), workspaceId };
}

/** The run's posts as they stand now, in the order they were decided. */
export async function runPosts(db: Database, run: RunPosts): Promise<PostState[]> {
  const inWorkspace = run.workspaceId === null ? undefined : eq(outbox.workspaceId, run.workspaceId);
  const mine = or(gt(outbox.id, run.mark), run.due.length > 0 ? inArray(outbox.id, run.due) : undefined);
  return db
    .select({
      id: outbox.id,
      key: outbox.key,
      kind: outbox.kind,
      target: outbox.target,
      payload: outbox.payload,
      status: outbox.status,
      notBefore: outbox.notBefore,
      lastError: outbox.lastError,
    })
    .from(outbox)
    .where(and(mine, inWorkspace))
    .orderBy(asc(outbox.id)) as Promise<PostState[]>;
}
