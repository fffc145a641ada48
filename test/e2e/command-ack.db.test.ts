import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';
import { newTriggerId } from '../support/slack-signing.js';

/**
 * Where `/kpi` replies: in the body of the HTTP 200 that acknowledges the command when the answer is
 * ready within the budget, else through the response_url after an empty acknowledgement. Exactly
 * one reply either way, and Slack's three seconds kept.
 */

/** Long enough for a listener that answers twice, or late, to have posted its second reply. */
const SETTLE_MS = 500;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Every reply the fake saw for one command, whichever way it came. */
const repliesTo = (h: Harness, id: string): RecordedResponse[] => h.fake.responses.filter((r) => r.id === id);

describeDb('/kpi answers in its acknowledgement', () => {
  let h: Harness;

  beforeAll(async () => {
    // A budget far above these answers' tens of milliseconds: a loaded machine still answers in time.
    h = await startHarness({ commandAckBudgetMs: 5_000 });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UMGR', { name: 'Maya', isAdmin: true });
    await h.kpi('UANA', 'log calls 3');
    // A window ends at "now", exclusive: a minute later the calls are inside it.
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
  });
  afterAll(async () => h.close());

  it.each([
    ['me', '*Calls*\\n3'],
    ['board calls', 'Ana'],
    ['frobnicate', "I don't know the command"],
  ])('/kpi %s: the reply is the acknowledgement, and nothing goes to the response_url', async (text, expected) => {
    const sent = await h.command('UANA', text);
    expect(sent.status).toBe(200);
    expect(sent.inAck?.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(sent.inAck?.body)).toContain(expected);
    await settle();
    expect(repliesTo(h, sent.responseId)).toEqual([sent.inAck]);
  });

  it('opens the contest form with the trigger id, and says so in the acknowledgement', async () => {
    const triggerId = newTriggerId();
    const sent = await h.command('UMGR', 'contest new', { triggerId });
    expect(h.fake.callsTo('views.open').at(-1)).toMatchObject({ ok: true, args: { trigger_id: triggerId } });
    expect(sent.inAck?.body.text).toContain('Fill in the form');
    await settle();
    expect(repliesTo(h, sent.responseId)).toEqual([sent.inAck]);
  });
});

describeDb('/kpi acknowledges empty and replies through the response_url', () => {
  const BUDGET_MS = 200;
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ commandAckBudgetMs: BUDGET_MS });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UMGR', { name: 'Maya', isAdmin: true });
  });
  afterEach(() => h.fake.reset());
  afterAll(async () => h.close());

  it('acknowledges within the budget while Slack is slow, then replies once', async () => {
    // Slack takes users.info and never answers: the look-up gives up after its 1.5 s deadline.
    h.addUser('UBEA', { name: 'Bea' });
    h.fake.holdAnswersAfter('users.info', 0);
    const sent = await h.command('UBEA', 'me');
    expect(sent.status).toBe(200);
    expect(sent.inAck).toBeUndefined();
    // Well above the 200 ms budget, well below the 1.5 s a listener waiting for its answer would take.
    expect(sent.ackMs).toBeLessThan(1_200);
    const reply = await h.fake.waitFor((e): e is RecordedResponse => e.kind === 'response', 10_000);
    expect(reply).toMatchObject({ id: sent.responseId, via: 'response_url', ok: true });
    expect(reply.body.text).toContain('Your scorecard');
    await settle();
    expect(repliesTo(h, sent.responseId)).toEqual([reply]);
    expect(h.fake.callsTo('users.info')).toHaveLength(1);
  });

  describe.each([
    ['a refusal', 'UANA', (_h: Harness) => {}, 'contest'],
    [
      'an unexpected error',
      'UMGR',
      (hh: Harness) => hh.fake.failNext('views.open', { error: 'internal_error' }),
      'Sorry, something went wrong',
    ],
  ])('%s in a subcommand', (_name, userId, arrange, expected) => {
    it('is acknowledged empty, then told once through the response_url', async () => {
      arrange(h);
      const sent = await h.command(userId, 'contest new', { triggerId: newTriggerId() });
      expect(sent.status).toBe(200);
      expect(sent.inAck).toBeUndefined();
      const reply = await h.fake.waitFor((e): e is RecordedResponse => e.kind === 'response', 10_000);
      expect(reply).toMatchObject({ id: sent.responseId, via: 'response_url', ok: true });
      expect(String(reply.body.text)).toContain(expected);
      await settle();
      expect(repliesTo(h, sent.responseId)).toEqual([reply]);
    });
  });
});
