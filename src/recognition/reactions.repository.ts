import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { outbox, reactions } from '../db/schema.js';

/**
 * Teammates' reactions to the bot's recognition and kudos posts, kept as a set keyed by (message,
 * reactor, emoji): Slack's retries of `reaction_added` (same event id or a new one) add nothing,
 * and `reaction_removed` deletes the one row.
 */

export interface ReactionRef {
  workspaceId: string;
  channelId: string;
  messageTs: string;
  reactorId: string;
  emoji: string;
}

/** The person a bot post recognises, if the message is one of this workspace's recognition or kudos posts. */
export async function recognisedSubject(
  db: Database,
  where: { workspaceId: string; channelId: string; messageTs: string },
): Promise<string | null> {
  const [post] = await db
    .select({ subjectUserId: outbox.subjectUserId })
    .from(outbox)
    .where(
      and(
        eq(outbox.workspaceId, where.workspaceId),
        eq(outbox.channelId, where.channelId),
        eq(outbox.messageTs, where.messageTs),
        inArray(outbox.kind, ['recognition', 'kudos']),
      ),
    )
    .limit(1);
  return post?.subjectUserId ?? null;
}

/** Adds a counted reaction; true when it was new. */
export async function addReaction(db: Database, ref: ReactionRef, subjectUserId: string, at: Date): Promise<boolean> {
  const rows = await db
    .insert(reactions)
    .values({ ...ref, subjectUserId, reactedAt: at })
    .onConflictDoNothing()
    .returning({ ts: reactions.messageTs });
  return rows.length > 0;
}

/** Removes a reaction; true when one was counted. */
export async function removeReaction(db: Database, ref: ReactionRef): Promise<boolean> {
  const rows = await db
    .delete(reactions)
    .where(
      and(
        eq(reactions.workspaceId, ref.workspaceId),
        eq(reactions.channelId, ref.channelId),
        eq(reactions.messageTs, ref.messageTs),
        eq(reactions.reactorId, ref.reactorId),
        eq(reactions.emoji, ref.emoji),
      ),
    )
    .returning({ ts: reactions.messageTs });
  return rows.length > 0;
}
