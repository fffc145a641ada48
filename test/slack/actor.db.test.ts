import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordActivity } from '../../src/activities/activities.repository.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { deals, leads } from '../../src/db/schema.js';
import { ensureWorkspace, upsertProfile } from '../../src/members/members.repository.js';
import { readActorRows } from '../../src/slack/actor.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

/**
 * The actor's one read carries what a scorecard would otherwise read again: which kinds of data the
 * workspace has had, and the zone the member's days are kept in. Both are the asking workspace's
 * alone: another workspace's deals or zones never leak in.
 */
describeDb('the actor’s read', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => handle.close());

  it('says which data the workspace has and where the member’s days are kept, for that workspace only', async () => {
    const { db } = handle;
    const [mine, other] = [newWorkspaceId(), newWorkspaceId()];
    for (const ws of [mine, other]) await ensureWorkspace(db, ws);
    const profile = (workspaceId: string, timezone: string) => ({
      workspaceId,
      userId: 'UANA',
      displayName: 'Ana',
      email: null,
      timezone,
      isBot: false,
      isDeleted: false,
      isSlackAdmin: false,
    });
    await upsertProfile(db, profile(mine, 'Europe/Paris'), new Date());
    await upsertProfile(db, profile(other, 'Asia/Tokyo'), new Date());
    const at = new Date('2026-11-16T15:00:00Z');
    // The other workspace has deals, leads and Ana's entries; mine has nothing yet.
    await db.insert(deals).values({
      workspaceId: other,
      source: 'hubspot',
      externalId: 'd1',
      ownerUserId: 'UANA',
      status: 'open',
      openedAt: at,
    });
    await db.insert(leads).values({ workspaceId: other, source: 'webform', externalId: 'l1', createdAt: at });
    const entry = {
      userId: 'UANA',
      kind: 'call' as const,
      quantity: 1,
      amountCents: 0,
      occurredAt: at,
      source: 'slack',
    };
    await recordActivity(db, { ...entry, workspaceId: other, idempotencyKey: 'o1' });

    const none = { deals: false, leads: false, customers: false, spend: false };
    expect((await readActorRows(db, mine, 'UANA'))?.known).toEqual({ sources: none, keptZone: null });
    expect((await readActorRows(db, other, 'UANA'))?.known).toEqual({
      sources: { ...none, deals: true, leads: true },
      keptZone: 'Asia/Tokyo',
    });

    await recordActivity(db, { ...entry, workspaceId: mine, idempotencyKey: 'm1' });
    expect((await readActorRows(db, mine, 'UANA'))?.known).toEqual({ sources: none, keptZone: 'Europe/Paris' });
    // A member the workspace has never seen still gets the workspace's row, and no member.
    const stranger = await readActorRows(db, mine, 'UNEW');
    expect(stranger?.member).toBeNull();
    expect(stranger?.workspace.id).toBe(mine);
    expect(await readActorRows(db, newWorkspaceId(), 'UANA')).toBeUndefined();
  });
});
