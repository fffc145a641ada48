import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { claimReady } from '../../src/delivery/outbox.repository.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { enqueue, newDeliverer, post, postedKeys } from './delivery-support.js';

/**
 * The `*:history` scopes serve one purpose: after a crash, finding in a channel's history a post
 * that may have landed. A workspace whose admin removed them still gets every post: the lookup is
 * refused (`missing_scope`), and the post is sent again, at worst twice, never lost.
 */
let handle: DatabaseHandle;
let fake: FakeSlack;
const T0 = Date.parse('2026-11-23T09:00:00Z');
const clock = { ms: T0 };
const now = () => new Date(clock.ms);

const WITHOUT_HISTORY = ['commands', 'users:read', 'users:read.email', 'chat:write', 'files:write', 'im:write'];

describeDb('delivery without the history scopes', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => handle.close());
  beforeEach(async () => {
    clock.ms = T0;
    fake = await startFakeSlack({ now: () => clock.ms });
  });
  afterEach(async () => fake.close());

  it('posts an interrupted post when history is refused with missing_scope, instead of failing it', async () => {
    const ws = newWorkspaceId();
    const token = `xoxb-${ws}`;
    fake.addToken(token, { teamId: ws, botUserId: 'UBOT', botId: 'BBOT', scopes: WITHOUT_HISTORY });
    fake.addChannel({ id: 'CSALES', teamId: ws, members: ['UBOT'] });
    fake.addUser({ id: 'UBEN', teamId: ws, tz: 'UTC' });
    await enqueue(handle.db, [
      post(ws, 'board:1:w47', 'CSALES', { decidedAt: now() }),
      post(ws, 'nudge:UBEN:d1', 'UBEN', { kind: 'nudge', decidedAt: now() }),
    ]);
    // A replica claimed both and died: each may or may not be in Slack.
    await claimReady(handle.db, { now: now(), workerId: 'dead', leaseMs: 120_000, limit: 10, workspaceId: ws });
    clock.ms = T0 + 121_000;

    const report = await newDeliverer(handle.db, fake, { [ws]: token }, { now }).drain();

    expect(report).toEqual({ sent: 2, reconciled: 0, retrying: 0, failed: 0 });
    const history = fake.callsTo('conversations.history');
    expect(history.length).toBeGreaterThan(0);
    expect(history.every((c) => c.error === 'missing_scope')).toBe(true);
    expect(Object.fromEntries(postedKeys(fake))).toEqual({ 'board:1:w47': 1, 'nudge:UBEN:d1': 1 });
  });
});
