import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { outbox } from '../db/schema.js';

/** A celebration's outbox key, and its withdrawal when the win is reversed (see `undo.ts`). */

export function celebrationKey(activityId: number): string {
  return `recognition:${activityId}`;
}

/** Withdraws a reversed win's celebration if it has not gone out yet; true when one was withdrawn. */
export async function withdrawCelebration(tx: Database, workspaceId: string, activityId: number): Promise<boolean> {
  const rows = await tx
    .update(outbox)
    .set({ status: 'skipped', lastError: 'the win was reversed before the post went out' })
    .where(
      and(
        eq(outbox.workspaceId, workspaceId),
        eq(outbox.key, celebrationKey(activityId)),
        eq(outbox.status, 'pending'),
      ),
    )
    .returning({ id: outbox.id });
  return rows.length > 0;
}
