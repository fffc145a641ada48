import { expect, it, vi } from 'vitest';
import { getSettings } from '../../../../src/game/settings.js';
import { SETTINGS_FIELDS as F } from '../../../../src/home/settings-form.js';
import { onlyManagers } from '../../../../src/members/roles.js';
import { createSettingsView } from '../../../../src/slack/listeners/views/settings.view.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

/** The scoring modal's state as Slack sends it back: the daily goal set, everything else left as it was. */
function scoringValues(dailyGoal: string) {
  const block = (id: string, state: object) => [id, { [id]: state }];
  return Object.fromEntries([
    block(F.dailyGoal, { type: 'number_input', value: dailyGoal }),
    block(F.holidays, { type: 'plain_text_input', value: '' }),
  ]);
}

describeDb('createSettingsView', () => {
  const database = useTestDatabase();

  async function submit(workspaceId: string, userId: string, dailyGoal: string) {
    const client = stubClient();
    const publish = vi.spyOn(client.views, 'publish').mockResolvedValue({ ok: true });
    const handler = createSettingsView(handlerDeps(database.db), 'scoring');
    const { ack } = replies();
    await handler(
      argsOf(handler, {
        ack,
        client,
        body: { user: { id: userId } },
        view: { team_id: workspaceId, state: { values: scoringValues(dailyGoal) } },
        context: { teamId: workspaceId },
      }),
    );
    return { ack, publish };
  }

  it("saves a manager's change, closes the modal and republishes their Home", async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UBOSS', 'manager');
    const { ack, publish } = await submit(ws, 'UBOSS', '12');
    expect(ack).toHaveBeenCalledWith();
    expect((await getSettings(database.db, ws)).dailyActivityGoal).toBe(12);
    expect(publish).toHaveBeenCalledWith({ user_id: 'UBOSS', view: expect.objectContaining({ type: 'home' }) });
  });

  it('puts a bad value under its field and stores nothing', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UBOSS', 'manager');
    const before = await getSettings(database.db, ws);
    const { ack, publish } = await submit(ws, 'UBOSS', '-3');
    expect(ack).toHaveBeenCalledWith({ response_action: 'errors', errors: { [F.dailyGoal]: expect.any(String) } });
    expect(await getSettings(database.db, ws)).toEqual(before);
    expect(publish).not.toHaveBeenCalled();
  });

  it('checks the role again: a rep posting the payload gets the refusal under the first field', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const before = await getSettings(database.db, ws);
    const { ack } = await submit(ws, 'UANA', '12');
    expect(ack).toHaveBeenCalledWith({
      response_action: 'errors',
      errors: { [F.points('call')]: onlyManagers('change settings') },
    });
    expect(await getSettings(database.db, ws)).toEqual(before);
  });
});
