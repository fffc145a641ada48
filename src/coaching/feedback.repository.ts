import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { coachingFeedback, outbox } from '../db/schema.js';

export interface FeedbackAnswer {
  workspaceId: string;
  userId: string;
  nudgeKey: string;
  rule: string;
  helpful: boolean;
  at: Date;
}

/**
 * Stores a rep's answer to a nudge's prompt: one row per nudge, the last click wins (a retried
 * click writes the same row again). Only the rep the nudge was for can answer it: a nudge that was
 * not decided for them is refused and nothing is stored.
 */
export async function saveFeedback(db: Database, answer: FeedbackAnswer): Promise<'saved' | 'not_found'> {
  const nudge = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      and(
        eq(outbox.workspaceId, answer.workspaceId),
        eq(outbox.key, answer.nudgeKey),
        eq(outbox.kind, 'nudge'),
        eq(outbox.target, answer.userId),
      ),
    )
    .limit(1);
  if (nudge.length === 0) return 'not_found';
  await db
    .insert(coachingFeedback)
    .values({
      workspaceId: answer.workspaceId,
      userId: answer.userId,
      nudgeKey: answer.nudgeKey,
      rule: answer.rule,
      helpful: answer.helpful,
      answeredAt: answer.at,
    })
    .onConflictDoUpdate({
      target: [coachingFeedback.workspaceId, coachingFeedback.userId, coachingFeedback.nudgeKey],
      set: { helpful: sql`excluded.helpful`, rule: sql`excluded.rule`, answeredAt: sql`excluded.answered_at` },
    });
  return 'saved';
}
