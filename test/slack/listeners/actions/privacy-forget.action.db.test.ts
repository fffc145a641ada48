import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../../src/db/client.js';
import { getMember } from '../../../../src/members/members.repository.js';
import { createForgetAction } from '../../../../src/slack/listeners/actions/privacy-forget.action.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember } from '../../../support/handler.js';

describeDb('createForgetAction', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  async function click(mode: 'anonymise' | 'delete', workspaceId: string, clicker: string, target: string) {
    const handler = createForgetAction(handlerDeps(database.db), mode);
    const { ack, respond } = replies();
    await handler(
      argsOf(handler, {
        ack,
        respond,
        body: { user: { id: clicker } },
        action: { value: target },
        context: { teamId: workspaceId },
      }),
    );
    expect(ack).toHaveBeenCalledOnce();
    return respond;
  }

  it('checks the role again on the click: a manager is refused and nothing is erased', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UBOSS', 'manager');
    await seedMember(database.db, ws, 'UANA');
    expect(await click('delete', ws, 'UBOSS', 'UANA')).toHaveBeenCalledWith(
      expect.objectContaining({ response_type: 'ephemeral', text: expect.stringMatching(/^Only a workspace admin/) }),
    );
    expect(await getMember(database.db, ws, 'UANA')).toBeDefined();
  });

  it('erases for an admin, replacing the confirmation, and a second click finds nothing', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UADMIN', 'admin');
    await seedMember(database.db, ws, 'UANA');
    expect(await click('delete', ws, 'UADMIN', 'UANA')).toHaveBeenCalledWith({
      replace_original: true,
      text: "Done: <@UANA>'s personal data and their 0 entries are erased. Kept in the audit log.",
    });
    expect(await getMember(database.db, ws, 'UANA')).toBeUndefined();
    expect(await click('anonymise', ws, 'UADMIN', 'UANA')).toHaveBeenCalledWith({
      replace_original: true,
      text: 'Nothing is stored about <@UANA> any more; nothing was changed.',
    });
  });
});
