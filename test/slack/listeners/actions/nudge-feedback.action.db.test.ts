import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { NUDGE_RULES, UNHELPFUL_QUIET_DAYS } from '../../../../src/coaching/nudge-rules.js';
import { coachingFeedback, outbox } from '../../../../src/db/schema.js';
import { encodeFeedbackValue } from '../../../../src/slack/blocks/nudge.blocks.js';
import { createNudgeFeedbackAction } from '../../../../src/slack/listeners/actions/nudge-feedback.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, clickButton, handlerDeps, replies, useTestDatabase } from '../../../support/handler.js';

describeDb('createNudgeFeedbackAction', () => {
  const database = useTestDatabase();

  const rule = NUDGE_RULES[0] ?? '';

  async function nudgeFor(workspaceId: string, userId: string) {
    const key = `nudge:${userId}:2026-03-10`;
    await database.db
      .insert(outbox)
      .values({ workspaceId, key, kind: 'nudge', target: userId, payload: { text: 'tip' } });
    return key;
  }

  const click = (helpful: boolean, workspaceId: string, userId: string, value: string) =>
    clickButton(createNudgeFeedbackAction(handlerDeps(database.db), helpful), { workspaceId, userId, value });

  async function stored(workspaceId: string) {
    return database.db
      .select()
      .from(coachingFeedback)
      .where(and(eq(coachingFeedback.workspaceId, workspaceId)));
  }

  it('stores one answer per nudge, the last click winning, and thanks the rep privately', async () => {
    const ws = newWorkspaceId();
    const nudgeKey = await nudgeFor(ws, 'UANA');
    const value = encodeFeedbackValue({ nudgeKey, rule });
    expect(await click(true, ws, 'UANA', value)).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Thanks! Noted that this tip helped.',
    });
    const respond = await click(false, ws, 'UANA', value);
    expect(respond).toHaveBeenCalledWith(
      expect.objectContaining({ text: expect.stringContaining(`next ${UNHELPFUL_QUIET_DAYS} days`) }),
    );
    expect(await stored(ws)).toEqual([expect.objectContaining({ userId: 'UANA', nudgeKey, rule, helpful: false })]);
  });

  it("stores nothing for another rep's nudge, an unknown rule or a garbled value", async () => {
    const ws = newWorkspaceId();
    const nudgeKey = await nudgeFor(ws, 'UANA');
    for (const [userId, value] of [
      ['UBEN', encodeFeedbackValue({ nudgeKey, rule })],
      ['UANA', encodeFeedbackValue({ nudgeKey, rule: 'no-such-rule' })],
      ['UANA', '{not json'],
    ] as const) {
      expect(await click(true, ws, userId, value)).toHaveBeenCalledWith(
        expect.objectContaining({ text: 'That button is out of date; nothing was stored.' }),
      );
    }
    expect(await stored(ws)).toEqual([]);
  });
});
