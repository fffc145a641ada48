import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';

/** Slack slow to answer a command's look-up: the reply still comes within Slack's 3 seconds. */

let h: Harness;

describeDb('a command while Slack is slow', () => {
  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UANA', { name: 'Ana' });
  });
  afterAll(async () => h.close());

  it('answers from the stored profile when users.info does not answer in time', async () => {
    await h.kpi('UANA', 'log calls 2');
    // A day later the profile is due for a refresh, and Slack takes the call but never answers.
    h.clock.now = new Date(h.clock.now.getTime() + 25 * 3600_000);
    h.fake.holdAnswersAfter('users.info', 0);
    const started = performance.now();
    const reply = await h.kpi('UANA', 'me');
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(JSON.stringify(reply.body)).toContain('Calls');
    expect(h.fake.callsTo('users.info').length).toBeGreaterThanOrEqual(2);
  });
});
