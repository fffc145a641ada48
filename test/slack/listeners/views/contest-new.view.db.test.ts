import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { FIELDS } from '../../../../src/contests/contest-form.js';
import { contests } from '../../../../src/db/schema.js';
import { onlyManagers } from '../../../../src/members/roles.js';
import { createContestNewView } from '../../../../src/slack/listeners/views/contest-new.view.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

/** A valid "this week" contest form, as Slack sends `view.state.values`. */
function contestValues(name: string) {
  const fields: Partial<Record<keyof typeof FIELDS, object>> = {
    name: { value: name },
    metric: { selected_option: { value: 'demos' } },
    period: { selected_option: { value: 'week' } },
    ranking: { selected_option: { value: 'goal_percent' } },
    prize1: { value: 'Gold' },
    channel: { selected_conversation: 'C1' },
  };
  return Object.fromEntries(
    Object.entries(fields).map(([field, state]) => {
      const block = FIELDS[field as keyof typeof FIELDS];
      return [block, { [block]: state }];
    }),
  );
}

describeDb('createContestNewView', () => {
  const database = useTestDatabase();

  async function submit(workspaceId: string, userId: string, o: { name?: string; metadata?: string } = {}) {
    const handler = createContestNewView(handlerDeps(database.db));
    const { ack } = replies();
    await handler(
      argsOf(handler, {
        ack,
        client: stubClient(),
        body: { user: { id: userId } },
        view: {
          team_id: workspaceId,
          private_metadata: o.metadata ?? JSON.stringify({ key: 'trigger-1', timezone: 'Europe/Paris' }),
          state: { values: contestValues(o.name ?? 'Demo dash') },
        },
        context: { teamId: workspaceId },
      }),
    );
    expect(ack).toHaveBeenCalledOnce();
    return ack.mock.calls[0]?.[0] as { response_action: string; errors?: Record<string, string>; view?: unknown };
  }

  const stored = (ws: string) => database.db.select().from(contests).where(eq(contests.workspaceId, ws));

  it('stores the contest once per modal: a double submission shows the same contest', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UBOSS', 'manager');
    const first = await submit(ws, 'UBOSS');
    expect(first.response_action).toBe('update');
    const second = await submit(ws, 'UBOSS');
    expect(second.response_action).toBe('update');
    expect(JSON.stringify(second.view)).toContain('Demo dash');
    expect(await stored(ws)).toHaveLength(1);
  });

  it('refuses a rep under the name field and stores nothing', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    expect(await submit(ws, 'UANA')).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.name]: onlyManagers('start a contest') },
    });
    expect(await stored(ws)).toEqual([]);
  });

  it('puts problems under their fields, and calls an unreadable modal out of date', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UBOSS', 'manager');
    expect(await submit(ws, 'UBOSS', { name: '' })).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.name]: expect.any(String) },
    });
    expect(await submit(ws, 'UBOSS', { metadata: 'garbled' })).toEqual({
      response_action: 'errors',
      errors: { [FIELDS.name]: 'This form is out of date. Close it and run `/kpi contest new` again.' },
    });
    expect(await stored(ws)).toEqual([]);
  });
});
