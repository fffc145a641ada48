import { expect, it } from 'vitest';
import { getMember } from '../../../../src/members/members.repository.js';
import { createForgetAction } from '../../../../src/slack/listeners/actions/privacy-forget.action.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, clickButton, handlerDeps, replies, seedMember, useTestDatabase } from '../../../support/handler.js';

describeDb('createForgetAction', () => {
  const database = useTestDatabase();

  const click = (mode: 'anonymise' | 'delete', workspaceId: string, clicker: string, target: string) =>
    clickButton(createForgetAction(handlerDeps(database.db), mode), { workspaceId, userId: clicker, value: target });

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
