import type { InstallationStore } from '@slack/bolt';
import { expect, it, vi } from 'vitest';
import { ensureWorkspace, getWorkspace } from '../../../../src/members/members.repository.js';
import { createUninstallHandler } from '../../../../src/slack/listeners/events/uninstall.events.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, NOW, useTestDatabase } from '../../../support/handler.js';

describeDb('createUninstallHandler', () => {
  const database = useTestDatabase();

  function storeStub() {
    return {
      storeInstallation: vi.fn(),
      fetchInstallation: vi.fn(),
      deleteInstallation: vi.fn(async () => {}),
    } satisfies InstallationStore;
  }

  async function receive(workspaceId: string, event: Record<string, unknown>, store: InstallationStore) {
    const handler = createUninstallHandler(handlerDeps(database.db), store);
    await handler(argsOf(handler, { context: { teamId: workspaceId }, body: { team_id: workspaceId, event } }));
  }

  it('app_uninstalled deletes the tokens and marks the workspace gone, keeping its history', async () => {
    const ws = newWorkspaceId();
    await ensureWorkspace(database.db, ws);
    const store = storeStub();
    await receive(ws, { type: 'app_uninstalled' }, store);
    expect(store.deleteInstallation).toHaveBeenCalledWith({
      teamId: ws,
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(await getWorkspace(database.db, ws)).toEqual(expect.objectContaining({ uninstalledAt: NOW }));
  });

  it('tokens_revoked deletes the tokens only when a bot token was revoked, and never marks an uninstall', async () => {
    const ws = newWorkspaceId();
    await ensureWorkspace(database.db, ws);
    const store = storeStub();
    await receive(ws, { type: 'tokens_revoked', tokens: { oauth: ['UANA'] } }, store);
    expect(store.deleteInstallation).not.toHaveBeenCalled();
    await receive(ws, { type: 'tokens_revoked', tokens: { bot: ['UBOT'] } }, store);
    expect(store.deleteInstallation).toHaveBeenCalledOnce();
    expect(await getWorkspace(database.db, ws)).toEqual(expect.objectContaining({ uninstalledAt: null }));
  });
});
