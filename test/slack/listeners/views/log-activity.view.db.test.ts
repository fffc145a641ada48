import { eq } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { LOG_FIELDS } from '../../../../src/activities/log-form.js';
import { activities } from '../../../../src/db/schema.js';
import { createLogActivityView } from '../../../../src/slack/listeners/views/log-activity.view.js';
import { type LogFormFields, logFormValues } from '../../../activities/log-form-values.js';
import { describeDb, newWorkspaceId } from '../../../support/db.js';
import { argsOf, handlerDeps, replies, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

describeDb('createLogActivityView', () => {
  const database = useTestDatabase();

  async function submit(workspaceId: string, fields: LogFormFields, viewId: string) {
    const handler = createLogActivityView(handlerDeps(database.db));
    const client = stubClient();
    const post = vi.spyOn(client.chat, 'postMessage').mockResolvedValue({ ok: true });
    const { ack } = replies();
    await handler(
      argsOf(handler, {
        ack,
        client,
        body: { user: { id: 'UANA' } },
        view: { id: viewId, team_id: workspaceId, state: { values: logFormValues(fields) } },
        context: { teamId: workspaceId },
      }),
    );
    return { ack, post };
  }

  it('answers problems under their fields, stores nothing and posts nothing', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    const { ack, post } = await submit(ws, { kind: 'email', count: '0', day: '2026-03-10' }, 'V1');
    expect(ack).toHaveBeenCalledWith({
      response_action: 'errors',
      errors: { [LOG_FIELDS.count]: expect.any(String) },
    });
    expect(post).not.toHaveBeenCalled();
    expect(await database.db.select().from(activities).where(eq(activities.workspaceId, ws))).toHaveLength(0);
  });

  it('stores a submission once per view and confirms once, with Undo', async () => {
    const ws = newWorkspaceId();
    await seedMember(database.db, ws, 'UANA');
    // The handler's clock is 15:00 UTC on 10 March 2026 and the member's zone is UTC.
    const first = await submit(ws, { kind: 'demo', subject: 'Acme', day: '2026-03-09' }, 'V2');
    const second = await submit(ws, { kind: 'demo', subject: 'Acme', day: '2026-03-09' }, 'V2');
    expect(first.ack).toHaveBeenCalledWith();
    expect(second.ack).toHaveBeenCalledWith();
    const rows = await database.db.select().from(activities).where(eq(activities.workspaceId, ws));
    expect(rows).toMatchObject([
      { kind: 'demo', note: 'Acme', idempotencyKey: 'modal:V2', occurredAt: new Date('2026-03-09T12:00:00Z') },
    ]);
    expect(first.post).toHaveBeenCalledWith(
      expect.objectContaining({ channel: 'UANA', text: 'Logged 1 demo for yesterday.' }),
    );
    expect(JSON.stringify(first.post.mock.calls[0]?.[0])).toContain('kpi_undo');
    expect(second.post).not.toHaveBeenCalled();
  });
});
