import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { latestUndoable, type NewActivity, recordActivity } from '../../src/activities/activities.repository.js';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { activities } from '../../src/db/schema.js';
import { undoActivity } from '../../src/recognition/undo.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let db: Database;
let seq = 0;

const OCCURRED = new Date('2026-11-17T14:30:00.123Z');
const UNDO_AT = new Date('2026-11-18T09:00:00Z');

function entry(workspaceId: string, fields: Partial<NewActivity> = {}): NewActivity {
  return {
    workspaceId,
    userId: 'U1',
    kind: 'call',
    quantity: 12,
    amountCents: 0,
    occurredAt: OCCURRED,
    source: 'slack',
    idempotencyKey: `key-${++seq}`,
    ...fields,
  };
}

async function rowsOf(workspaceId: string) {
  return db.select().from(activities).where(eq(activities.workspaceId, workspaceId)).orderBy(activities.id);
}

describeDb('activities repository', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
  });
  afterAll(async () => handle.close());

  it('stores an entry once per idempotency key and hands back the original on a retry', async () => {
    const ws = newWorkspaceId();
    const first = await recordActivity(db, entry(ws, { idempotencyKey: 'cmd-1', note: 'first' }));
    expect(first.created).toBe(true);
    expect(first.activity).toMatchObject({
      workspaceId: ws,
      userId: 'U1',
      kind: 'call',
      quantity: 12,
      amountCents: 0,
      occurredAt: OCCURRED,
      source: 'slack',
      idempotencyKey: 'cmd-1',
      reversesId: null,
      note: 'first',
    });

    // The retry carries different figures: the stored row wins, unchanged.
    const retry = await recordActivity(db, entry(ws, { idempotencyKey: 'cmd-1', quantity: 99, note: 'second' }));
    expect(retry.created).toBe(false);
    expect(retry.activity).toEqual(first.activity);
    expect(await rowsOf(ws)).toEqual([first.activity]);
  });

  it('keeps idempotency keys apart per workspace', async () => {
    const a = newWorkspaceId();
    const b = newWorkspaceId();
    const inA = await recordActivity(db, entry(a, { idempotencyKey: 'shared-key' }));
    const inB = await recordActivity(db, entry(b, { idempotencyKey: 'shared-key', quantity: 3 }));
    expect(inA.created).toBe(true);
    expect(inB.created).toBe(true);
    expect(inB.activity.id).not.toBe(inA.activity.id);
    expect(inB.activity).toMatchObject({ workspaceId: b, quantity: 3 });
    expect(await rowsOf(a)).toHaveLength(1);
    expect(await rowsOf(b)).toHaveLength(1);
  });

  it('stores exactly one row when ten inserts with one key race', async () => {
    const ws = newWorkspaceId();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        recordActivity(db, entry(ws, { idempotencyKey: 'double-click', quantity: i + 1 })),
      ),
    );
    const rows = await rowsOf(ws);
    expect(rows).toHaveLength(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    for (const r of results) expect(r.activity).toEqual(rows[0]);
  });

  it('undoes an entry with a reversal that negates it at the same instant, once', async () => {
    const ws = newWorkspaceId();
    const { activity: original } = await recordActivity(
      db,
      entry(ws, { kind: 'deal_won', quantity: 2, amountCents: 250_000, dealId: 42, leadId: 7, recordedBy: 'UMGR' }),
    );

    const result = await undoActivity(db, { workspaceId: ws, userId: 'U1' }, original.id, UNDO_AT);
    expect(result.status).toBe('undone');
    if (result.status !== 'undone') throw new Error('unreachable');
    expect(result.original).toEqual(original);
    expect(result.reversal).toMatchObject({
      workspaceId: ws,
      userId: 'U1',
      kind: 'deal_won',
      quantity: -2,
      amountCents: -250_000,
      occurredAt: OCCURRED,
      recordedAt: UNDO_AT,
      recordedBy: 'U1',
      source: 'slack',
      idempotencyKey: `undo:${original.id}`,
      reversesId: original.id,
      dealId: 42,
      leadId: 7,
    });
    expect(result.reversal.id).not.toBe(original.id);

    const again = await undoActivity(db, { workspaceId: ws, userId: 'U1' }, original.id, UNDO_AT);
    expect(again).toEqual({ status: 'already_undone', original });

    const rows = await rowsOf(ws);
    expect(rows).toHaveLength(2);
    // Net effect of the entry and its reversal: nothing.
    expect(rows.reduce((sum, r) => sum + r.quantity, 0)).toBe(0);
    expect(rows.reduce((sum, r) => sum + r.amountCents, 0)).toBe(0);
  });

  it('writes one reversal when two undos race', async () => {
    const ws = newWorkspaceId();
    const { activity } = await recordActivity(db, entry(ws, { quantity: 5 }));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => undoActivity(db, { workspaceId: ws, userId: 'U1' }, activity.id, UNDO_AT)),
    );
    expect(results.filter((r) => r.status === 'undone')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'already_undone')).toHaveLength(4);
    const reversals = (await rowsOf(ws)).filter((r) => r.reversesId === activity.id);
    expect(reversals).toHaveLength(1);
    expect(reversals[0]?.quantity).toBe(-5);
  });

  it("refuses to undo someone else's entry, a reversal, an unknown id and another workspace's entry", async () => {
    const ws = newWorkspaceId();
    const other = newWorkspaceId();
    const { activity: ana } = await recordActivity(db, entry(ws, { userId: 'UANA' }));

    const notYours = await undoActivity(db, { workspaceId: ws, userId: 'UBEN' }, ana.id, UNDO_AT);
    expect(notYours).toEqual({ status: 'not_yours', original: ana });
    expect(await rowsOf(ws)).toHaveLength(1);

    const undone = await undoActivity(db, { workspaceId: ws, userId: 'UANA' }, ana.id, UNDO_AT);
    if (undone.status !== 'undone') throw new Error(`expected undone, got ${undone.status}`);
    // Reversing the reversal would bring the entry back: it is not an undoable entry.
    expect(await undoActivity(db, { workspaceId: ws, userId: 'UANA' }, undone.reversal.id, UNDO_AT)).toEqual({
      status: 'not_found',
    });

    expect(await undoActivity(db, { workspaceId: ws, userId: 'UANA' }, 9_007_199_254, UNDO_AT)).toEqual({
      status: 'not_found',
    });

    // The same user id in another workspace cannot reach this workspace's entry, nor the other way round.
    const { activity: elsewhere } = await recordActivity(db, entry(other, { userId: 'UANA' }));
    expect(await undoActivity(db, { workspaceId: ws, userId: 'UANA' }, elsewhere.id, UNDO_AT)).toEqual({
      status: 'not_found',
    });
    expect(await rowsOf(ws)).toHaveLength(2); // ana's entry and its one reversal
    expect(await rowsOf(other)).toEqual([elsewhere]);
  });

  it('offers the newest recorded Slack entry that is neither undone nor a reversal for undo', async () => {
    const ws = newWorkspaceId();
    expect(await latestUndoable(db, ws, 'U1')).toBeUndefined();

    const { activity: a } = await recordActivity(db, entry(ws, { quantity: 1 }));
    // Recorded later but happened earlier: recording order decides.
    const { activity: b } = await recordActivity(db, entry(ws, { quantity: 2, occurredAt: new Date('2026-01-01') }));
    const { activity: c } = await recordActivity(db, entry(ws, { quantity: 3 }));
    // Newer rows that must be skipped: another rep's, and one the CRM sent.
    await recordActivity(db, entry(ws, { userId: 'U2', quantity: 4 }));
    await recordActivity(db, entry(ws, { quantity: 5, source: 'crm' }));
    // The same rep in another workspace.
    await recordActivity(db, entry(newWorkspaceId(), { quantity: 6 }));

    expect((await latestUndoable(db, ws, 'U1'))?.id).toBe(c.id);
    await undoActivity(db, { workspaceId: ws, userId: 'U1' }, c.id, UNDO_AT);
    // c is undone and its reversal (the newest row) is not itself undoable: b is next.
    expect((await latestUndoable(db, ws, 'U1'))?.id).toBe(b.id);
    await undoActivity(db, { workspaceId: ws, userId: 'U1' }, b.id, UNDO_AT);
    expect(await latestUndoable(db, ws, 'U1')).toEqual(a);
    await undoActivity(db, { workspaceId: ws, userId: 'U1' }, a.id, UNDO_AT);
    expect(await latestUndoable(db, ws, 'U1')).toBeUndefined();

    const u2 = await latestUndoable(db, ws, 'U2');
    expect(u2?.quantity).toBe(4);
    const stored = await db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, ws), eq(activities.userId, 'U1')));
    expect(stored).toHaveLength(7); // a, b, c, the CRM row and three reversals
  });
});
