import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { findKpi } from '../../../kpi/catalogue.js';
import type { RequestInfo } from '../../../ops/observe.js';
import { resolveActor } from '../../actor.js';
import { errorMessage } from '../../blocks/message.js';
import type { AppDeps } from '../../deps.js';
import { parseKpiCommand, runSubcommand } from '../../subcommands/registry.js';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/**
 * `/kpi`: acknowledged at once (Slack's three seconds), then the actor, then the one dispatch; the
 * reply goes through `respond` ephemerally. Input problems become a friendly message with the right
 * usage; a refusal (a user error) and anything unexpected are answered by `slack/user-errors.ts`.
 */
export function createKpiCommand(deps: AppDeps) {
  return async ({ command, ack, respond, client, context }: Args) => {
    await ack();
    const now = deps.now();
    const actor = await resolveActor(
      deps,
      client,
      { workspaceId: context.teamId ?? command.team_id, userId: command.user_id, enterpriseId: context.enterpriseId },
      now,
    );
    const parsed = parseKpiCommand(command.text, { now, timezone: actor.timezone, findMetric: findKpi });
    // For the request's log line and the latency metric (a bounded set of names, never the text).
    (context as RequestInfo).subcommand = parsed.ok ? parsed.command.type : 'invalid';
    if (!parsed.ok) {
      await respond({ response_type: 'ephemeral', ...errorMessage(parsed.error, parsed.usage) });
      return;
    }
    const reply = await runSubcommand(
      { deps, actor, channelId: command.channel_id, triggerId: command.trigger_id, now, client },
      parsed.command,
    );
    await respond({ response_type: 'ephemeral', ...reply });
  };
}
