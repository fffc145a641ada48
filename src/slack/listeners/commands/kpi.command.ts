import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { findKpi } from '../../../kpi/catalogue.js';
import type { RequestInfo } from '../../../ops/observe.js';
import { resolveActor } from '../../actor.js';
import { errorMessage } from '../../blocks/message.js';
import { COMMAND_ACK_BUDGET_MS, replyToCommand } from '../../command-reply.js';
import type { AppDeps } from '../../deps.js';
import { parseKpiCommand, runSubcommand } from '../../subcommands/registry.js';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/**
 * `/kpi`: the actor, then the one dispatch; the ephemeral reply goes in the acknowledgement when it
 * is ready within `ackBudgetMs` of the request's arrival, else through `respond` (`command-reply.ts`
 * keeps Slack's three seconds). Input problems become a friendly message with the right usage; a
 * refusal (a user error) and anything unexpected are answered by `slack/user-errors.ts`.
 */
export function createKpiCommand(deps: AppDeps, ackBudgetMs = COMMAND_ACK_BUDGET_MS) {
  return async ({ command, ack, respond, client, context }: Args) => {
    const info = context as RequestInfo;
    await replyToCommand({ ack, respond, receivedAt: info.receivedAt, budgetMs: ackBudgetMs }, async () => {
      const now = deps.now();
      const actor = await resolveActor(
        deps,
        client,
        { workspaceId: context.teamId ?? command.team_id, userId: command.user_id, enterpriseId: context.enterpriseId },
        now,
      );
      const parsed = parseKpiCommand(command.text, { now, timezone: actor.timezone, findMetric: findKpi });
      // For the request's log line and the latency metric (a bounded set of names, never the text).
      info.subcommand = parsed.ok ? parsed.command.type : 'invalid';
      if (!parsed.ok) return { response_type: 'ephemeral', ...errorMessage(parsed.error, parsed.usage) };
      const reply = await runSubcommand(
        { deps, actor, channelId: command.channel_id, triggerId: command.trigger_id, now, client },
        parsed.command,
      );
      return { response_type: 'ephemeral', ...reply };
    });
  };
}
