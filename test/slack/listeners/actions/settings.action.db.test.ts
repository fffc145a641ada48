import { expect, it, vi } from 'vitest';
import { getSettings } from '../../../../src/game/settings.js';
import { onlyManagers } from '../../../../src/members/roles.js';
import { notAllowedModal, settingsModal } from '../../../../src/slack/blocks/settings.blocks.js';
import { createSettingsAction } from '../../../../src/slack/listeners/actions/settings.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

describeDb('createSettingsAction', () => {
  const database = useTestDatabase();

  async function click(part: 'scoring' | 'recognition', workspaceId: string, userId: string) {
    const client = stubClient();
    const open = vi.spyOn(client.views, 'open').mockResolvedValue({ ok: true });
    const handler = createSettingsAction(handlerDeps(database.db), part);
    const { ack } = replies();
    await handler(
      argsOf(handler, {
        ack,
        client,
        body: { user: { id: userId }, trigger_id: 'T-1' },
        context: { teamId: workspaceId },
      }),
    );
    expect(ack).toHaveBeenCalledOnce();
    return open;
  }

  it("opens the modal prefilled with the workspace's settings for a manager", async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UBOSS', 'manager');
    const open = await click('scoring', ws, 'UBOSS');
    expect(open).toHaveBeenCalledWith({
      trigger_id: 'T-1',
      view: settingsModal('scoring', await getSettings(database.db, ws)),
    });
  });

  it('answers a rep with the polite refusal in a modal, since a Home tab has nowhere else to answer', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const open = await click('recognition', ws, 'UANA');
    expect(open).toHaveBeenCalledWith({
      trigger_id: 'T-1',
      view: notAllowedModal(onlyManagers('change recognition and nudges')),
    });
  });
});
