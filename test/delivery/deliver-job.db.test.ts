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
    // Starting the app kicked a pass over the (empty) outbox.
    await h.bot.delivery.idle();
  });
  afterAll(async () => {
    await h.close();
  });

  it('is scheduled every minute in UTC', () => {
    expect(findJob('deliver')).toMatchObject({ cron: '* * * * *', timezone: 'UTC' });
  });

  it('sends what is due when run, through the app’s own deliverer', async () => {
    await enqueuePosts(h.database.db, [
      post(h.teamId, 'nudge:UANA:d1', 'UANA', { kind: 'nudge', decidedAt: h.clock.now }),
    ]);
    expect(await h.bot.runJob('deliver', h.clock.now)).toEqual({ sent: 1, reconciled: 0, retrying: 0, failed: 0 });
    expect(h.fake.messagesIn(h.fake.dmChannelOf('UANA')).map((m) => m.text)).toEqual(['post nudge:UANA:d1']);
  });

  it('sends what a job enqueued right after it, and idle() waits for the background pass', async () => {
    await enqueuePosts(h.database.db, [
      post(h.teamId, 'nudge:UANA:d2', 'UANA', { kind: 'nudge', decidedAt: h.clock.now }),
    ]);
    // Jobs kick the deliverer as they return (here by hand, as only `deliver` is in this branch's catalogue).
    h.bot.delivery.kick();
    h.bot.delivery.kick();
    await h.bot.delivery.idle();
    expect(h.fake.messagesIn(h.fake.dmChannelOf('UANA')).map((m) => m.text)).toEqual([
      'post nudge:UANA:d1',
      'post nudge:UANA:d2',
    ]);
  });
});
