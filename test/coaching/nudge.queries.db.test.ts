import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSignals, unhelpfulRules } from '../../src/coaching/nudge.queries.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { activities, coachingFeedback, deals, leads } from '../../src/db/schema.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

const NOW = new Date('2026-11-25T14:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 24 * 60 * 60 * 1000);

describeDb('nudge signals: a workspace’s reps in a few grouped queries', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  async function lead(workspaceId: string, externalId: string, fields: Partial<typeof leads.$inferInsert> = {}) {
    const [row] = await database.db
      .insert(leads)
      .values({ workspaceId, source: 'crm', externalId, ownerUserId: 'UA', createdAt: daysAgo(10), ...fields })
      .returning({ id: leads.id });
    return row?.id ?? 0;
  }

  async function touch(workspaceId: string, leadId: number, at: Date, key: string) {
    await database.db.insert(activities).values({
      workspaceId,
      userId: 'UA',
      kind: 'email',
      quantity: 1,
      occurredAt: at,
      source: 'crm',
      idempotencyKey: key,
      leadId,
    });
  }

  it('counts prospects touched once, two days or more ago, and not since', async () => {
    const ws = newWorkspaceId();
    const once = await lead(ws, 'once', { firstResponseAt: daysAgo(9) });
    await touch(ws, once, daysAgo(3), 'a1');
    const justNow = await lead(ws, 'recent', { firstResponseAt: daysAgo(9) });
    await touch(ws, justNow, daysAgo(1.9), 'b1');
    const twice = await lead(ws, 'twice', { firstResponseAt: daysAgo(9) });
    await touch(ws, twice, daysAgo(5), 'c1');
    await touch(ws, twice, daysAgo(4), 'c2');
    const qualified = await lead(ws, 'qualified', { firstResponseAt: daysAgo(9), qualifiedAt: daysAgo(8) });
    await touch(ws, qualified, daysAgo(5), 'd1');
    const stale = await lead(ws, 'stale', { createdAt: daysAgo(40), firstResponseAt: daysAgo(39) });
    await touch(ws, stale, daysAgo(30), 'e1');

    const signals = (await loadSignals(database.db, ws, NOW))('UA');
    expect(signals.singleTouchProspects).toBe(1);
    expect(signals.leadsWaiting.count).toBe(0);
    expect(signals.openPipelineCents).toBeNull();
  });

  it('counts leads still waiting for a first reply, and the open pipeline once the workspace has deals', async () => {
    const ws = newWorkspaceId();
    await lead(ws, 'w1', { createdAt: daysAgo(2) });
    await lead(ws, 'answered', { createdAt: daysAgo(2), firstResponseAt: daysAgo(1) });
    await lead(ws, 'converted', { createdAt: daysAgo(2), dealId: 1 });
    await lead(ws, 'other', { createdAt: daysAgo(2), ownerUserId: 'UB' });
    const deal = (externalId: string, status: 'open' | 'won', amountCents: number, ownerUserId = 'UA') => ({
      workspaceId: ws,
      source: 'crm',
      externalId,
      status,
      amountCents,
      ownerUserId,
      openedAt: daysAgo(20),
    });
    await database.db
      .insert(deals)
      .values([deal('d1', 'open', 400_000), deal('d2', 'open', 100_000), deal('d3', 'won', 900_000)]);

    const of = await loadSignals(database.db, ws, NOW);
    expect(of('UA')).toEqual({
      leadsWaiting: { count: 1, oldestMinutes: 2 * 24 * 60 },
      singleTouchProspects: 0,
      openPipelineCents: 500_000,
    });
    expect(of('UB').leadsWaiting.count).toBe(1);
    // A rep without a deal in a workspace that has deals has an empty pipeline, not an unknown one.
    expect(of('UC').openPipelineCents).toBe(0);
  });

  describe('unhelpfulRules', () => {
    it('returns the rules each rep marked unhelpful since the given instant, in this workspace only', async () => {
      const ws = newWorkspaceId();
      const answer = (workspaceId: string, nudgeKey: string, rule: string, helpful: boolean, at: Date) => ({
        workspaceId,
        userId: 'UA',
        nudgeKey,
        rule,
        helpful,
        answeredAt: at,
      });
      await database.db
        .insert(coachingFeedback)
        .values([
          answer(ws, 'n1', 'low_reach', false, daysAgo(3)),
          answer(ws, 'n2', 'low_pass', true, daysAgo(2)),
          answer(ws, 'n3', 'leads_waiting', false, daysAgo(20)),
          answer(newWorkspaceId(), 'n4', 'no_follow_up', false, daysAgo(1)),
        ]);
      const rules = await unhelpfulRules(database.db, ws, daysAgo(14));
      expect([...rules.entries()].map(([u, r]) => [u, [...r]])).toEqual([['UA', ['low_reach']]]);
    });
  });
});
