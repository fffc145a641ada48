import { performance } from 'node:perf_hooks';
import type { RespondArguments } from '@slack/bolt';
import { describe, expect, it, vi } from 'vitest';
import { type CommandReplyArgs, replyToCommand } from '../../src/slack/command-reply.js';

const MESSAGE: RespondArguments = { response_type: 'ephemeral', text: 'Your week: 3 calls' };

/** Stub `ack`/`respond` that log their calls in order; `acked` resolves with the first ack's body. */
function slack(o: { budgetMs?: number; receivedAt?: number } = {}) {
  const log: string[] = [];
  let firstAck: (body: unknown) => void = () => {};
  const acked = new Promise<unknown>((resolve) => {
    firstAck = resolve;
  });
  const ack = vi.fn(async (body?: unknown) => {
    log.push(body === undefined ? 'ack' : 'ack+answer');
    firstAck(body);
  });
  const respond = vi.fn(async () => {
    log.push('respond');
    return new Response(null, { status: 200 });
  });
  const args: CommandReplyArgs = {
    ack,
    respond,
    receivedAt: o.receivedAt ?? performance.now(),
    budgetMs: o.budgetMs ?? 60_000,
  };
  return { args, ack, respond, log, acked };
}

describe('replyToCommand', () => {
  it('puts an answer ready within the budget in the acknowledgement, and responds nothing', async () => {
    const s = slack();
    await replyToCommand(s.args, async () => MESSAGE);
    expect(s.ack).toHaveBeenCalledExactlyOnceWith(MESSAGE);
    expect(s.respond).not.toHaveBeenCalled();
  });

  it('acknowledges empty when the budget runs out, then responds once with the answer', async () => {
    const s = slack({ budgetMs: 20 });
    // The answer waits for the empty acknowledgement: no race with the clock.
    await replyToCommand(s.args, async () => {
      await s.acked;
      return MESSAGE;
    });
    expect(s.log).toEqual(['ack', 'respond']);
    expect(s.ack).toHaveBeenCalledExactlyOnceWith();
    expect(s.respond).toHaveBeenCalledExactlyOnceWith(MESSAGE);
  });

  it('counts the budget from the request’s arrival, not from the listener’s start', async () => {
    const s = slack({ budgetMs: 1_000, receivedAt: performance.now() - 1_000 });
    await replyToCommand(s.args, async () => MESSAGE);
    expect(s.log).toEqual(['ack', 'respond']);
  });

  it('counts from now when the arrival is unknown (Socket Mode)', async () => {
    const s = slack({ budgetMs: 1_000 });
    await replyToCommand({ ...s.args, receivedAt: undefined }, async () => MESSAGE);
    expect(s.log).toEqual(['ack+answer']);
  });

  it('acknowledges empty before an error goes on, and responds nothing itself', async () => {
    const s = slack();
    const error = new Error('boom');
    await expect(
      replyToCommand(s.args, async () => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(s.log).toEqual(['ack']);
  });

  it('acknowledges once when the error comes after the budget ran out', async () => {
    const s = slack({ budgetMs: 10 });
    await expect(
      replyToCommand(s.args, async () => {
        await s.acked;
        throw new Error('late boom');
      }),
    ).rejects.toThrow('late boom');
    expect(s.log).toEqual(['ack']);
  });

  it('does not respond when the empty acknowledgement failed', async () => {
    const s = slack({ budgetMs: 10 });
    s.ack.mockImplementationOnce(async () => {
      s.log.push('ack failed');
      throw new Error('socket closed');
    });
    let release: () => void = () => {};
    const later = new Promise<void>((resolve) => {
      release = resolve;
    });
    setTimeout(release, 50);
    await expect(
      replyToCommand(s.args, async () => {
        await later;
        return MESSAGE;
      }),
    ).rejects.toThrow('socket closed');
    expect(s.log).toEqual(['ack failed']);
  });
});
