import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordActivity } from '../../src/activities/activities.repository.js';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { goals } from '../../src/db/schema.js';
import { goalViews } from '../../src/goals/goal-status.js';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let db: Database;
let seq = 0;

// Wednesday 18 Nov 2026, 10:00 in New York.
const NOW = new Date('2026-11-18T15:00:00Z');
const NY = 'America/New_York';

async function log(workspaceId: string, userId: string, kind: ActivityKind, quantity: number, occurredAt: Date) {
  await recordActivity(db, {
    workspaceId,
    userId,
    kind,
    quantity,
    amountCents: 0,
    occurredAt,
    source: 'slack',
    idempotencyKey: `k${++seq}`,
  });
}

describeDb('goal views', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
  });
  afterAll(async () => handle.close());

  it("counts each person's value in their own goal window and works out the pace", async () => {
    const ws = newWorkspaceId();
    await db.insert(goals).values([
      { workspaceId: ws, userId: 'U1', metric: 'meetings', target: 10, period: 'week', setBy: 'U1' },
      { workspaceId: ws, userId: 'U2', metric: 'meetings', target: 4, period: 'week', setBy: 'UM' },
      { workspaceId: ws, userId: 'U1', metric: 'calls', target: 200, period: 'month', setBy: 'U1' },
    ]);
    await log(ws, 'U1', 'meeting', 4, new Date('2026-11-16T15:00:00Z')); // this week
    await log(ws, 'U1', 'meeting', 9, new Date('2026-11-12T15:00:00Z')); // last week: not counted
    await log(ws, 'U2', 'meeting', 5, new Date('2026-11-17T15:00:00Z'));
    await log(ws, 'U1', 'call', 50, new Date('2026-11-02T15:00:00Z'));

    const views = await goalViews(db, { workspaceId: ws, now: NOW }, [
      { userId: 'U1', timezone: NY },
      { userId: 'U2', timezone: NY },
      { userId: 'U3', timezone: NY },
    ]);
    const u1 = views.get('U1') ?? [];
    const meetings = u1.find((v) => v.def.key === 'meetings');
    expect(meetings?.value).toBe(4);
    expect(meetings?.window.start).toEqual(new Date('2026-11-16T05:00:00Z'));
    expect(meetings?.window.end).toEqual(new Date('2026-11-23T05:00:00Z'));
    // Wednesday 10:00: Wed, Thu, Fri left for 6 more meetings.
    expect(meetings?.progress.workingDaysLeft).toBe(3);
    expect(meetings?.progress.pacePerDay).toBe(2);
    expect(u1.find((v) => v.def.key === 'calls')?.value).toBe(50);
    expect(views.get('U2')?.[0]?.progress.status).toBe('met');
    expect(views.get('U3')).toEqual([]);
  });

  it('uses the newest goal when one is set again, and ignores archived goals and other workspaces', async () => {
    const ws = newWorkspaceId();
    await db.insert(goals).values([
      {
        workspaceId: ws,
        userId: 'U1',
        metric: 'calls',
        target: 50,
        period: 'week',
        setBy: 'U1',
        createdAt: new Date('2026-11-01'),
      },
      {
        workspaceId: ws,
        userId: 'U1',
        metric: 'calls',
        target: 80,
        period: 'week',
        setBy: 'U1',
        createdAt: new Date('2026-11-10'),
      },
      {
        workspaceId: ws,
        userId: 'U1',
        metric: 'demos',
        target: 3,
        period: 'week',
        setBy: 'U1',
        archivedAt: new Date('2026-11-11'),
      },
      { workspaceId: newWorkspaceId(), userId: 'U1', metric: 'emails', target: 9, period: 'week', setBy: 'U1' },
    ]);
    const views = await goalViews(db, { workspaceId: ws, now: NOW }, [{ userId: 'U1', timezone: NY }]);
    expect(views.get('U1')?.map((v) => [v.def.key, v.goal.target])).toEqual([['calls', 80]]);
  });

  it('covers a custom goal from its first to its last day', async () => {
    const ws = newWorkspaceId();
    await db.insert(goals).values({
      workspaceId: ws,
      userId: 'U1',
      metric: 'demos',
      target: 6,
      period: 'custom',
      startsOn: '2026-11-09',
      endsOn: '2026-11-20',
      setBy: 'UM',
    });
    await log(ws, 'U1', 'demo', 2, new Date('2026-11-10T15:00:00Z'));
    await log(ws, 'U1', 'demo', 1, new Date('2026-11-05T15:00:00Z'));
    const [view] =
      (await goalViews(db, { workspaceId: ws, now: NOW }, [{ userId: 'U1', timezone: NY }])).get('U1') ?? [];
    expect(view?.value).toBe(2);
    expect(view?.window.end).toEqual(new Date('2026-11-21T05:00:00Z'));
    expect(view?.progress.status).toBe('behind');
  });
  it('reads the window before only for a goal whose figure compares with it (growth)', async () => {
    const ws = newWorkspaceId();
    await db.insert(goals).values([
      { workspaceId: ws, userId: 'U1', metric: 'sales_growth', target: 1, period: 'week', setBy: 'U1' },
      { workspaceId: ws, userId: 'U1', metric: 'revenue', target: 100_000, period: 'week', setBy: 'U1' },
    ]);
    const won = (amountCents: number, occurredAt: Date) =>
      recordActivity(db, {
        workspaceId: ws,
        userId: 'U1',
        kind: 'deal_won',
        quantity: 1,
        amountCents,
        occurredAt,
        source: 'slack',
        idempotencyKey: `k${++seq}`,
      });
    await won(10_000, new Date('2026-11-10T15:00:00Z')); // last week, before the same point
    await won(15_000, new Date('2026-11-17T15:00:00Z')); // this week
    const views = (await goalViews(db, { workspaceId: ws, now: NOW }, [{ userId: 'U1', timezone: NY }])).get('U1');
    expect(views?.find((v) => v.def.key === 'sales_growth')?.value).toBeCloseTo(0.5, 12);
    expect(views?.find((v) => v.def.key === 'revenue')?.value).toBe(15_000);
  });
});
