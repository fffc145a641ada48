import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordActivity } from '../../../../src/activities/activities.repository.js';
import type { DatabaseHandle } from '../../../../src/db/client.js';
import { createUndoAction } from '../../../../src/slack/listeners/actions/undo.action.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../../../support/db.js';
import { argsOf, handlerDeps, NOW, replies, seedMember } from '../../../support/handler.js';

describeDb('createUndoAction', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

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

  async function click(workspaceId: string, userId: string, value: string) {
    const handler = createUndoAction(handlerDeps(database.db));
    const { ack, respond } = replies();
    await handler(
      argsOf(handler, {
        ack,
        respond,
        body: { user: { id: userId } },
        action: { value },
        context: { teamId: workspaceId },
      }),
    );
    return { ack, respond };
  }

  it('acks, reverses the entry once, and says so when clicked again', async () => {
    const ws = newWorkspaceId();
    const activity = await logged(ws, 'UANA');
    const first = await click(ws, 'UANA', String(activity.id));
    expect(first.ack).toHaveBeenCalledOnce();
    expect(first.respond).toHaveBeenCalledWith(
      expect.objectContaining({ replace_original: true, text: expect.stringMatching(/^Undone: /) }),
    );
    const second = await click(ws, 'UANA', String(activity.id));
    expect(second.respond).toHaveBeenCalledWith(
      expect.objectContaining({ text: expect.stringMatching(/^That entry was already undone/) }),
    );
  });

  it("refuses someone else's entry, privately, and changes nothing", async () => {
    const ws = newWorkspaceId();
    const activity = await logged(ws, 'UANA');
    const { respond } = await click(ws, 'UBEN', String(activity.id));
    expect(respond).toHaveBeenCalledWith(
      expect.objectContaining({
        response_type: 'ephemeral',
        text: expect.stringMatching(/^Only the person who logged/),
      }),
    );
    const again = await click(ws, 'UANA', String(activity.id));
    expect(again.respond).toHaveBeenCalledWith(expect.objectContaining({ text: expect.stringMatching(/^Undone: /) }));
  });

  it('answers a button with a value that is not an id as out of date', async () => {
    const { ack, respond } = await click(newWorkspaceId(), 'UANA', 'not-a-number');
    expect(ack).toHaveBeenCalledOnce();
    expect(respond).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'That button is out of date; nothing was changed.',
    });
  });
});
