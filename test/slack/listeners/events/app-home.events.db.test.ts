import { expect, it, vi } from 'vitest';
import { createAppHomeHandler } from '../../../../src/slack/listeners/events/app-home.events.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

describeDb('createAppHomeHandler', () => {
  const database = useTestDatabase();

  async function open(workspaceId: string, tab: string) {
    const client = stubClient();
    const publish = vi.spyOn(client.views, 'publish').mockResolvedValue({ ok: true });
    const handler = createAppHomeHandler(handlerDeps(database.db));
    await handler(
      argsOf(handler, {
        client,
        event: { tab, user: 'UANA' },
        context: { teamId: workspaceId },
        body: { team_id: workspaceId },
      }),
    );
    return publish;
  }

  it("publishes the person's Home when the Home tab opens", async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const publish = await open(ws, 'home');
    expect(publish).toHaveBeenCalledOnce();
    expect(publish).toHaveBeenCalledWith({ user_id: 'UANA', view: expect.objectContaining({ type: 'home' }) });
  });

  it('does nothing when another tab opens', async () => {
    const publish = await open(newWorkspaceId(), 'messages');
    expect(publish).not.toHaveBeenCalled();
  });
});
