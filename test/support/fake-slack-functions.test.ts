import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from './fake-slack.js';
import { refusal } from './refusal.js';

/**
 * The fake's functions.completeSuccess / functions.completeError refuse what Slack refuses
 * (https://docs.slack.dev/reference/methods/functions.completeSuccess/,
 * https://docs.slack.dev/reference/methods/functions.completeError/).
 */
const TEAM = 'T0TEAM0001';

function client(fake: FakeSlack, token: string): webApi.WebClient {
  return new webApi.WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
}

describe('fake Slack: custom step completion', () => {
  let fake: FakeSlack;
  let seq = 0;
  const start = (requiredOutputs: string[] = ['value']) => {
    const id = `Fx0000${++seq}`;
    const token = `xwfp-${id}`;
    fake.addFunctionExecution({ id, token, tokenInfo: { teamId: TEAM, botUserId: 'UBOT' }, requiredOutputs });
    return { id, api: client(fake, token) };
  };

  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  afterAll(async () => fake.close());

  it('completes a run once, with its outputs', async () => {
    const { id, api } = start();
    await api.functions.completeSuccess({ function_execution_id: id, outputs: { value: 3 } });
    expect(fake.functionOutcome(id)).toEqual({ state: 'completed', outputs: { value: 3 } });
    expect(await refusal(api.functions.completeSuccess({ function_execution_id: id, outputs: { value: 4 } }))).toBe(
      'execution_not_in_running_state',
    );
    expect(await refusal(api.functions.completeError({ function_execution_id: id, error: 'late' }))).toBe(
      'execution_not_in_running_state',
    );
    expect(fake.functionOutcome(id)).toEqual({ state: 'completed', outputs: { value: 3 } });
  });

  it('refuses outputs missing a required one', async () => {
    const { id, api } = start(['value', 'goal']);
    expect(await refusal(api.functions.completeSuccess({ function_execution_id: id, outputs: { value: 1 } }))).toBe(
      'parameter_validation_failed',
    );
    expect(fake.functionOutcome(id)).toEqual({ state: 'running' });
  });

  it('refuses an unknown run, and a run completed with another token', async () => {
    const { api } = start();
    expect(await refusal(api.functions.completeSuccess({ function_execution_id: 'Fx404', outputs: {} }))).toBe(
      'function_execution_not_found',
    );
    const other = start();
    expect(await refusal(api.functions.completeError({ function_execution_id: other.id, error: 'x' }))).toBe(
      'access_denied',
    );
  });

  it('fails a run with its error, and refuses an empty error', async () => {
    const { id, api } = start();
    expect(await refusal(api.functions.completeError({ function_execution_id: id, error: ' ' }))).toBe(
      'invalid_arguments',
    );
    await api.functions.completeError({ function_execution_id: id, error: 'No such metric.' });
    expect(fake.functionOutcome(id)).toEqual({ state: 'failed', error: 'No such metric.' });
  });
});
