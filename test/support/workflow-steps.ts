import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FakeSlack, FunctionOutcome, Json } from './fake-slack.js';
import { eventBody, postSigned } from './slack-signing.js';

/**
 * Runs a Workflow Builder custom step as Slack does: a signed `function_executed` event built from
 * the step's definition in manifest.json, in the shape of
 * https://docs.slack.dev/reference/events/function_executed/, with a fresh execution on the fake
 * that only the event's `bot_access_token` may complete, once.
 */

type Parameter = { type: string; title?: string; description?: string; is_required?: boolean };
type Definition = {
  title: string;
  description: string;
  input_parameters: Record<string, Parameter>;
  output_parameters: Record<string, Parameter>;
};

const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as {
  functions: Record<string, Definition>;
};

/**
 * The `runner` input (a `slack#/types/user_context`) as Slack fills it for the person a workflow runs
 * for. https://docs.slack.dev/reference/types/user_context-type
 */
export function runner(userId: string): Json {
  return { id: userId, secret: randomUUID().replace(/-/g, '') };
}

export interface StepTarget {
  url: string;
  fake: FakeSlack;
  teamId: string;
  signingSecret: string;
  enterpriseId?: string;
}

export interface StepRun {
  executionId: string;
  /** Sends the same event again, as Slack does when the first delivery was not acknowledged in time. */
  retry(): Promise<FunctionOutcome>;
  outcome: FunctionOutcome;
}

function parameters(defined: Record<string, Parameter>) {
  return Object.entries(defined).map(([name, p]) => ({ name, ...p, is_required: p.is_required ?? false }));
}

export async function runStep(target: StepTarget, callbackId: string, inputs: Json): Promise<StepRun> {
  const definition = manifest.functions[callbackId];
  if (!definition) throw new Error(`manifest.json declares no function ${callbackId}`);
  const executionId = `Fx${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
  const token = `xwfp-${target.teamId}-${executionId}`;
  target.fake.addFunctionExecution({
    id: executionId,
    token,
    tokenInfo: { teamId: target.teamId, botUserId: 'UBOT', botId: 'BBOT', enterpriseId: target.enterpriseId },
    requiredOutputs: Object.entries(definition.output_parameters)
      .filter(([, p]) => p.is_required)
      .map(([name]) => name),
  });
  const event = {
    type: 'function_executed',
    function: {
      id: `Fn${callbackId.toUpperCase().replace(/_/g, '').slice(0, 10)}`,
      callback_id: callbackId,
      title: definition.title,
      description: definition.description,
      type: 'app',
      input_parameters: parameters(definition.input_parameters),
      output_parameters: parameters(definition.output_parameters),
      app_id: 'A0FAKEAPP',
      date_created: 1694727597,
      date_updated: 1698947481,
      date_deleted: 0,
    },
    inputs,
    function_execution_id: executionId,
    workflow_execution_id: `Wx${randomUUID().slice(0, 10).toUpperCase()}`,
    event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
    bot_access_token: token,
  };
  const eventId = `Ev${randomUUID().slice(0, 10).toUpperCase()}`;
  const send = async (headers: Record<string, string> = {}) => {
    const calls = target.fake.calls.length;
    const body = eventBody(event, { teamId: target.teamId, eventId, enterpriseId: target.enterpriseId });
    const res = await postSigned(`${target.url}/slack/events`, body, {
      signingSecret: target.signingSecret,
      contentType: 'application/json',
      headers,
    });
    if (res.status !== 200) throw new Error(`function_executed answered ${res.status}`);
    await target.fake.waitFor(
      (e) =>
        e.kind === 'call' &&
        e.method.startsWith('functions.complete') &&
        e.args.function_execution_id === executionId &&
        target.fake.calls.indexOf(e) >= calls,
    );
    return target.fake.functionOutcome(executionId) ?? { state: 'running' };
  };
  const outcome = await send();
  return {
    executionId,
    outcome,
    retry: () => send({ 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }),
  };
}
