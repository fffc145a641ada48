import { and, eq, sql } from 'drizzle-orm';
import { type Activity, type NewActivity, recordActivity } from '../activities/activities.repository.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { activities, deals, outbox } from '../db/schema.js';
import { enqueuePosts } from '../delivery/outbox.repository.js';
import { getSettings } from '../game/settings.js';
import { getMember, workspaceCurrency } from '../members/members.repository.js';
import { recognitionMessage } from '../slack/blocks/recognition.blocks.js';
import { celebrationKey } from './celebration-key.js';

/**
 * Deal celebrations. A won deal is celebrated once, in the workspace's recognition channel, by a post
 * written to the outbox in the transaction that records the win: a retried command or webhook finds
 * the key `recognition:<activity id>` taken and stores nothing more. A win undone before its post
 * went out withdraws the post; one already posted is left as it is (the deal was won when the team
 * cheered, and editing history in the channel would confuse more than it helps).
 */

export type CelebrationOutcome =
  | 'queued'
  | 'not_a_win'
  | 'old_news'
  | 'no_channel'
  | 'opted_out'
  | 'already_celebrated';

/**
 * A win closed longer ago than this is not celebrated: a first CRM sync or a backfill of last
 * year's deals must not flood the channel, while a deal closed on Friday and synced on Monday is.
 */
export const CELEBRATE_WITHIN_MS = 3 * 24 * 60 * 60 * 1000;

/** Call it in the transaction that recorded `activity`, right after a new row was written. */
export async function celebrateWin(tx: Database, activity: Activity, now: Date): Promise<CelebrationOutcome> {
  if (activity.kind !== 'deal_won' || activity.quantity <= 0 || activity.reversesId !== null) return 'not_a_win';
  if (now.getTime() - activity.occurredAt.getTime() > CELEBRATE_WITHIN_MS) return 'old_news';
  const { workspaceId, userId } = activity;
  const [settings, rep, currency] = await Promise.all([
    getSettings(tx, workspaceId),
    getMember(tx, workspaceId, userId),
    workspaceCurrency(tx, workspaceId),
  ]);
  const { channelId, showAmount, showDealName } = settings.recognition;
  if (!channelId) return 'no_channel';
  if (rep?.publicOptOut) return 'opted_out';
  if (activity.dealId !== null && (await dealAlreadyCelebrated(tx, workspaceId, activity.dealId))) {
    return 'already_celebrated';
  }
  const dealName = showDealName ? await dealNameOf(tx, activity) : null;
  await enqueuePosts(tx, [
    {
      workspaceId,
      key: celebrationKey(activity.id),
      kind: 'recognition',
      target: channelId,
      payload: recognitionMessage({
        userId,
        dealName,
        deals: activity.quantity,
        amountCents: showAmount ? activity.amountCents : null,
        currency,
      }),
      subjectUserId: userId,
      ref: { type: 'activity', id: activity.id },
    },
  ]);
  return 'queued';
}

/**
 * Records an activity and, when it is a new win, its celebration, in one transaction: both are
 * stored or neither, and a retry (same idempotency key) finds the win and celebrates nothing more.
 * `announce: false` records it quietly: the past read by a CRM backfill, however recent, is history,
 * not news.
 */
export async function recordActivityAndCelebrate(
  db: Database,
  input: NewActivity,
  now: Date,
  { announce = true }: { announce?: boolean } = {},
): Promise<{ activity: Activity; created: boolean }> {
  if (input.kind !== 'deal_won' || !announce) return recordActivity(db, input);
  return db.transaction(async (tx) => {
    const result = await recordActivity(tx, input);
    if (result.created) await celebrateWin(tx, result.activity, now);
    return result;
  });
}

/** A CRM deal's name; a deal logged in Slack is named by its note (`/kpi log deal won $5k Acme`). */
async function dealNameOf(tx: Database, activity: Activity): Promise<string | null> {
  if (activity.dealId === null) return activity.note;
  const [deal] = await tx
    .select({ name: deals.name })
    .from(deals)
    .where(and(eq(deals.workspaceId, activity.workspaceId), eq(deals.id, activity.dealId)));
  return deal?.name ?? null;
}

/**
 * A CRM correction (amount fixed, owner changed) replaces a deal's won entry with a new one. If the
 * first was already posted (or is being posted), the team has cheered this deal: no second post.
 */
async function dealAlreadyCelebrated(tx: Database, workspaceId: string, dealId: number): Promise<boolean> {
  // From the deal's few entries to their posts by key: both look-ups are index scans.
  const rows = await queryRows(
    tx,
    sql`select 1 from ${activities} a
          join ${outbox} o on o.workspace_id = a.workspace_id and o.key = 'recognition:' || a.id -- celebrationKey
        where a.workspace_id = ${workspaceId} and a.deal_id = ${dealId} and a.kind = 'deal_won'
          and o.status in ('sending', 'sent')
        limit 1`,
  );
  return rows.length > 0;
}
