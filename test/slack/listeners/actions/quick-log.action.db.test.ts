import { and, eq } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { activities } from '../../../../src/db/schema.js';
import { createQuickLogAction } from '../../../../src/slack/listeners/actions/quick-log.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

describeDb('createQuickLogAction', () => {
  const database = useTestDatabase();
  const rows = (workspaceId: string) =>
    database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, workspaceId)));

  async function press(workspaceId: string, value: string, o: { triggerId: string; inDm: boolean }) {
    const handler = createQuickLogAction(handlerDeps(database.db));
    const client = stubClient();
    const update = vi.spyOn(client.chat, 'update').mockResolvedValue({ ok: true });
    const post = vi.spyOn(client.chat, 'postMessage').mockResolvedValue({ ok: true });
    const publish = vi.spyOn(client.views, 'publish').mockResolvedValue({ ok: true });
    const { ack, respond } = replies();
    const message = {
      ts: '1.000100',
      text: 'Your day',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }],
    };
    await handler(
      argsOf(handler, {
        ack,
        respond,
        client,
        action: { value },
        context: { teamId: workspaceId },
        body: {
          user: { id: 'UANA' },
          trigger_id: o.triggerId,
          ...(o.inDm ? { message, channel: { id: 'DANA' } } : { view: { type: 'home' } }),
        },
      }),
    );
    return { ack, respond, update, post, publish };
  }

  it('acks first, logs one call per interaction and updates the nudge DM in place', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const first = await press(ws, 'call', { triggerId: 't1', inDm: true });
    const retry = await press(ws, 'call', { triggerId: 't1', inDm: true });
    expect(await rows(ws)).toMatchObject([{ kind: 'call', quantity: 1, idempotencyKey: 'slack:t1' }]);
    for (const { ack, update } of [first, retry]) {
      expect(ack.mock.invocationCallOrder[0]).toBeLessThan(update.mock.invocationCallOrder[0] ?? 0);
      expect(update).toHaveBeenCalledWith(
        expect.objectContaining({ channel: 'DANA', ts: '1.000100', text: 'Your day' }),
      );
      expect(JSON.stringify(update.mock.calls[0]?.[0])).toContain('Logged 1 call.');
    }
    expect(first.post).not.toHaveBeenCalled();
  });

  it('on the App Home republishes the tab and confirms in the DM once', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const first = await press(ws, 'meeting', { triggerId: 'h1', inDm: false });
    const retry = await press(ws, 'meeting', { triggerId: 'h1', inDm: false });
    expect(await rows(ws)).toHaveLength(1);
    expect(first.publish).toHaveBeenCalledWith(expect.objectContaining({ user_id: 'UANA' }));
    expect(retry.publish).toHaveBeenCalledOnce();
    expect(first.post).toHaveBeenCalledWith(expect.objectContaining({ channel: 'UANA', text: 'Logged 1 meeting.' }));
    expect(retry.post).not.toHaveBeenCalled();
  });

  it('answers a button it does not know as out of date and logs nothing', async () => {
    const ws = newWorkspaceId();
    const { respond, update } = await press(ws, 'deal_won', { triggerId: 'x1', inDm: true });
    expect(respond).toHaveBeenCalledWith(
      expect.objectContaining({ text: 'That button is out of date; nothing was logged.' }),
    );
    expect(update).not.toHaveBeenCalled();
    expect(await rows(ws)).toHaveLength(0);
  });
});
