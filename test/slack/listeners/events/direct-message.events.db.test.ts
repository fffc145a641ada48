import { eq } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { activities } from '../../../../src/db/schema.js';
import { createDirectMessageHandler, DM_HELP } from '../../../../src/slack/listeners/events/direct-message.events.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

describeDb('createDirectMessageHandler', () => {
  const database = useTestDatabase();
  const rows = (ws: string) => database.db.select().from(activities).where(eq(activities.workspaceId, ws));

  /** A `message.im` event (https://docs.slack.dev/reference/events/message.im) from UANA. */
  async function receive(workspaceId: string, text: string, extra: Record<string, unknown> = {}) {
    const handler = createDirectMessageHandler(handlerDeps(database.db));
    const client = stubClient();
    const post = vi.spyOn(client.chat, 'postMessage').mockResolvedValue({ ok: true });
    const event = {
      type: 'message',
      channel: 'DANA',
      channel_type: 'im',
      user: 'UANA',
      text,
      ts: '1.000200',
      team: workspaceId,
      ...extra,
    };
    await handler(argsOf(handler, { event, client, context: { teamId: workspaceId }, body: { team_id: workspaceId } }));
    return post;
  }

  it('logs `3 demos` once per message, however often Slack delivers it, and replies in the DM', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const first = await receive(ws, '3 demos');
    const retry = await receive(ws, '3 demos');
    expect(await rows(ws)).toMatchObject([{ kind: 'demo', quantity: 3, idempotencyKey: 'slack:dm:DANA:1.000200' }]);
    expect(first).toHaveBeenCalledWith(expect.objectContaining({ channel: 'DANA', text: 'Logged 3 demos.' }));
    expect(retry).toHaveBeenCalledWith(expect.objectContaining({ text: 'Already logged: 3 demos.' }));
  });

  it('gives short help for anything else', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    expect(await receive(ws, 'good morning')).toHaveBeenCalledWith(expect.objectContaining({ text: DM_HELP }));
    expect(await rows(ws)).toHaveLength(0);
  });

  it('ignores channels, bots, edits and people from another workspace', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    for (const extra of [
      { channel_type: 'channel' },
      { bot_id: 'B1' },
      { subtype: 'message_changed' },
      { subtype: 'file_share' },
      { user_team: 'TOTHER' },
      { team: 'TOTHER' },
    ]) {
      expect(await receive(ws, '5 calls', extra)).not.toHaveBeenCalled();
    }
    expect(await rows(ws)).toHaveLength(0);
  });
});
