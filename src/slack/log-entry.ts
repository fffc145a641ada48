import type { Activity } from '../activities/activities.repository.js';
import { backdatedLabel } from '../activities/activity-day.js';
import type { Database } from '../db/client.js';
import type { ActivityKind } from '../kpi/activity-kinds.js';
import { recordActivityAndCelebrate } from '../recognition/celebrations.js';
import type { Actor } from './actor.js';
import { loggedMessage } from './blocks/log.blocks.js';
import type { SlackMessage } from './blocks/message.js';

/** One entry a rep logs in Slack, whichever way in: `/kpi log`, the modal, a button or a DM. */
export interface SlackEntry {
  kind: ActivityKind;
  quantity: number;
  amountCents: number;
  note: string | null;
  occurredAt: Date;
}

/**
 * Records the entry once per `key` (a retry or double submit returns the first row) with its
 * celebration, and the confirmation with its Undo button. Every way in goes through here, so they
 * all write the same log with the same rules.
 */
export async function logEntry(
  db: Database,
  actor: Pick<Actor, 'member' | 'currency' | 'timezone'>,
  entry: SlackEntry,
  key: string,
  now: Date,
): Promise<{ activity: Activity; created: boolean; message: SlackMessage }> {
  const { member, currency, timezone } = actor;
  const { activity, created } = await recordActivityAndCelebrate(
    db,
    {
      workspaceId: member.workspaceId,
      userId: member.userId,
      ...entry,
      source: 'slack',
      recordedBy: member.userId,
      idempotencyKey: key,
    },
    now,
  );
  // An entry for an earlier day says which: "Logged 12 calls for yesterday."
  const forDay = backdatedLabel(activity.occurredAt, now, timezone);
  return { activity, created, message: loggedMessage(activity, currency, !created, forDay) };
}
