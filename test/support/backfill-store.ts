import { asc, eq } from 'drizzle-orm';
import { activities } from '../../src/db/schema.js';
import { BACKFILL_STAGES, type BackfillSource, type BackfillWindow } from '../../src/integrations/backfill/contract.js';
import { storeEvents } from '../../src/integrations/inbox.repository.js';
import { readStage } from './backfill-read.js';
import type { Harness } from './harness.js';

/**
 * A backfill as the engine runs one, without its run table: each page's events stored in the inbox
 * (`storeEvents`) and applied by the app's processor, stage after stage. Returns how many events
 * were new and how many had been stored before.
 */
export async function backfillInto(
  h: Harness,
  source: BackfillSource,
  window: BackfillWindow,
): Promise<{ stored: number; duplicates: number }> {
  const total = { stored: 0, duplicates: 0 };
  for (const stage of BACKFILL_STAGES) {
    const { pages } = await readStage(source, stage, window);
    for (const page of pages) {
      const { stored, duplicates } = await storeEvents(h.database.db, h.teamId, source.source, page.events);
      total.stored += stored;
      total.duplicates += duplicates;
      h.bot.crm.kick(h.teamId);
      await h.bot.crm.idle();
    }
  }
  return total;
}

/** The workspace's whole activity log, reversals included, in order: what "changes nothing" compares. */
export async function activityLog(h: Harness) {
  const rows = await h.database.db
    .select()
    .from(activities)
    .where(eq(activities.workspaceId, h.teamId))
    .orderBy(asc(activities.id));
  return rows.map((a) => ({
    kind: a.kind,
    userId: a.userId,
    quantity: a.quantity,
    amountCents: a.amountCents,
    occurredAt: a.occurredAt.toISOString(),
    externalId: a.externalId,
    dealId: a.dealId,
    leadId: a.leadId,
    reversesId: a.reversesId,
  }));
}
