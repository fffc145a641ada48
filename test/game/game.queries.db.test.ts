import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordActivity } from '../../src/activities/activities.repository.js';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { goals } from '../../src/db/schema.js';
import { loadGameProfiles } from '../../src/game/game.queries.js';
import { parseSettings } from '../../src/game/settings.js';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import { ensureWorkspace } from '../../src/members/members.repository.js';
import { undoActivity } from '../../src/recognition/undo.js';
import { readActorRows } from '../../src/slack/actor.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

let handle: DatabaseHandle;
let db: Database;
let seq = 0;

async function log(
  workspaceId: string,
  userId: string,
  kind: ActivityKind,
  quantity: number,
  at: string,
  extra: { amountCents?: number; note?: string } = {},
) {
  const { activity } = await recordActivity(db, {
    workspaceId,
    userId,
    kind,
    quantity,
    amountCents: extra.amountCents ?? 0,
    note: extra.note ?? null,
    occurredAt: new Date(at),
    source: 'slack',
    idempotencyKey: `g${++seq}`,
  });
  return activity;
}

const NY = 'America/New_York';

describeDb('game profiles from the log', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
  });
  afterAll(async () => handle.close());

  it('buckets each rep by their own local day across a clock change, many reps in one call', async () => {
    const ws = newWorkspaceId();
    // Clocks went forward in New York on Sun 8 Mar 2026. 04:30Z on Tue 10 Mar is 00:30 EDT Tuesday
    // (23:30 Monday at the winter offset): it belongs to Tuesday.
    await log(ws, 'UNY', 'call', 10, '2026-03-09T15:00:00Z');
    await log(ws, 'UNY', 'call', 10, '2026-03-10T04:30:00Z');
    await log(ws, 'ULON', 'call', 10, '2026-03-09T15:00:00Z');
    await log(newWorkspaceId(), 'UNY', 'call', 500, '2026-03-09T15:00:00Z'); // another workspace
    const now = new Date('2026-03-10T15:00:00Z');
    const profiles = await loadGameProfiles(db, { workspaceId: ws, now, settings: parseSettings({}) }, [
      { userId: 'UNY', timezone: NY },
      { userId: 'ULON', timezone: 'Europe/London' },
      { userId: 'UNONE', timezone: 'Not/AZone' },
    ]);
    expect(profiles.get('UNY')).toMatchObject({ points: 20, streak: { current: 2, today: 10 } });
    expect(profiles.get('ULON')).toMatchObject({ points: 10, streak: { current: 1, today: 0 } });
    expect(profiles.get('UNONE')).toMatchObject({ points: 0, level: { level: 1 }, streak: { current: 0 }, badges: [] });
  });

  it('gives the same profiles when the kept zones come with the actor’s read, kept or moved', async () => {
    const ws = newWorkspaceId();
    await ensureWorkspace(db, ws);
    // Kept in the zone each is asked in (UTC, the workspace's), or asked in another (New York), or none kept.
    await log(ws, 'UKEPT', 'call', 10, '2026-03-09T15:00:00Z');
    await log(ws, 'UKEPT', 'call', 10, '2026-03-10T14:00:00Z');
    await log(ws, 'UMOVED', 'call', 10, '2026-03-09T15:00:00Z');
    await log(ws, 'UMOVED', 'call', 10, '2026-03-10T03:00:00Z');
    const now = new Date('2026-03-10T15:00:00Z');
    const people = [
      { userId: 'UKEPT', timezone: 'UTC' },
      { userId: 'UMOVED', timezone: NY },
      { userId: 'UNONE', timezone: 'UTC' },
    ];
    const withKept = await Promise.all(
      people.map(async (p) => ({ ...p, keptZone: (await readActorRows(db, ws, p.userId))?.known.keptZone ?? null })),
    );
    expect(withKept.map((p) => p.keptZone)).toEqual(['UTC', 'UTC', null]);
    const ctx = { workspaceId: ws, now, settings: parseSettings({}) };
    const read = await loadGameProfiles(db, ctx, people);
    expect(await loadGameProfiles(db, ctx, withKept)).toEqual(read);
    // Moved: New York's days, from the log (03:00Z on the 10th is 23:00 on the 9th there).
    expect(read.get('UMOVED')).toMatchObject({ points: 20, streak: { current: 1, today: 0 } });
    expect(read.get('UKEPT')).toMatchObject({ streak: { current: 2 } });
  });

  it('applies the quality gates and the weights stored in the workspace settings', async () => {
    const ws = newWorkspaceId();
    const settings = parseSettings({
      points: { conversation: 4 },
      qualityGates: { conversation: { minNoteChars: 10 } },
    });
    await log(ws, 'U1', 'conversation', 1, '2026-11-16T15:00:00Z', { note: 'agreed a demo on Friday' });
    await log(ws, 'U1', 'conversation', 5, '2026-11-16T15:00:00Z', { note: 'x' });
    const profile = (
      await loadGameProfiles(db, { workspaceId: ws, now: new Date('2026-11-16T20:00:00Z'), settings }, [
        { userId: 'U1', timezone: NY },
      ])
    ).get('U1');
    expect(profile).toMatchObject({ points: 4, streak: { today: 1 } });
  });

  it('an undone deal takes its points and its first-deal badge away; a revenue goal met gives quota hit', async () => {
    const ws = newWorkspaceId();
    const now = new Date('2026-11-18T20:00:00Z');
    const load = async () =>
      (await loadGameProfiles(db, { workspaceId: ws, now }, [{ userId: 'U1', timezone: NY }])).get('U1');
    const won = await log(ws, 'U1', 'deal_won', 1, '2026-11-17T15:00:00Z', { amountCents: 6000_00 });
    await db.insert(goals).values({
      workspaceId: ws,
      userId: 'U1',
      metric: 'revenue',
      target: 5000_00,
      period: 'week',
      setBy: 'U1',
      createdAt: new Date('2026-11-16T14:00:00Z'),
    });
    expect((await load())?.badges.map((b) => [b.key, b.earnedOn])).toEqual([
      ['first_deal', '2026-11-17'],
      ['quota_hit', '2026-11-17'],
    ]);
    await undoActivity(db, { workspaceId: ws, userId: 'U1' }, won.id, now);
    expect(await load()).toMatchObject({ points: 0, badges: [] });
  });
});
