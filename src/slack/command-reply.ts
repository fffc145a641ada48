import { performance } from 'node:perf_hooks';
import type { AckFn, RespondArguments, RespondFn } from '@slack/bolt';

/**
 * How long after a slash command reached us its answer may still go in the acknowledgement. Slack
 * wants the acknowledgement within 3 s of sending the command; half of that leaves the other half
 * for the network both ways and for a timer that fires late on a busy event loop. A later answer
 * costs a `response_url` round trip, an acknowledgement past 3 s costs the person an error.
 */
export const COMMAND_ACK_BUDGET_MS = 1_500;

export interface CommandReplyArgs {
  ack: AckFn<string | RespondArguments>;
  respond: RespondFn;
  /** `performance.now()` when the request reached us; unknown (Socket Mode) counts from now. */
  receivedAt: number | undefined;
  budgetMs: number;
}

/**
 * Acknowledges a slash command exactly once and gives it `answer`'s message exactly once: in the
 * acknowledgement's body when it is ready within the budget (no `response_url` round trip); else
 * the acknowledgement goes out empty when the budget runs out, and the message through `respond()`
 * when it is ready. When `answer` throws, the command is acknowledged (empty) before the error goes
 * on, so `replyToUserErrors` can still answer through `response_url`.
 * https://docs.slack.dev/interactivity/implementing-slash-commands/#responding_to_commands
 */
export async function replyToCommand(args: CommandReplyArgs, answer: () => Promise<RespondArguments>): Promise<void> {
  const now = performance.now();
  const left = args.budgetMs - (now - (args.receivedAt ?? now));
  // The one acknowledgement; whoever sets it first (the budget's timer or the answer) sends it.
  let acked: Promise<void> | undefined;
  const ackEmpty = () => {
    acked ??= args.ack();
    return acked;
  };
  let timer: NodeJS.Timeout | undefined;
  // Rejections surface where `acked` is awaited below; here they would be unhandled.
  if (left <= 0) ackEmpty().catch(() => {});
  else timer = setTimeout(() => ackEmpty().catch(() => {}), left);
  let message: RespondArguments;
  try {
    message = await answer();
  } catch (error) {
    clearTimeout(timer);
    await ackEmpty();
    throw error;
  }
  clearTimeout(timer);
  if (acked === undefined) {
    acked = args.ack(message);
    await acked;
    return;
  }
  await acked;
  await args.respond(message);
}
