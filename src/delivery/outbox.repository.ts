import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { outbox } from '../db/schema.js';
import type { Block } from '../slack/blocks/message.js';

export type OutboxKind = (typeof outbox.$inferInsert)['kind'];

/** A chart to upload with the post (files.getUploadURLExternal + files.completeUploadExternal). */
export interface ChartAttachment {
  filename: string;
  title: string;
  altText: string;
  /** PNG bytes, base64: the chart is rendered when the post is decided, so a retry sends the same picture. */
  pngBase64: string;
}

export interface OutboxPayload {
  text: string;
  blocks?: Block[];
  chart?: ChartAttachment;
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
  /** Not before this instant (defaults to now). */
  notBefore?: Date;
  /** Recorded as decided but not to be sent (a nudge with nothing useful to say). */
  skipped?: boolean;
}

/**
 * Writes posts to the outbox; call it inside the transaction that decides them. Returns the keys
 * that were new, so a caller can tell a first decision from a repeated one.
 */
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
        ...(p.notBefore ? { notBefore: p.notBefore } : {}),
      })),
    )
    .onConflictDoNothing({ target: [outbox.workspaceId, outbox.key] })
    .returning({ key: outbox.key });
  return rows.map((r) => r.key);
}

/** Whether a post with this key was ever decided (sent, pending or skipped). */
export async function isDecided(db: Database, workspaceId: string, key: string): Promise<boolean> {
  const rows = await queryRows(
    db,
    sql`select 1 from ${outbox} where ${outbox.workspaceId} = ${workspaceId} and ${outbox.key} = ${key} limit 1`,
  );
  return rows.length > 0;
}
