import { expect, it, vi } from 'vitest';
import { SHORTCUTS } from '../../../../src/slack/ids.js';
import { createLogShortcut } from '../../../../src/slack/listeners/shortcuts/log-activity.shortcut.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

describeDb('createLogShortcut', () => {
  const database = useTestDatabase();

  async function run(workspaceId: string, shortcut: Record<string, unknown>, permalink: string | Error | 'hangs') {
    const handler = createLogShortcut(handlerDeps(database.db));
    const client = stubClient();
    const open = vi.spyOn(client.views, 'open').mockResolvedValue({ ok: true });
    const link = vi.spyOn(client.chat, 'getPermalink');
    if (permalink === 'hangs') link.mockReturnValue(new Promise(() => {}));
    else if (permalink instanceof Error) link.mockRejectedValue(permalink);
    else link.mockResolvedValue({ ok: true, permalink });
    const { ack } = replies();
    await handler(
      argsOf(handler, {
        ack,
        client,
        context: { teamId: workspaceId },
        shortcut: { user: { id: 'UANA' }, team: { id: workspaceId }, trigger_id: 'trig', ...shortcut },
      }),
    );
    expect(ack.mock.invocationCallOrder[0]).toBeLessThan(open.mock.invocationCallOrder[0] ?? 0);
    return { open, link, view: JSON.stringify(open.mock.calls[0]?.[0]) };
  }

  it('opens the modal with the trigger id, on the rep’s today', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const { open, link, view } = await run(ws, { type: 'shortcut', callback_id: SHORTCUTS.logActivity }, 'unused');
    expect(open).toHaveBeenCalledWith(expect.objectContaining({ trigger_id: 'trig' }));
    expect(view).toContain('"initial_date":"2026-03-10"');
    expect(link).not.toHaveBeenCalled();
  });

  it('pre-fills from the message, with its link, or without one when Slack cannot give it', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const message = {
      type: 'message_action',
      callback_id: SHORTCUTS.logMessage,
      channel: { id: 'C1' },
      message: { ts: '1.000300', text: 'Demo went well' },
    };
    const linked = await run(ws, message, 'https://x.slack.com/archives/C1/p1000300');
    expect(linked.link).toHaveBeenCalledWith({ channel: 'C1', message_ts: '1.000300' });
    expect(linked.view).toContain('"initial_value":"Demo went well https://x.slack.com/archives/C1/p1000300"');
    expect(linked.view).toContain('"value":"demo"}');
    const unlinked = await run(ws, message, new Error('message_not_found'));
    expect(unlinked.view).toContain('"initial_value":"Demo went well"');
    // Slack slow to answer: the modal still opens while the trigger id is good.
    const started = Date.now();
    const slow = await run(ws, message, 'hangs');
    expect(slow.view).toContain('"initial_value":"Demo went well"');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
