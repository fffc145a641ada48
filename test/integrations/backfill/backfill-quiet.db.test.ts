import { and, eq } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { activities, outbox } from '../../../src/db/schema.js';
import { getSettings, saveSettings } from '../../../src/game/settings.js';
import type { CrmEvent } from '../../../src/integrations/crm-event.js';
import { storeEvents } from '../../../src/integrations/inbox.repository.js';
import { mapOwner } from '../../../src/integrations/owners.js';
import { applyPending } from '../../../src/integrations/processor.js';
import { describeDb, newWorkspaceId } from '../../support/db.js';
import { seedMember, useTestDatabase } from '../../support/handler.js';
import { offlineProcessor } from '../../support/processor.js';

/**
 * Issue #11 §3, "never flood the channel": what a backfill reads is applied like any event but
 * announced nowhere. Every post the bot makes on its own goes through the outbox (celebrations,
 * contest and board posts, DMs), so "nothing announced" is "nothing queued in the outbox". Contest
 * and board posts are decided by their scheduled jobs from the log, never by an event arriving.
 */

const NOW = new Date('2026-11-18T15:00:00Z');
const HOUR_AGO = new Date(NOW.getTime() - 60 * 60_000);

describeDb('backfilled events land quietly', () => {
  const t = useTestDatabase();
  let workspaceId: string;

  const deps = () => offlineProcessor(t.db, NOW);

  beforeEach(async () => {
    workspaceId = newWorkspaceId();
    await seedMember(t.db, workspaceId, 'UANA', 'rep', NOW);
    await mapOwner(t.db, { workspaceId, source: 'pipedrive' }, 'owner-ana', 'UANA');
    const settings = await getSettings(t.db, workspaceId);
    await saveSettings(t.db, workspaceId, {
      ...settings,
      recognition: { ...settings.recognition, channelId: 'CWINS' },
    });
  });

  const wonDeal = (eventId: string, dealId: string, backfilled: boolean): CrmEvent => ({
    type: 'deal.upsert',
    eventId,
    occurredAt: HOUR_AGO,
    dealId,
    fields: { name: 'Acme', amountCents: 500_000, status: 'won', ownerId: 'owner-ana', closedAt: HOUR_AGO },
    ...(backfilled ? { backfilled: true as const } : {}),
  });

  async function posts() {
    return t.db.select().from(outbox).where(eq(outbox.workspaceId, workspaceId));
  }
  async function entries(kind: string) {
    return t.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, workspaceId), eq(activities.kind, kind)));
  }

  it('records a backfilled win closed an hour ago, a logged win and a call, and queues no post at all', async () => {
    const events: CrmEvent[] = [
      wonDeal('backfill:deal:d1:2026-11-18T14:00:00.000Z', 'd1', true),
      {
        type: 'activity',
        eventId: 'backfill:activity:a1:2026-11-18T14:00:00.000Z',
        occurredAt: HOUR_AGO,
        rep: { slackUserId: 'UANA' },
        kind: 'deal_won',
        quantity: 1,
        amountCents: 100_000,
        backfilled: true,
      },
      {
        type: 'activity.upsert',
        eventId: 'backfill:call:c1:2026-11-18T14:00:00.000Z',
        occurredAt: HOUR_AGO,
        activityId: 'c1',
        fields: { type: 'call', done: true, doneAt: HOUR_AGO, ownerId: 'owner-ana' },
        backfilled: true,
      },
    ];
    await storeEvents(t.db, workspaceId, 'pipedrive', events);
    expect(await applyPending(deps(), workspaceId)).toEqual({ applied: 3, waiting: 0 });
    expect(await entries('deal_won')).toHaveLength(2);
    expect(await entries('call')).toHaveLength(1);
    expect(await posts()).toEqual([]);
  });

  it('celebrates the same win when a webhook brings it, so the quiet is the backfill mark and nothing else', async () => {
    await storeEvents(t.db, workspaceId, 'pipedrive', [wonDeal('webhook-1', 'd2', false)]);
    await applyPending(deps(), workspaceId);
    expect((await posts()).map((p) => p.kind)).toEqual(['recognition']);
  });

  it('celebrates a deal the backfill read open and a webhook then says is won', async () => {
    const open = wonDeal('backfill:deal:d3:2026-11-18T13:00:00.000Z', 'd3', true);
    if (open.type !== 'deal.upsert') throw new Error('a deal event');
    await storeEvents(t.db, workspaceId, 'pipedrive', [
      { ...open, occurredAt: new Date(HOUR_AGO.getTime() - 60_000), fields: { ...open.fields, status: 'open' } },
    ]);
    await applyPending(deps(), workspaceId);
    expect(await posts()).toEqual([]);
    await storeEvents(t.db, workspaceId, 'pipedrive', [wonDeal('webhook-3', 'd3', false)]);
    await applyPending(deps(), workspaceId);
    expect((await posts()).map((p) => p.kind)).toEqual(['recognition']);
  });

  it('writes and posts nothing more when a backfill reads a win a webhook already brought', async () => {
    await storeEvents(t.db, workspaceId, 'pipedrive', [wonDeal('webhook-4', 'd4', false)]);
    await applyPending(deps(), workspaceId);
    await storeEvents(t.db, workspaceId, 'pipedrive', [
      wonDeal('backfill:deal:d4:2026-11-18T14:00:00.000Z', 'd4', true),
    ]);
    await applyPending(deps(), workspaceId);
    expect(await entries('deal_won')).toHaveLength(1);
    expect(await posts()).toHaveLength(1);
  });
});
