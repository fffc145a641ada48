import { webApi } from '@slack/bolt';
import { describe, expect, it, vi } from 'vitest';
import { createStep, StepRefusal } from '../../../../src/slack/listeners/functions/step.js';
import { argsOf, handlerDeps, seedMember, stubClient, useTestDatabase } from '../../../support/handler.js';

/** A Workflow Builder step's handler, called as Bolt calls it, with stubbed `complete` and `fail`. */
describe('createStep', () => {
  const database = useTestDatabase();
  let seq = 0;

  async function run(body: Parameters<typeof createStep>[1], complete = vi.fn(async () => ({ ok: true }))) {
    const workspaceId = `TSTEP${++seq}`;
    await seedMember(database.db, workspaceId, 'UANA');
    const fail = vi.fn(async (_: { error: string }) => ({ ok: true }));
    const handler = createStep(handlerDeps(database.db), body);
    const result = handler(
      argsOf(handler, {
        inputs: { runner: { id: 'UANA', secret: 's' } },
        complete,
        fail,
        client: stubClient(),
        context: { teamId: workspaceId },
        event: { function_execution_id: `Fx${seq}` },
      }),
    );
    return { result, complete, fail };
  }

  it('completes with the outputs the body returns, for the person who runs it', async () => {
    const { result, complete, fail } = await run(async ({ actor, executionId }) => ({
      who: actor.member.userId,
      executionId,
    }));
    await result;
    expect(complete).toHaveBeenCalledExactlyOnceWith({ outputs: { who: 'UANA', executionId: `Fx${seq}` } });
    expect(fail).not.toHaveBeenCalled();
  });

  it('fails with the refusal’s own words', async () => {
    const { result, complete, fail } = await run(async () => {
      throw new StepRefusal('Choose a person for “Rep”.');
    });
    await result;
    expect(fail).toHaveBeenCalledExactlyOnceWith({ error: 'Choose a person for “Rep”.' });
    expect(complete).not.toHaveBeenCalled();
  });

  it('fails with a plain sentence on an unexpected error, and passes the error on to app.error', async () => {
    const { result, fail } = await run(async () => {
      throw new Error('database exploded');
    });
    await expect(result).rejects.toThrow('database exploded');
    expect(fail).toHaveBeenCalledExactlyOnceWith({
      error: 'KPI Coach hit a problem on its side. Try running the workflow again.',
    });
  });

  it('stops quietly when Slack says the run is already finished (a retried event)', async () => {
    const finished = Object.assign(new Error('An API error occurred: execution_not_in_running_state'), {
      code: webApi.ErrorCode.PlatformError,
      data: { ok: false, error: 'execution_not_in_running_state' },
    });
    const { result, fail } = await run(
      async () => ({}),
      vi.fn(async () => {
        throw finished;
      }),
    );
    await expect(result).resolves.toBeUndefined();
    expect(fail).not.toHaveBeenCalled();
  });
});
