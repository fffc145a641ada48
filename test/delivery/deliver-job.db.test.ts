import { afterAll, beforeAll, expect, it } from 'vitest';
import { enqueuePosts } from '../../src/delivery/outbox.repository.js';
import { findJob } from '../../src/jobs/catalog.js';
import { describeDb } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';
import { post } from './delivery-support.js';

let h: Harness;

describeDb('the deliver job and the app', () => {
  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UANA');
    h.addUser('UBEN');
    // Starting the app kicked a pass over the (empty) outbox.
    await h.bot.delivery.idle();
  });
  afterAll(async () => {
    await h.close();
  });

  it('is scheduled every minute in UTC', () => {
    expect(findJob('deliver')).toMatchObject({ cron: '* * * * *', timezone: 'UTC' });
  });

  it('sends a post as soon as the transaction that wrote it commits, with no job run', async () => {
    await h.database.db.transaction(async (tx) => {
      await enqueuePosts(tx, [post(h.teamId, 'nudge:UBEN:d2', 'UBEN', { kind: 'nudge', decidedAt: h.clock.now })]);
      // Not before the commit: a deliverer woken now could not claim it yet.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(h.fake.callsTo('chat.postMessage')).toHaveLength(0);
    });
    await h.fake.waitFor(
      (e) => e.kind === 'call' && e.method === 'chat.postMessage' && e.args.text === 'post nudge:UBEN:d2',
      10_000,
    );
    expect(h.fake.messagesIn(h.fake.dmChannelOf('UBEN')).map((m) => m.text)).toEqual(['post nudge:UBEN:d2']);
  });

  it('sends what is due when run, through the app’s own deliverer', async () => {
    // Due in a minute: too far for the pass its commit wakes to wait for.
    const due = new Date(h.clock.now.getTime() + 60_000);
    await enqueuePosts(h.database.db, [post(h.teamId, 'nudge:UANA:d1', 'UANA', { kind: 'nudge', decidedAt: due })]);
    await h.bot.delivery.idle();
    expect(await h.bot.runJob('deliver', due)).toEqual({ sent: 1, reconciled: 0, retrying: 0, failed: 0 });
    expect(h.fake.messagesIn(h.fake.dmChannelOf('UANA')).map((m) => m.text)).toEqual(['post nudge:UANA:d1']);
  });
});
