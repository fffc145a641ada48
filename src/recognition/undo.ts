import { type Activity, appendReversal, findActivity } from '../activities/activities.repository.js';
import type { Database } from '../db/client.js';
import { withdrawCelebration } from './celebration-key.js';

export type UndoResult =
  | { status: 'undone'; original: Activity; reversal: Activity }
  | { status: 'already_undone'; original: Activity }
  | { status: 'not_found' }
  | { status: 'not_yours'; original: Activity };

/**
 * Reverses an entry by appending its negation. The unique index on `reverses_id` makes a second undo
 * (a double click, a retry, a second device) find the first reversal instead of writing another.
 */
export async function undoActivity(
  db: Database,
  scope: { workspaceId: string; userId: string },
  activityId: number,
  now: Date,
): Promise<UndoResult> {
  const original = await findActivity(db, scope.workspaceId, activityId);
  if (!original || original.reversesId !== null) return { status: 'not_found' };
  if (original.userId !== scope.userId) return { status: 'not_yours', original };
  const reversal = await reverseActivity(db, original, now, scope.userId);
  return reversal ? { status: 'undone', original, reversal } : { status: 'already_undone', original };
}

/**
 * Appends the negation of an entry; null when it was already reversed. Lives above the activity log
 * because a reversed win also takes back its celebration.
 */
export async function reverseActivity(
  db: Database,
  original: Activity,
  now: Date,
  by: string | null,
): Promise<Activity | null> {
  if (original.kind !== 'deal_won') return appendReversal(db, original, now, by);
  // A win undone before its celebration went out takes the post back with it, atomically.
  return db.transaction(async (tx) => {
    const reversal = await appendReversal(tx, original, now, by);
    if (reversal) await withdrawCelebration(tx, original.workspaceId, original.id);
    return reversal;
  });
}
