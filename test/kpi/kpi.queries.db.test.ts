import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { activities, customers, dealStageChanges, deals, goals, leads, spend } from '../../src/db/schema.js';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import type { DealFacts, KpiFacts, LeadFacts } from '../../src/kpi/facts.js';
import { loadFacts, loadFactsByUser } from '../../src/kpi/kpi.queries.js';
import { type WindowPair, windowPair } from '../../src/kpi/scope.js';
import type { WindowSpec } from '../../src/kpi/windows.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

/**
 * `loadFacts` / `loadFactsByUser` against rows written straight into the tables, at chosen UTC
 * instants. Every expected figure is worked out by hand in the comments next to it.
 *
 * Unless a test says otherwise the window is "last week" in UTC seen from Wed 2026-11-18 15:00Z:
 *   W (current)  = [2026-11-09T00:00Z, 2026-11-16T00:00Z)
 *   P (previous) = [2026-11-02T00:00Z, 2026-11-09T00:00Z)
 */
const NOW = new Date('2026-11-18T15:00:00Z');
const LAST_WEEK = windowPair({ kind: 'last_week' }, NOW, 'UTC');

let handle: DatabaseHandle;
let db: Database;
let seq = 0;
const nextKey = (prefix: string) => `${prefix}-${++seq}`;
const d = (iso: string) => new Date(iso);

function scope(workspaceId: string, userId: string | null, pair: WindowPair = LAST_WEEK) {
  return { workspaceId, userId, ...pair };
}

interface ActivityRow {
  user: string;
  kind: ActivityKind;
  quantity: number;
  amountCents?: number;
  at: string;
  reverses?: number;
  dealId?: number;
  leadId?: number;
}

/** Inserts one activity and returns its id. */
async function act(workspaceId: string, row: ActivityRow): Promise<number> {
  const [inserted] = await db
    .insert(activities)
    .values({
      workspaceId,
      userId: row.user,
      kind: row.kind,
      quantity: row.quantity,
      amountCents: row.amountCents ?? 0,
      occurredAt: d(row.at),
      source: 'slack',
      idempotencyKey: nextKey('act'),
      reversesId: row.reverses ?? null,
      dealId: row.dealId ?? null,
      leadId: row.leadId ?? null,
    })
    .returning({ id: activities.id });
  if (!inserted) throw new Error('insert returned nothing');
  return inserted.id;
}

/** Inserts an activity and the reversal an undo writes: negated, at the same instant. */
async function actUndone(workspaceId: string, row: ActivityRow): Promise<void> {
  const id = await act(workspaceId, row);
  await act(workspaceId, {
    ...row,
    quantity: -row.quantity,
    amountCents: -(row.amountCents ?? 0),
    reverses: id,
  });
}

interface DealRow {
  owner: string | null;
  status: 'open' | 'won' | 'lost';
  opened: string;
  closed?: string;
  amountCents?: number;
  costCents?: number;
  deleted?: string;
  customerId?: number;
  dealType?: 'new_business' | 'upsell' | 'renewal';
}

async function deal(workspaceId: string, row: DealRow): Promise<number> {
  const [inserted] = await db
    .insert(deals)
    .values({
      workspaceId,
      source: 'hubspot',
      externalId: nextKey('deal'),
      ownerUserId: row.owner,
      status: row.status,
      openedAt: d(row.opened),
      closedAt: row.closed ? d(row.closed) : null,
      amountCents: row.amountCents ?? null,
      costCents: row.costCents ?? null,
      deletedAt: row.deleted ? d(row.deleted) : null,
      customerId: row.customerId ?? null,
      dealType: row.dealType ?? null,
    })
    .returning({ id: deals.id });
  if (!inserted) throw new Error('insert returned nothing');
  return inserted.id;
}

async function stage(workspaceId: string, dealId: number, toStage: string, at: string) {
  await db.insert(dealStageChanges).values({ workspaceId, dealId, toStage, changedAt: d(at) });
}

interface LeadRow {
  owner: string | null;
  created: string;
  responded?: string;
  mql?: string;
  qualified?: string;
  dealId?: number;
}

async function lead(workspaceId: string, row: LeadRow): Promise<number> {
  const [inserted] = await db
    .insert(leads)
    .values({
      workspaceId,
      source: 'webform',
      externalId: nextKey('lead'),
      ownerUserId: row.owner,
      createdAt: d(row.created),
      firstResponseAt: row.responded ? d(row.responded) : null,
      mqlAt: row.mql ? d(row.mql) : null,
      qualifiedAt: row.qualified ? d(row.qualified) : null,
      dealId: row.dealId ?? null,
    })
    .returning({ id: leads.id });
  if (!inserted) throw new Error('insert returned nothing');
  return inserted.id;
}

async function customer(workspaceId: string, owner: string | null, became: string, churned?: string): Promise<number> {
  const [inserted] = await db
    .insert(customers)
    .values({
      workspaceId,
      source: 'hubspot',
      externalId: nextKey('cust'),
      ownerUserId: owner,
      becameCustomerAt: d(became),
      churnedAt: churned ? d(churned) : null,
    })
    .returning({ id: customers.id });
  if (!inserted) throw new Error('insert returned nothing');
  return inserted.id;
}

async function spent(workspaceId: string, incurredOn: string, amountCents: number, category: 'sales' | 'marketing') {
  await db.insert(spend).values({ workspaceId, incurredOn, category, amountCents, idempotencyKey: nextKey('spend') });
}

interface GoalRow {
  user: string | null;
  target: number;
  period: 'week' | 'month' | 'quarter' | 'year' | 'custom';
  created: string;
  metric?: string;
  channel?: string;
  archived?: string;
}

async function goal(workspaceId: string, row: GoalRow) {
  await db.insert(goals).values({
    workspaceId,
    userId: row.user,
    channelId: row.channel ?? null,
    metric: row.metric ?? 'revenue',
    target: row.target,
    period: row.period,
    setBy: 'UMGR',
    createdAt: d(row.created),
    archivedAt: row.archived ? d(row.archived) : null,
  });
}

function dealFacts(partial: Partial<DealFacts>): DealFacts {
  return {
    openCount: 0,
    openAmountCents: 0,
    wonCount: 0,
    lostCount: 0,
    wonCycleDaysSum: 0,
    wonWithCostCount: 0,
    wonWithCostAmountCents: 0,
    wonWithCostCostCents: 0,
    lostDealFollowUps: 0,
    stageEntries: [],
    ...partial,
  };
}

function leadFacts(partial: Partial<LeadFacts>): LeadFacts {
  return {
    created: 0,
    responded: 0,
    respondedWithinHour: 0,
    responseMinutesMedian: null,
    mql: 0,
    mqlToDeal: 0,
    qualified: 0,
    qualifiedToDeal: 0,
    touchpoints: 0,
    ...partial,
  };
}

/** Stage entries without depending on the order the query lists them in. */
function byStage(facts: DealFacts | null | undefined) {
  return [...(facts?.stageEntries ?? [])].sort((a, b) => a.stage.localeCompare(b.stage));
}

describeDb('kpi.queries: facts from the stored log', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
  });
  afterAll(async () => handle.close());

  it('builds the windows it is tested with (last week in UTC)', () => {
    expect(LAST_WEEK.window.start.toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(LAST_WEEK.window.end.toISOString()).toBe('2026-11-16T00:00:00.000Z');
    expect(LAST_WEEK.previous.start.toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(LAST_WEEK.previous.end.toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(LAST_WEEK.quotaPeriod).toBe('week');
  });

  it('counts an activity exactly at the window start but not one exactly at its end; the previous window has its own totals', async () => {
    const ws = newWorkspaceId();
    // U1
    await act(ws, { user: 'U1', kind: 'call', quantity: 5, at: '2026-11-09T00:00:00.000Z' }); // W start: W
    await act(ws, { user: 'U1', kind: 'call', quantity: 7, at: '2026-11-16T00:00:00.000Z' }); // W end: nowhere
    await act(ws, { user: 'U1', kind: 'call', quantity: 3, at: '2026-11-15T23:59:59.999Z' }); // last ms of W
    await act(ws, { user: 'U1', kind: 'call', quantity: 2, at: '2026-11-08T23:59:59.999Z' }); // last ms of P
    await act(ws, { user: 'U1', kind: 'call', quantity: 11, at: '2026-11-02T00:00:00.000Z' }); // P start: P
    await act(ws, { user: 'U1', kind: 'call', quantity: 13, at: '2026-11-01T23:59:59.999Z' }); // before P: nowhere
    await act(ws, { user: 'U1', kind: 'email', quantity: 4, at: '2026-11-10T10:00:00Z' }); // W
    await act(ws, { user: 'U1', kind: 'deal_won', quantity: 1, amountCents: 250_000, at: '2026-11-12T10:00:00Z' }); // W
    await act(ws, { user: 'U1', kind: 'deal_won', quantity: 2, amountCents: 120_000, at: '2026-11-03T10:00:00Z' }); // P
    await act(ws, { user: 'U1', kind: 'deal_lost', quantity: 1, amountCents: 50_000, at: '2026-11-04T10:00:00Z' }); // P
    // U2
    await act(ws, { user: 'U2', kind: 'call', quantity: 1, at: '2026-11-10T09:00:00Z' }); // W

    const team = await loadFacts(db, scope(ws, null));
    // W calls: 5 + 3 (U1) + 1 (U2) = 9; the 7 at W end and the 13 before P are in neither window.
    const teamCurrent: KpiFacts = {
      activities: {
        call: { quantity: 9, amountCents: 0 },
        email: { quantity: 4, amountCents: 0 },
        deal_won: { quantity: 1, amountCents: 250_000 },
      },
      previousRevenueCents: 120_000, // P's deal_won amount
      deals: null,
      leads: null,
      customers: null,
      spendCents: null,
      quotaCents: null,
      repCount: 2, // U1 and U2 have entries in W
    };
    expect(team.current).toEqual(teamCurrent);
    // P calls: 2 + 11 = 13.
    expect(team.previous).toEqual({
      ...teamCurrent,
      activities: {
        call: { quantity: 13, amountCents: 0 },
        deal_won: { quantity: 2, amountCents: 120_000 },
        deal_lost: { quantity: 1, amountCents: 50_000 },
      },
      previousRevenueCents: null,
    });

    const rep = await loadFacts(db, scope(ws, 'U1'));
    // U1's W calls: 5 + 3 = 8.
    expect(rep.current.activities).toEqual({
      call: { quantity: 8, amountCents: 0 },
      email: { quantity: 4, amountCents: 0 },
      deal_won: { quantity: 1, amountCents: 250_000 },
    });
    expect(rep.current.repCount).toBe(1);
    expect(rep.current.previousRevenueCents).toBe(120_000);
    expect(rep.previous.activities).toEqual({
      call: { quantity: 13, amountCents: 0 },
      deal_won: { quantity: 2, amountCents: 120_000 },
      deal_lost: { quantity: 1, amountCents: 50_000 },
    });
  });

  it('nets an undone entry to zero in the window it happened in', async () => {
    const ws = newWorkspaceId();
    await actUndone(ws, { user: 'U1', kind: 'call', quantity: 10, at: '2026-11-10T10:00:00Z' });
    await actUndone(ws, { user: 'U1', kind: 'email', quantity: 6, at: '2026-11-11T10:00:00Z' });
    await act(ws, { user: 'U1', kind: 'email', quantity: 2, at: '2026-11-11T11:00:00Z' });
    await actUndone(ws, {
      user: 'U1',
      kind: 'deal_won',
      quantity: 1,
      amountCents: 400_000,
      at: '2026-11-12T10:00:00Z',
    });
    await actUndone(ws, { user: 'U1', kind: 'deal_won', quantity: 1, amountCents: 90_000, at: '2026-11-05T10:00:00Z' });
    await actUndone(ws, { user: 'U1', kind: 'proposal', quantity: 3, at: '2026-11-05T10:00:00Z' });

    const team = await loadFacts(db, scope(ws, null));
    // calls 10 - 10 = 0 and deals 1 - 1 = 0 vanish; emails 6 - 6 + 2 = 2 remain.
    expect(team.current.activities).toEqual({ email: { quantity: 2, amountCents: 0 } });
    // P: the won deal (90,000 - 90,000) and the proposals (3 - 3) net to nothing.
    expect(team.previous.activities).toEqual({});
    expect(team.current.previousRevenueCents).toBe(0);

    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect(byUser.get('U1')?.current.activities).toEqual({ email: { quantity: 2, amountCents: 0 } });
    expect(byUser.get('U1')?.previous.activities).toEqual({});
    expect(byUser.get('U1')?.current.previousRevenueCents).toBe(0);
  });

  it('never shows rows of another workspace, even with the same user ids', async () => {
    const mine = newWorkspaceId();
    const other = newWorkspaceId();
    await act(mine, { user: 'U1', kind: 'call', quantity: 4, at: '2026-11-10T10:00:00Z' });
    await act(mine, { user: 'U1', kind: 'call', quantity: 1, at: '2026-11-03T10:00:00Z' });

    // The other workspace has every kind of row, for the same user ids and one more.
    await act(other, { user: 'U1', kind: 'call', quantity: 100, at: '2026-11-10T10:00:00Z' });
    await act(other, { user: 'U1', kind: 'call', quantity: 200, at: '2026-11-03T10:00:00Z' });
    await act(other, { user: 'U3', kind: 'deal_won', quantity: 1, amountCents: 1_000_000, at: '2026-11-10T10:00:00Z' });
    const otherDeal = await deal(other, { owner: 'U1', status: 'open', opened: '2026-11-01T00:00:00Z' });
    await stage(other, otherDeal, 'proposal', '2026-11-10T00:00:00Z');
    await lead(other, { owner: 'U1', created: '2026-11-10T00:00:00Z' });
    await customer(other, 'U1', '2026-01-01T00:00:00Z');
    await spent(other, '2026-11-10', 5_000, 'sales');
    await goal(other, { user: 'U1', target: 1_000, period: 'week', created: '2026-11-01T00:00:00Z' });
    await goal(other, { user: null, target: 2_000, period: 'week', created: '2026-11-01T00:00:00Z' });

    const team = await loadFacts(db, scope(mine, null));
    expect(team.current).toEqual({
      activities: { call: { quantity: 4, amountCents: 0 } },
      previousRevenueCents: 0,
      deals: null,
      leads: null,
      customers: null,
      spendCents: null,
      quotaCents: null,
      repCount: 1, // only U1 of this workspace, not the other one's U1 and U3
    });
    expect(team.previous.activities).toEqual({ call: { quantity: 1, amountCents: 0 } });

    const rep = await loadFacts(db, scope(mine, 'U1'));
    expect(rep.current.activities).toEqual({ call: { quantity: 4, amountCents: 0 } });
    expect(rep.current.quotaCents).toBeNull();
    expect(rep.current.deals).toBeNull();

    const byUser = await loadFactsByUser(db, scope(mine, null));
    expect([...byUser.keys()]).toEqual(['U1']);
    expect(byUser.get('U1')?.current.activities).toEqual({ call: { quantity: 4, amountCents: 0 } });
    expect(byUser.get('U1')?.current.deals).toBeNull();
    expect(byUser.get('U1')?.current.leads).toBeNull();
    expect(byUser.get('U1')?.current.quotaCents).toBeNull();
  });

  it('filters on one rep, and splits a workspace by rep', async () => {
    const ws = newWorkspaceId();
    await act(ws, { user: 'U1', kind: 'call', quantity: 6, at: '2026-11-10T10:00:00Z' });
    await act(ws, { user: 'U1', kind: 'meeting', quantity: 1, at: '2026-11-04T10:00:00Z' });
    await act(ws, { user: 'U2', kind: 'call', quantity: 9, at: '2026-11-11T10:00:00Z' });
    await act(ws, { user: 'U2', kind: 'deal_won', quantity: 1, amountCents: 70_000, at: '2026-11-06T10:00:00Z' });
    await act(ws, { user: 'U3', kind: 'email', quantity: 2, at: '2026-11-05T10:00:00Z' }); // only in P

    const u1 = await loadFacts(db, scope(ws, 'U1'));
    expect(u1.current.activities).toEqual({ call: { quantity: 6, amountCents: 0 } });
    expect(u1.previous.activities).toEqual({ meeting: { quantity: 1, amountCents: 0 } });
    expect(u1.current.previousRevenueCents).toBe(0);
    expect(u1.current.repCount).toBe(1);

    const u2 = await loadFacts(db, scope(ws, 'U2'));
    expect(u2.current.activities).toEqual({ call: { quantity: 9, amountCents: 0 } });
    expect(u2.current.previousRevenueCents).toBe(70_000);

    const team = await loadFacts(db, scope(ws, null));
    // 6 + 9 = 15 calls in W; U1 and U2 are active in W (U3 only in P) → 2 reps.
    expect(team.current.activities).toEqual({ call: { quantity: 15, amountCents: 0 } });
    expect(team.current.repCount).toBe(2);

    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect([...byUser.keys()].sort()).toEqual(['U1', 'U2', 'U3']);
    expect(byUser.get('U1')?.current.activities).toEqual({ call: { quantity: 6, amountCents: 0 } });
    expect(byUser.get('U2')?.current).toMatchObject({
      activities: { call: { quantity: 9, amountCents: 0 } },
      previousRevenueCents: 70_000,
      repCount: 1,
      customers: null,
      spendCents: null,
    });
    expect(byUser.get('U3')?.current.activities).toEqual({});
    expect(byUser.get('U3')?.previous.activities).toEqual({ email: { quantity: 2, amountCents: 0 } });

    // One rep through loadFactsByUser: only that rep comes back.
    const onlyU2 = await loadFactsByUser(db, scope(ws, 'U2'));
    expect([...onlyU2.keys()]).toEqual(['U2']);
  });

  it('gathers deal facts: open at the window end, won and lost in it, cycle days, cost data, stage entries and follow-ups on lost deals', async () => {
    const ws = newWorkspaceId();
    // d1 open since October: open at W end and at P end.
    const d1 = await deal(ws, { owner: 'U1', status: 'open', opened: '2026-10-20T00:00:00Z', amountCents: 100_000 });
    // d2 won in W after 10.5 days, with cost data; open at P end.
    const d2 = await deal(ws, {
      owner: 'U1',
      status: 'won',
      opened: '2026-11-01T00:00:00Z',
      closed: '2026-11-11T12:00:00Z',
      amountCents: 300_000,
      costCents: 120_000,
    });
    // d3 won in W after 9 days, no cost data; open at P end.
    const d3 = await deal(ws, {
      owner: 'U1',
      status: 'won',
      opened: '2026-11-05T00:00:00Z',
      closed: '2026-11-14T00:00:00Z',
      amountCents: 200_000,
    });
    // d4 lost in W; open at P end.
    const d4 = await deal(ws, {
      owner: 'U1',
      status: 'lost',
      opened: '2026-10-25T00:00:00Z',
      closed: '2026-11-12T00:00:00Z',
      amountCents: 50_000,
    });
    // d5 opened in W and won after W ended: still open at W end.
    const d5 = await deal(ws, {
      owner: 'U1',
      status: 'won',
      opened: '2026-11-10T00:00:00Z',
      closed: '2026-11-20T00:00:00Z',
      amountCents: 70_000,
    });
    // d6 deleted: counts nowhere.
    await deal(ws, {
      owner: 'U1',
      status: 'open',
      opened: '2026-10-01T00:00:00Z',
      amountCents: 999_999,
      deleted: '2026-11-05T00:00:00Z',
    });
    // d7 U2's, won in W after 8 days, with cost; open at P end.
    const d7 = await deal(ws, {
      owner: 'U2',
      status: 'won',
      opened: '2026-11-02T00:00:00Z',
      closed: '2026-11-10T00:00:00Z',
      amountCents: 80_000,
      costCents: 30_000,
    });
    // d8 lost in P.
    const d8 = await deal(ws, {
      owner: 'U1',
      status: 'lost',
      opened: '2026-10-01T00:00:00Z',
      closed: '2026-11-03T00:00:00Z',
      amountCents: 40_000,
    });
    // d9 won in P after 7 days, with cost.
    await deal(ws, {
      owner: 'U1',
      status: 'won',
      opened: '2026-10-30T00:00:00Z',
      closed: '2026-11-06T00:00:00Z',
      amountCents: 150_000,
      costCents: 50_000,
    });

    // Follow-ups against the lost deals, whenever they happened; other kinds do not count.
    await act(ws, { user: 'U1', kind: 'follow_up', quantity: 3, at: '2026-11-08T10:00:00Z', dealId: d4 });
    await act(ws, { user: 'U1', kind: 'follow_up', quantity: 2, at: '2026-11-11T10:00:00Z', dealId: d4 });
    await actUndone(ws, { user: 'U1', kind: 'follow_up', quantity: 9, at: '2026-11-11T11:00:00Z', dealId: d4 });
    await act(ws, { user: 'U1', kind: 'call', quantity: 5, at: '2026-11-11T10:00:00Z', dealId: d4 });
    await act(ws, { user: 'U1', kind: 'follow_up', quantity: 4, at: '2026-10-20T10:00:00Z', dealId: d8 });
    await act(ws, { user: 'U1', kind: 'follow_up', quantity: 6, at: '2026-11-10T10:00:00Z', dealId: d1 }); // d1 not lost
    await act(ws, { user: 'U2', kind: 'call', quantity: 1, at: '2026-11-10T10:00:00Z' }); // U2 on the board

    // Stage changes.
    await stage(ws, d2, 'proposal', '2026-11-10T00:00:00Z');
    await stage(ws, d2, 'negotiation', '2026-11-11T00:00:00Z');
    await stage(ws, d3, 'proposal', '2026-11-09T00:00:00Z'); // exactly W start: counts
    await stage(ws, d3, 'proposal', '2026-11-12T00:00:00Z'); // entered again: the deal counts once
    await stage(ws, d3, 'negotiation', '2026-11-13T00:00:00Z');
    await stage(ws, d5, 'discovery', '2026-11-10T00:00:00Z');
    await stage(ws, d7, 'proposal', '2026-11-09T05:00:00Z');
    await stage(ws, d1, 'discovery', '2026-11-16T00:00:00Z'); // exactly W end: not in W
    await stage(ws, d4, 'discovery', '2026-11-05T00:00:00Z'); // P

    const team = await loadFacts(db, scope(ws, null));
    // W: open at end = d1 (open) + d5 (closed after W) = 2, 100,000 + 70,000 = 170,000.
    // Won = d2, d3, d7 = 3; lost = d4 = 1. Cycle days = 10.5 + 9 + 8 = 27.5.
    // With cost = d2, d7: amounts 300,000 + 80,000 = 380,000; costs 120,000 + 30,000 = 150,000.
    // Follow-ups on d4: 3 + 2 + (9 - 9) = 5.
    expect({ ...team.current.deals, stageEntries: [] }).toEqual(
      dealFacts({
        openCount: 2,
        openAmountCents: 170_000,
        wonCount: 3,
        lostCount: 1,
        wonCycleDaysSum: 27.5,
        wonWithCostCount: 2,
        wonWithCostAmountCents: 380_000,
        wonWithCostCostCents: 150_000,
        lostDealFollowUps: 5,
      }),
    );
    // Stage entries in W: proposal d2, d3, d7 = 3; negotiation d2, d3 = 2; discovery d5 = 1.
    expect(byStage(team.current.deals)).toEqual([
      { stage: 'discovery', deals: 1 },
      { stage: 'negotiation', deals: 2 },
      { stage: 'proposal', deals: 3 },
    ]);
    // P: open at P end (2026-11-09) = d1, d2, d3, d4, d7 = 5;
    //    100,000 + 300,000 + 200,000 + 50,000 + 80,000 = 730,000.
    // Won = d9 (7 days, cost 50,000 on 150,000); lost = d8 with 4 follow-ups; stage: discovery d4.
    expect(team.previous.deals).toEqual(
      dealFacts({
        openCount: 5,
        openAmountCents: 730_000,
        wonCount: 1,
        lostCount: 1,
        wonCycleDaysSum: 7,
        wonWithCostCount: 1,
        wonWithCostAmountCents: 150_000,
        wonWithCostCostCents: 50_000,
        lostDealFollowUps: 4,
        stageEntries: [{ stage: 'discovery', deals: 1 }],
      }),
    );

    const rep = await loadFacts(db, scope(ws, 'U1'));
    // U1 in W: open d1, d5 = 2 (170,000); won d2, d3 = 2, cycle 10.5 + 9 = 19.5; cost d2 only; lost d4 with 5.
    expect({ ...rep.current.deals, stageEntries: [] }).toEqual(
      dealFacts({
        openCount: 2,
        openAmountCents: 170_000,
        wonCount: 2,
        lostCount: 1,
        wonCycleDaysSum: 19.5,
        wonWithCostCount: 1,
        wonWithCostAmountCents: 300_000,
        wonWithCostCostCents: 120_000,
        lostDealFollowUps: 5,
      }),
    );
    // U1's stage entries: proposal d2, d3 = 2; negotiation d2, d3 = 2; discovery d5 = 1 (d7 is U2's).
    expect(byStage(rep.current.deals)).toEqual([
      { stage: 'discovery', deals: 1 },
      { stage: 'negotiation', deals: 2 },
      { stage: 'proposal', deals: 2 },
    ]);
    // U1 in P: open d1, d2, d3, d4 = 4; 100,000 + 300,000 + 200,000 + 50,000 = 650,000.
    expect(rep.previous.deals).toMatchObject({ openCount: 4, openAmountCents: 650_000, wonCount: 1, lostCount: 1 });

    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect({ ...byUser.get('U1')?.current.deals, stageEntries: [] }).toEqual({
      ...rep.current.deals,
      stageEntries: [],
    });
    // U2 in W: d7 won after 8 days with cost 30,000 on 80,000; stage proposal.
    expect(byUser.get('U2')?.current.deals).toEqual(
      dealFacts({
        wonCount: 1,
        wonCycleDaysSum: 8,
        wonWithCostCount: 1,
        wonWithCostAmountCents: 80_000,
        wonWithCostCostCents: 30_000,
        stageEntries: [{ stage: 'proposal', deals: 1 }],
      }),
    );
    // U2 in P: d7 open at P end.
    expect(byUser.get('U2')?.previous.deals).toEqual(dealFacts({ openCount: 1, openAmountCents: 80_000 }));
  });

  it('does not count the stage changes of a deleted deal', async () => {
    const ws = newWorkspaceId();
    const live = await deal(ws, { owner: 'U1', status: 'open', opened: '2026-11-01T00:00:00Z', amountCents: 10_000 });
    const gone = await deal(ws, {
      owner: 'U1',
      status: 'open',
      opened: '2026-11-01T00:00:00Z',
      amountCents: 20_000,
      deleted: '2026-11-14T00:00:00Z',
    });
    await stage(ws, live, 'proposal', '2026-11-10T00:00:00Z');
    await stage(ws, gone, 'proposal', '2026-11-10T00:00:00Z');
    await stage(ws, gone, 'negotiation', '2026-11-11T00:00:00Z');
    await act(ws, { user: 'U1', kind: 'call', quantity: 1, at: '2026-11-10T00:00:00Z' });

    // The deleted deal is out of every other deal figure (open: only `live`, 10,000); its stage
    // entries must go with it: proposal = 1 (live), no negotiation.
    const team = await loadFacts(db, scope(ws, null));
    expect(team.current.deals).toEqual(
      dealFacts({ openCount: 1, openAmountCents: 10_000, stageEntries: [{ stage: 'proposal', deals: 1 }] }),
    );
    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect(byUser.get('U1')?.current.deals?.stageEntries).toEqual([{ stage: 'proposal', deals: 1 }]);
  });

  it('gathers lead facts: response median, within the hour, mql and qualified to deal, touchpoints within 28 days', async () => {
    const ws = newWorkspaceId();
    const dealId = await deal(ws, { owner: 'U1', status: 'open', opened: '2026-11-10T00:00:00Z' });
    // l1: at W start; answered after 10 min; mql; became a deal.
    const l1 = await lead(ws, {
      owner: 'U1',
      created: '2026-11-09T00:00:00Z',
      responded: '2026-11-09T00:10:00Z',
      mql: '2026-11-09T01:00:00Z',
      dealId,
    });
    // l2: answered after exactly 60 min (within the hour); mql and qualified; became a deal.
    await lead(ws, {
      owner: 'U1',
      created: '2026-11-10T09:00:00Z',
      responded: '2026-11-10T10:00:00Z',
      mql: '2026-11-10T12:00:00Z',
      qualified: '2026-11-11T09:00:00Z',
      dealId,
    });
    // l3: answered after 150 min; mql and qualified; no deal.
    const l3 = await lead(ws, {
      owner: 'U1',
      created: '2026-11-11T09:00:00Z',
      responded: '2026-11-11T11:30:00Z',
      mql: '2026-11-11T12:00:00Z',
      qualified: '2026-11-12T09:00:00Z',
    });
    // l4: never answered.
    await lead(ws, { owner: 'U1', created: '2026-11-12T09:00:00Z' });
    // l5 (U2): answered after 30 min; qualified without mql; became a deal.
    await lead(ws, {
      owner: 'U2',
      created: '2026-11-13T09:00:00Z',
      responded: '2026-11-13T09:30:00Z',
      qualified: '2026-11-13T12:00:00Z',
      dealId,
    });
    // l6: at W end: not in W.
    await lead(ws, { owner: 'U1', created: '2026-11-16T00:00:00Z', responded: '2026-11-16T00:01:00Z' });
    // l7: in P, answered after 120 min.
    const l7 = await lead(ws, { owner: 'U1', created: '2026-11-08T23:00:00Z', responded: '2026-11-09T01:00:00Z' });

    // Touchpoints: activities against the lead before 28 days have passed since it came in.
    await act(ws, { user: 'U1', kind: 'call', quantity: 2, at: '2026-11-10T00:00:00Z', leadId: l1 });
    await act(ws, { user: 'U1', kind: 'email', quantity: 1, at: '2026-12-06T23:59:59Z', leadId: l1 }); // day 28, last second
    await act(ws, { user: 'U1', kind: 'email', quantity: 5, at: '2026-12-07T00:00:00Z', leadId: l1 }); // exactly 28 days: no
    await actUndone(ws, { user: 'U1', kind: 'call', quantity: 7, at: '2026-11-12T00:00:00Z', leadId: l3 });
    await act(ws, { user: 'U1', kind: 'call', quantity: 1, at: '2026-11-12T00:00:00Z', leadId: l3 });
    await act(ws, { user: 'U1', kind: 'call', quantity: 3, at: '2026-11-09T10:00:00Z', leadId: l7 });
    await act(ws, { user: 'U2', kind: 'call', quantity: 1, at: '2026-11-13T10:00:00Z' }); // U2 on the board

    const team = await loadFacts(db, scope(ws, null));
    // W: l1..l5 = 5 created; answered l1, l2, l3, l5 = 4; within the hour l1 (10), l2 (60), l5 (30) = 3.
    // Median of 10, 30, 60, 150 minutes = (30 + 60) / 2 = 45.
    // mql l1, l2, l3 = 3, of which with a deal l1, l2 = 2; qualified l2, l3, l5 = 3, with a deal l2, l5 = 2.
    // Touchpoints: l1 2 + 1 = 3 (the 5 at 28 days do not count); l3 7 - 7 + 1 = 1 → 4.
    expect(team.current.leads).toEqual(
      leadFacts({
        created: 5,
        responded: 4,
        respondedWithinHour: 3,
        responseMinutesMedian: 45,
        mql: 3,
        mqlToDeal: 2,
        qualified: 3,
        qualifiedToDeal: 2,
        touchpoints: 4,
      }),
    );
    // P: l7 only, answered after 120 min, 3 touchpoints.
    expect(team.previous.leads).toEqual(
      leadFacts({ created: 1, responded: 1, respondedWithinHour: 0, responseMinutesMedian: 120, touchpoints: 3 }),
    );

    const rep = await loadFacts(db, scope(ws, 'U1'));
    // U1 in W: l1..l4 = 4; answered 3 (10, 60, 150 → median 60); within the hour 2;
    // mql 3 (2 to deal); qualified l2, l3 = 2 (1 to deal); touchpoints 4.
    expect(rep.current.leads).toEqual(
      leadFacts({
        created: 4,
        responded: 3,
        respondedWithinHour: 2,
        responseMinutesMedian: 60,
        mql: 3,
        mqlToDeal: 2,
        qualified: 2,
        qualifiedToDeal: 1,
        touchpoints: 4,
      }),
    );

    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect(byUser.get('U1')?.current.leads).toEqual(rep.current.leads);
    // U2 in W: l5 only.
    expect(byUser.get('U2')?.current.leads).toEqual(
      leadFacts({
        created: 1,
        responded: 1,
        respondedWithinHour: 1,
        responseMinutesMedian: 30,
        qualified: 1,
        qualifiedToDeal: 1,
      }),
    );
    // U2 had no lead in P, but the workspace has leads: zeros, not null.
    expect(byUser.get('U2')?.previous.leads).toEqual(leadFacts({}));
  });

  it('gathers customer facts: at the start, retained, upsold, new and lifetime revenue', async () => {
    const ws = newWorkspaceId();
    const c1 = await customer(ws, 'U1', '2026-01-01T00:00:00Z');
    const c2 = await customer(ws, 'U1', '2026-02-01T00:00:00Z', '2026-11-12T00:00:00Z'); // churned in W
    const c3 = await customer(ws, 'U1', '2026-03-01T00:00:00Z', '2026-11-16T00:00:00Z'); // churned exactly at W end
    const c4 = await customer(ws, 'U1', '2026-11-09T00:00:00Z'); // new exactly at W start
    await customer(ws, 'U1', '2026-11-15T23:00:00Z'); // c5: new in W
    const c6 = await customer(ws, 'U1', '2025-06-01T00:00:00Z', '2026-11-01T00:00:00Z'); // gone before P
    const c7 = await customer(ws, 'U2', '2026-04-01T00:00:00Z');
    await customer(ws, 'U1', '2026-11-05T00:00:00Z'); // c8: new in P

    const won = (customerId: number, dealType: DealRow['dealType'], closed: string, amountCents: number) =>
      deal(ws, {
        owner: 'U9',
        status: 'won',
        opened: '2025-01-01T00:00:00Z',
        closed,
        amountCents,
        customerId,
        dealType,
      });
    await won(c1, 'upsell', '2026-11-10T00:00:00Z', 50_000); // upsell in W
    await won(c2, 'new_business', '2026-02-01T00:00:00Z', 100_000);
    await won(c3, 'upsell', '2026-11-16T00:00:00Z', 60_000); // at W end: not in W
    await won(c7, 'renewal', '2026-11-11T00:00:00Z', 30_000); // not an upsell
    await won(c4, 'upsell', '2026-11-12T00:00:00Z', 20_000); // c4 was not a customer at W start
    await won(c6, 'upsell', '2026-11-10T00:00:00Z', 10_000); // c6 had churned before W
    await won(c1, 'upsell', '2026-11-03T00:00:00Z', 40_000); // upsell in P
    await deal(ws, {
      owner: 'U9',
      status: 'lost',
      opened: '2026-11-01T00:00:00Z',
      closed: '2026-11-10T00:00:00Z',
      amountCents: 99_999,
      customerId: c1,
      dealType: 'upsell',
    });
    await deal(ws, {
      owner: 'U9',
      status: 'won',
      opened: '2026-11-01T00:00:00Z',
      closed: '2026-11-10T00:00:00Z',
      amountCents: 77_777,
      customerId: c2,
      dealType: 'upsell',
      deleted: '2026-11-11T00:00:00Z',
    });

    const team = await loadFacts(db, scope(ws, null));
    // At W start (became < 11-09, not churned before it): c1, c2, c3, c7, c8 = 5.
    // Retained at W end (not churned before 11-16): c1, c3 (churned exactly at the end), c7, c8 = 4.
    // Upsold: c1 only = 1. New in W: c4, c5 = 2.
    // Lifetime won before W end: 50,000 + 100,000 + 30,000 + 20,000 + 10,000 + 40,000 = 250,000
    // (not c3's 60,000 at W end, the lost 99,999 or the deleted 77,777), from c1, c2, c4, c6, c7 = 5.
    expect(team.current.customers).toEqual({
      atStart: 5,
      retainedAtEnd: 4,
      upsold: 1,
      newCustomers: 2,
      lifetimeRevenueCents: 250_000,
      customersWithRevenue: 5,
    });
    // At P start (11-02): c1, c2, c3, c7 = 4 (c6 churned 11-01); all 4 still customers at 11-09.
    // Upsold in P: c1 = 1. New in P: c8 = 1. Lifetime before 11-09: 100,000 + 40,000 = 140,000 from c2, c1.
    expect(team.previous.customers).toEqual({
      atStart: 4,
      retainedAtEnd: 4,
      upsold: 1,
      newCustomers: 1,
      lifetimeRevenueCents: 140_000,
      customersWithRevenue: 2,
    });

    const rep = await loadFacts(db, scope(ws, 'U1'));
    // U1 owns all but c7: at start c1, c2, c3, c8 = 4; retained c1, c3, c8 = 3; upsold 1; new 2;
    // lifetime 250,000 - 30,000 (c7) = 220,000 from c1, c2, c4, c6 = 4.
    expect(rep.current.customers).toEqual({
      atStart: 4,
      retainedAtEnd: 3,
      upsold: 1,
      newCustomers: 2,
      lifetimeRevenueCents: 220_000,
      customersWithRevenue: 4,
    });

    // Customers are a whole-subject figure: never per rep on a board.
    await act(ws, { user: 'U1', kind: 'call', quantity: 1, at: '2026-11-10T00:00:00Z' });
    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect(byUser.get('U1')?.current.customers).toBeNull();
  });

  it('sums spend for the team only, comparing days in the window’s timezone', async () => {
    // Last month in Tokyo (UTC+9): October there is [2026-09-30T15:00Z, 2026-10-31T15:00Z), whose UTC
    // dates would wrongly take in 30 Sep; the previous window is September there.
    const tokyo = windowPair({ kind: 'last_month' }, NOW, 'Asia/Tokyo');
    expect(tokyo.window.start.toISOString()).toBe('2026-09-30T15:00:00.000Z');
    expect(tokyo.window.end.toISOString()).toBe('2026-10-31T15:00:00.000Z');
    expect(tokyo.previous.start.toISOString()).toBe('2026-08-31T15:00:00.000Z');

    const ws = newWorkspaceId();
    await spent(ws, '2026-08-31', 320_000, 'sales'); // August: neither
    await spent(ws, '2026-09-01', 160_000, 'sales'); // P
    await spent(ws, '2026-09-30', 80_000, 'marketing'); // P (not W, though W starts on 30 Sep in UTC)
    await spent(ws, '2026-10-01', 10_000, 'sales'); // W
    await spent(ws, '2026-10-31', 20_000, 'marketing'); // W
    await spent(ws, '2026-11-01', 40_000, 'sales'); // November: neither
    await act(ws, { user: 'U1', kind: 'call', quantity: 1, at: '2026-10-10T00:00:00Z' });

    const team = await loadFacts(db, scope(ws, null, tokyo));
    expect(team.current.spendCents).toBe(30_000); // 10,000 + 20,000
    expect(team.previous.spendCents).toBe(240_000); // 160,000 + 80,000

    const rep = await loadFacts(db, scope(ws, 'U1', tokyo));
    expect(rep.current.spendCents).toBeNull();
    expect(rep.previous.spendCents).toBeNull();

    const byUser = await loadFactsByUser(db, scope(ws, null, tokyo));
    expect(byUser.get('U1')?.current.spendCents).toBeNull();

    // A window with no spend in a workspace that has some: zero, not null.
    const longAgo = windowPair({ kind: 'last_week' }, new Date('2025-03-01T00:00:00Z'), 'UTC');
    expect((await loadFacts(db, scope(ws, null, longAgo))).current.spendCents).toBe(0);
  });

  it('counts the spend of the day a to-date window is still in', async () => {
    // This month in UTC, seen on Wed 18 Nov 15:00: [2026-11-01T00:00Z, 2026-11-18T15:00Z), compared with
    // [2026-10-01T00:00Z, 2026-10-18T15:00Z). Today (18 Nov) has begun, so its spend is in the window,
    // as is 18 Oct's in the window before it.
    const month = windowPair({ kind: 'month' }, NOW, 'UTC');
    expect(month.window.end.toISOString()).toBe('2026-11-18T15:00:00.000Z');
    expect(month.previous.end.toISOString()).toBe('2026-10-18T15:00:00.000Z');

    const ws = newWorkspaceId();
    await spent(ws, '2026-11-01', 1_000, 'sales'); // W
    await spent(ws, '2026-11-18', 2_000, 'marketing'); // W: today
    await spent(ws, '2026-11-19', 4_000, 'sales'); // tomorrow: no
    await spent(ws, '2026-10-01', 8_000, 'sales'); // P
    await spent(ws, '2026-10-18', 16_000, 'sales'); // P: its last (partial) day
    await spent(ws, '2026-10-19', 32_000, 'sales'); // after P's end: no

    const team = await loadFacts(db, scope(ws, null, month));
    expect(team.current.spendCents).toBe(3_000); // 1,000 + 2,000
    expect(team.previous.spendCents).toBe(24_000); // 8,000 + 16,000

    // "Today so far" is one partial day: its spend is today's.
    const today = windowPair({ kind: 'today' }, NOW, 'UTC');
    expect((await loadFacts(db, scope(ws, null, today))).current.spendCents).toBe(2_000);
  });

  it('takes the quota from the newest revenue goal of the window’s period', async () => {
    const ws = newWorkspaceId();
    await goal(ws, { user: 'U1', target: 1_000_000, period: 'week', created: '2026-11-01T00:00:00Z' });
    await goal(ws, { user: 'U1', target: 1_500_000, period: 'week', created: '2026-11-05T00:00:00Z' }); // newest
    await goal(ws, { user: 'U1', target: 1_400_000, period: 'week', created: '2026-11-04T00:00:00Z' });
    await goal(ws, {
      user: 'U1',
      target: 9,
      period: 'week',
      created: '2026-11-10T00:00:00Z',
      archived: '2026-11-11T00:00:00Z',
    }); // archived
    await goal(ws, { user: 'U1', target: 7, period: 'week', created: '2026-11-12T00:00:00Z', channel: 'C1' }); // a channel's
    await goal(ws, { user: 'U1', target: 100, period: 'week', created: '2026-11-13T00:00:00Z', metric: 'calls' });
    await goal(ws, { user: 'U1', target: 5_000_000, period: 'month', created: '2026-11-14T00:00:00Z' });
    await goal(ws, { user: null, target: 8_000_000, period: 'week', created: '2026-11-02T00:00:00Z' }); // team
    await goal(ws, { user: null, target: 7_000_000, period: 'week', created: '2026-10-02T00:00:00Z' }); // older team
    await goal(ws, { user: 'U2', target: 600_000, period: 'week', created: '2026-11-02T00:00:00Z' });
    await act(ws, { user: 'U1', kind: 'call', quantity: 1, at: '2026-11-10T00:00:00Z' });
    await act(ws, { user: 'U2', kind: 'call', quantity: 1, at: '2026-11-10T00:00:00Z' });
    await act(ws, { user: 'U3', kind: 'call', quantity: 1, at: '2026-11-10T00:00:00Z' });

    const team = await loadFacts(db, scope(ws, null));
    expect(team.current.quotaCents).toBe(8_000_000);
    expect(team.previous.quotaCents).toBe(8_000_000);
    expect((await loadFacts(db, scope(ws, 'U1'))).current.quotaCents).toBe(1_500_000);
    expect((await loadFacts(db, scope(ws, 'U2'))).current.quotaCents).toBe(600_000);
    // The team goal is not a rep's quota.
    expect((await loadFacts(db, scope(ws, 'U3'))).current.quotaCents).toBeNull();

    const byUser = await loadFactsByUser(db, scope(ws, null));
    expect(byUser.get('U1')?.current.quotaCents).toBe(1_500_000);
    expect(byUser.get('U2')?.current.quotaCents).toBe(600_000);
    expect(byUser.get('U3')?.current.quotaCents).toBeNull();

    // Last month's quota is the month goal.
    const month = windowPair({ kind: 'last_month' }, NOW, 'UTC');
    expect(month.quotaPeriod).toBe('month');
    expect((await loadFacts(db, scope(ws, 'U1', month))).current.quotaCents).toBe(5_000_000);
    expect((await loadFacts(db, scope(ws, null, month))).current.quotaCents).toBeNull();

    // A custom range has no goal period, so no quota whatever goals exist.
    const range = windowPair({ kind: 'range', from: '2026-11-09', to: '2026-11-15' }, NOW, 'UTC');
    expect(range.quotaPeriod).toBeNull();
    expect((await loadFacts(db, scope(ws, 'U1', range))).current.quotaCents).toBeNull();
    expect((await loadFacts(db, scope(ws, null, range))).current.quotaCents).toBeNull();
  });

  it('breaks a tie between goals created at the same instant by the later one', async () => {
    const ws = newWorkspaceId();
    await goal(ws, { user: 'U1', target: 300, period: 'week', created: '2026-11-05T00:00:00Z' });
    await goal(ws, { user: 'U1', target: 400, period: 'week', created: '2026-11-05T00:00:00Z' }); // higher id
    expect((await loadFacts(db, scope(ws, 'U1'))).current.quotaCents).toBe(400);
  });

  it('leaves deals, leads, customers and spend null when the workspace never had any, and zero when it had some elsewhere in time', async () => {
    const none = newWorkspaceId();
    await act(none, { user: 'U1', kind: 'call', quantity: 2, at: '2026-11-10T00:00:00Z' });
    for (const userId of [null, 'U1']) {
      const facts = await loadFacts(db, scope(none, userId));
      for (const which of ['current', 'previous'] as const) {
        expect(facts[which]).toMatchObject({ deals: null, leads: null, customers: null, spendCents: null });
      }
    }
    const byUser = await loadFactsByUser(db, scope(none, null));
    expect(byUser.get('U1')?.current).toMatchObject({ deals: null, leads: null, customers: null, spendCents: null });

    // Data of every kind, but all of it long before these windows.
    const old = newWorkspaceId();
    await act(old, { user: 'U1', kind: 'call', quantity: 2, at: '2026-11-10T00:00:00Z' });
    await deal(old, {
      owner: 'U1',
      status: 'won',
      opened: '2025-01-01T00:00:00Z',
      closed: '2025-02-01T00:00:00Z',
      amountCents: 5_000,
    });
    await lead(old, { owner: 'U1', created: '2025-01-01T00:00:00Z' });
    await customer(old, 'U1', '2025-01-01T00:00:00Z', '2025-06-01T00:00:00Z');
    await spent(old, '2025-01-01', 5_000, 'sales');
    const team = await loadFacts(db, scope(old, null));
    expect(team.current.deals).toEqual(dealFacts({}));
    expect(team.current.leads).toEqual(leadFacts({}));
    expect(team.current.customers).toEqual({
      atStart: 0,
      retainedAtEnd: 0,
      upsold: 0,
      newCustomers: 0,
      lifetimeRevenueCents: 0, // the customer's only deal has no customer_id
      customersWithRevenue: 0,
    });
    expect(team.current.spendCents).toBe(0);
    const oldByUser = await loadFactsByUser(db, scope(old, null));
    expect(oldByUser.get('U1')?.current.deals).toEqual(dealFacts({}));
    expect(oldByUser.get('U1')?.current.leads).toEqual(leadFacts({}));
  });

  it('computes New York windows across the March clock change by local midnights', async () => {
    // Last week in New York seen on Wed 11 Mar 2026: Mon 2 Mar 00:00 EST (05:00Z) to Mon 9 Mar 00:00 EDT
    // (04:00Z) — 167 hours, as clocks went forward on Sun 8 Mar. The week before is 168 hours.
    const lastWeek = windowPair({ kind: 'last_week' }, new Date('2026-03-11T16:00:00Z'), 'America/New_York');
    expect(lastWeek.window.start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(lastWeek.window.end.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(lastWeek.previous.start.toISOString()).toBe('2026-02-23T05:00:00.000Z');
    expect(lastWeek.previous.end.toISOString()).toBe('2026-03-02T05:00:00.000Z');

    const ws = newWorkspaceId();
    await act(ws, { user: 'U1', kind: 'call', quantity: 1, at: '2026-03-02T05:00:00Z' }); // Mon 00:00 EST: W
    await act(ws, { user: 'U1', kind: 'call', quantity: 2, at: '2026-03-09T03:59:59Z' }); // Sun 23:59:59 EDT: W
    await act(ws, { user: 'U1', kind: 'call', quantity: 4, at: '2026-03-09T04:00:00Z' }); // Mon 00:00 EDT: no
    await act(ws, { user: 'U1', kind: 'call', quantity: 8, at: '2026-03-09T04:30:00Z' }); // in 168 h from start, not W
    await act(ws, { user: 'U1', kind: 'call', quantity: 16, at: '2026-03-02T04:30:00Z' }); // Sun 1 Mar 23:30 EST: P
    await act(ws, { user: 'U1', kind: 'call', quantity: 32, at: '2026-02-23T04:59:00Z' }); // Sun 22 Feb 23:59 EST: no

    const facts = await loadFacts(db, scope(ws, null, lastWeek));
    expect(facts.current.activities).toEqual({ call: { quantity: 3, amountCents: 0 } }); // 1 + 2
    expect(facts.previous.activities).toEqual({ call: { quantity: 16, amountCents: 0 } });

    // This week so far, Wed 11 Mar 14:00 EDT (18:00Z), is compared with last week up to Wed 4 Mar
    // 14:00 EST (19:00Z): the same local time, not the same UTC time minus 7 × 24 h (18:00Z).
    const thisWeek = windowPair({ kind: 'week' }, new Date('2026-03-11T18:00:00Z'), 'America/New_York');
    expect(thisWeek.window.start.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(thisWeek.window.end.toISOString()).toBe('2026-03-11T18:00:00.000Z');
    expect(thisWeek.previous.start.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(thisWeek.previous.end.toISOString()).toBe('2026-03-04T19:00:00.000Z');

    const ws2 = newWorkspaceId();
    await act(ws2, { user: 'U1', kind: 'email', quantity: 1, at: '2026-03-04T18:30:00Z' }); // 13:30 EST: P
    await act(ws2, { user: 'U1', kind: 'email', quantity: 4, at: '2026-03-04T18:59:59Z' }); // 13:59:59 EST: P
    await act(ws2, { user: 'U1', kind: 'email', quantity: 2, at: '2026-03-04T19:00:00Z' }); // 14:00 EST: no
    await act(ws2, { user: 'U1', kind: 'email', quantity: 8, at: '2026-03-11T17:59:00Z' }); // W
    await act(ws2, { user: 'U1', kind: 'email', quantity: 16, at: '2026-03-11T18:00:00Z' }); // now: no
    await act(ws2, { user: 'U1', kind: 'email', quantity: 32, at: '2026-03-09T03:30:00Z' }); // Sun 8 Mar 23:30 EDT: no

    const week = await loadFacts(db, scope(ws2, 'U1', thisWeek));
    expect(week.current.activities).toEqual({ email: { quantity: 8, amountCents: 0 } });
    expect(week.previous.activities).toEqual({ email: { quantity: 5, amountCents: 0 } }); // 1 + 4
  });
});
