import { expect, it, vi } from 'vitest';
import { createCrmBackfillAction } from '../../../../src/slack/listeners/actions/crm-backfill.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { clickButton, handlerDeps, NOW, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';
import { memoryBackfills } from '../../../support/memory-backfills.js';

describeDb('createCrmBackfillAction', () => {
  const database = useTestDatabase();

  async function click(
    userId: string,
    role: 'admin' | 'rep',
    backfills = memoryBackfills({ connected: ['hubspot'], now: () => NOW }),
  ) {
    const workspaceId = newWorkspaceId();
    await seedMember(database.db, workspaceId, userId, role);
    const client = stubClient();
    const posted = vi.spyOn(client.chat, 'postMessage').mockResolvedValue({ ok: true });
    const handler = createCrmBackfillAction(handlerDeps(database.db, NOW, { backfills }));
    const outcome = await clickButton(handler, { workspaceId, userId, value: 'hubspot', client }).then(
      () => null,
      (error: unknown) => error,
    );
    return { workspaceId, backfills, posted, outcome };
  }

  it('starts 90 days for the admin who clicked and DMs them where progress shows', async () => {
    const { workspaceId, backfills, posted } = await click('UADMIN', 'admin');
    expect(backfills.requests).toEqual([
      {
        workspaceId,
        source: 'hubspot',
        // The seeded admin's zone is UTC: 90 days of 24 hours.
        window: { since: new Date(NOW.getTime() - 90 * 86_400_000), until: NOW },
        requestedBy: 'UADMIN',
      },
    ]);
    expect(posted).toHaveBeenCalledWith(
      expect.objectContaining({ channel: 'UADMIN', text: 'HubSpot backfill started' }),
    );
  });

  it('refuses a rep, starting nothing', async () => {
    const { backfills, posted, outcome } = await click('UREP', 'rep');
    expect(String(outcome)).toContain('Only a workspace admin');
    expect(backfills.requests).toEqual([]);
    expect(posted).not.toHaveBeenCalled();
  });
});
