import type { AllMiddlewareArgs, AnyMiddlewareArgs } from '@slack/bolt';
import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, UserError } from '../../src/lib/errors.js';
import { requireAdmin, requireManager } from '../../src/members/roles.js';
import { replyToUserErrors, SORRY, userErrorReply } from '../../src/slack/user-errors.js';
import { stubClient } from '../support/handler.js';

type Args = AnyMiddlewareArgs & AllMiddlewareArgs;

const refusal = new UserError(ErrorCode.NotAManager, 'Only a manager can start a contest.');
const asText = {
  text: refusal.message,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: refusal.message } }],
};

/** Runs the middleware around a listener that throws `error`, as Bolt's global chain does. */
async function around(error: unknown, body: object, withRespond: boolean) {
  const client = stubClient();
  const postEphemeral = vi.spyOn(client.chat, 'postEphemeral').mockResolvedValue({ ok: true });
  const postMessage = vi.spyOn(client.chat, 'postMessage').mockResolvedValue({ ok: true });
  const respond = vi.fn().mockResolvedValue(undefined);
  const args = {
    body,
    client,
    next: () => Promise.reject(error),
    ...(withRespond ? { respond } : {}),
  } as unknown as Args;
  const outcome = await replyToUserErrors(args).then(
    () => 'answered',
    (thrown: unknown) => thrown,
  );
  return { outcome, respond, postEphemeral, postMessage };
}

describe('replyToUserErrors', () => {
  it('answers a refused slash command ephemerally through its response_url, and stops the error there', async () => {
    const r = await around(refusal, { command: '/kpi', user_id: 'UREP', channel_id: 'C1' }, true);
    expect(r.outcome).toBe('answered');
    expect(r.respond).toHaveBeenCalledExactlyOnceWith({ response_type: 'ephemeral', ...asText });
    expect(r.postEphemeral).not.toHaveBeenCalled();
  });

  it('answers a refused button click beside the message, leaving the message as it was', async () => {
    const r = await around(refusal, { type: 'block_actions', user: { id: 'UREP' } }, true);
    expect(r.outcome).toBe('answered');
    expect(r.respond).toHaveBeenCalledExactlyOnceWith({
      response_type: 'ephemeral',
      replace_original: false,
      ...asText,
    });
  });

  it('answers a refused event in its channel, to that person only', async () => {
    const body = { type: 'event_callback', event: { type: 'reaction_added', user: 'UREP', item: { channel: 'C9' } } };
    const r = await around(refusal, body, false);
    expect(r.outcome).toBe('answered');
    expect(r.postEphemeral).toHaveBeenCalledExactlyOnceWith({ channel: 'C9', user: 'UREP', ...asText });
    expect(r.postMessage).not.toHaveBeenCalled();
  });

  it('answers a refused modal or Home click, which has no channel, in the app DM', async () => {
    const r = await around(refusal, { type: 'view_submission', user: { id: 'UREP' } }, false);
    expect(r.outcome).toBe('answered');
    expect(r.postMessage).toHaveBeenCalledExactlyOnceWith({ channel: 'UREP', ...asText });
  });

  it('tells a slash command that we failed, and passes the error on to app.error', async () => {
    const failure = new Error('database gone');
    const r = await around(failure, { command: '/kpi', user_id: 'UREP' }, true);
    expect(r.outcome).toBe(failure);
    expect(r.respond).toHaveBeenCalledExactlyOnceWith({ response_type: 'ephemeral', text: SORRY });
  });

  it('passes any other failure on untouched, telling nobody', async () => {
    const failure = new Error('database gone');
    const r = await around(failure, { type: 'block_actions', user: { id: 'UREP' } }, true);
    expect(r.outcome).toBe(failure);
    expect(r.respond).not.toHaveBeenCalled();
    expect(r.postMessage).not.toHaveBeenCalled();
  });
});

describe('role checks', () => {
  const rep = { role: 'rep', isSlackAdmin: false } as const;
  const manager = { role: 'manager', isSlackAdmin: false } as const;

  it('refuse with a user error that names the action and carries its code', () => {
    expect(() => requireManager(rep, 'start a contest')).toThrow(/^Only a manager can start a contest\./);
    expect(() => requireAdmin(manager, 'read the audit log')).toThrow('Only a workspace admin can read the audit log.');
    const thrown = (() => {
      try {
        requireAdmin(manager, 'x');
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).code).toBe('kpi_bot.not_an_admin');
    expect(userErrorReply(thrown)?.text).toBe('Only a workspace admin can x.');
    expect(userErrorReply(new Error('x'))).toBeNull();
  });

  it('let the allowed through', () => {
    expect(() => requireManager(manager, 'start a contest')).not.toThrow();
    expect(() => requireAdmin({ role: 'rep', isSlackAdmin: true }, 'read the audit log')).not.toThrow();
  });
});
