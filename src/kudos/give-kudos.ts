import type { Database } from '../db/client.js';
import { enqueuePosts } from '../delivery/outbox.repository.js';
import { kudosMessage, privateKudosMessage } from '../slack/blocks/kudos.blocks.js';
import { countGivenSince, insertKudos, type Kudos, kudosByKey, lockGiver } from './kudos.repository.js';

export interface KudosRequest {
  workspaceId: string;
  giverId: string;
  receiverId: string;
  reason: string;
  /** Where `/kpi kudos` was typed: the thank-you is posted there. */
  channelId: string;
  /** A receiver hidden from public posts gets the thanks by DM instead. */
  receiverOptedOut: boolean;
  now: Date;
  /** The start of the giver's local day: the cap counts from there. */
  dayStart: Date;
  cap: number;
  /** Slack's trigger id: a retried command finds the kudos it already gave. */
  idempotencyKey: string;
}

export type KudosResult =
  | { status: 'given'; kudos: Kudos; givenToday: number }
  | { status: 'repeat'; kudos: Kudos }
  | { status: 'cap_reached'; givenToday: number };

export function kudosPostKey(kudosId: number): string {
  return `kudos:${kudosId}`;
}

/**
 * Gives kudos once per trigger, within the giver's daily cap, and queues its post, all in one
 * transaction. A lock per giver makes two commands typed at once count against the cap in turn.
 */
export async function giveKudos(db: Database, req: KudosRequest): Promise<KudosResult> {
  return db.transaction(async (tx) => {
    await lockGiver(tx, req.workspaceId, req.giverId);
    const earlier = await kudosByKey(tx, req.workspaceId, req.idempotencyKey);
    if (earlier) return { status: 'repeat' as const, kudos: earlier };
    const n = await countGivenSince(tx, req.workspaceId, req.giverId, req.dayStart);
    if (n >= req.cap) return { status: 'cap_reached' as const, givenToday: n };
    const row = await insertKudos(tx, {
      workspaceId: req.workspaceId,
      giverId: req.giverId,
      receiverId: req.receiverId,
      reason: req.reason,
      channelId: req.channelId,
      givenAt: req.now,
      idempotencyKey: req.idempotencyKey,
    });
    const message = { giverId: req.giverId, receiverId: req.receiverId, reason: req.reason };
    await enqueuePosts(tx, [
      {
        workspaceId: req.workspaceId,
        key: kudosPostKey(row.id),
        kind: 'kudos',
        target: req.receiverOptedOut ? req.receiverId : req.channelId,
        payload: req.receiverOptedOut ? privateKudosMessage(message) : kudosMessage(message),
        subjectUserId: req.receiverId,
        ref: { type: 'kudos', id: row.id },
      },
    ]);
    return { status: 'given' as const, kudos: row, givenToday: n + 1 };
  });
}
