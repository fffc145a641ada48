import { expect, it } from 'vitest';
import { recordActivity } from '../../../../src/activities/activities.repository.js';
import { createUndoAction } from '../../../../src/slack/listeners/actions/undo.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import {
  argsOf,
  clickButton,
  handlerDeps,
  NOW,
  replies,
  seedMember,
  useTestDatabase,
} from '../../../support/handler.js';

describeDb('createUndoAction', () => {
  const database = useTestDatabase();

  async function logged(workspaceId: string, userId: string) {
    await seedMember(database.db, workspaceId, userId);
    const { activity } = await recordActivity(database.db, {
      workspaceId,
      userId,
      kind: 'call',
      quantity: 1,
      amountCents: 0,
      occurredAt: NOW,
      source: 'slack',
      idempotencyKey: `undo-test-${workspaceId}`,
    });
    return activity;
  }

  const click = (workspaceId: string, userId: string, value: string) =>
    clickButton(createUndoAction(handlerDeps(database.db)), { workspaceId, userId, value });

  it('acks, reverses the entry once, and says so when clicked again', async () => {
    const ws = newWorkspaceId();
    const activity = await logged(ws, 'UANA');
    const first = await click(ws, 'UANA', String(activity.id));
    expect(first).toHaveBeenCalledWith(
      expect.objectContaining({ replace_original: true, text: expect.stringMatching(/^Undone: /) }),
    );
    const second = await click(ws, 'UANA', String(activity.id));
    expect(second).toHaveBeenCalledWith(
      expect.objectContaining({ text: expect.stringMatching(/^That entry was already undone/) }),
    );
  });

  it("refuses someone else's entry, privately, and changes nothing", async () => {
    const ws = newWorkspaceId();
    const activity = await logged(ws, 'UANA');
    const respond = await click(ws, 'UBEN', String(activity.id));
    expect(respond).toHaveBeenCalledWith(
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringMatching(/^Only the person who logged/),
      }),
    );
    const again = await click(ws, 'UANA', String(activity.id));
    expect(again).toHaveBeenCalledWith(expect.objectContaining({ text: expect.stringMatching(/^Undone: /) }));
  });

  it('answers a button with a value that is not an id as out of date', async () => {
    const respond = await click(newWorkspaceId(), 'UANA', 'not-a-number');
    expect(respond).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'That button is out of date; nothing was changed.',
    });
  });
});
