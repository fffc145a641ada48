import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpText, type KpiCommand, parseKpiCommand, USAGE } from '../../../commands/parse.js';
import { parseSettings } from '../../../game/settings.js';
import { findKpi } from '../../../kpi/catalogue.js';
import { resolveMember } from '../../../members/member-sync.js';
import { ensureWorkspace } from '../../../members/members.repository.js';
import type { RequestInfo } from '../../../ops/observe.js';
import { rulesMessage } from '../../blocks/explain.blocks.js';
import { errorMessage, type SlackMessage, textMessage } from '../../blocks/message.js';
import type { AppDeps } from '../../deps.js';
import { runBoardSubscriptionCommand } from './board-subscriptions.js';
import type { CommandContext } from './command-context.js';
import { runContestCommand } from './contest.command.js';
import { runCrmCommand } from './crm-actions.js';
import { runGoalCommand, runGoalsCommand } from './goals-actions.js';
import { runKpiCommand } from './kpi-actions.js';
import { runKudosCommand } from './kudos-actions.js';
import { runNudgesCommand } from './nudges-actions.js';
import { runPrivacyCommand } from './privacy-actions.js';
import { runRecognitionCommand } from './recognition-actions.js';
import { runAuditCommand, runRoleCommand, runTeamCommand } from './roles-actions.js';

type Args = AllMiddlewareArgs & SlackCommandMiddlewareArgs;

/**
 * `/kpi`: acknowledged at once (Slack's three seconds), answered through `respond` ephemerally.
 * Input problems become a friendly message with the right usage; anything unexpected tells the user
 * we failed and is rethrown to `app.error` with its context.
 */
export function createKpiCommand(deps: AppDeps) {
  return async ({ command, ack, respond, client, context }: Args) => {
    await ack();
    const now = deps.now();
    const workspaceId = context.teamId ?? command.team_id;
    try {
      const [workspace, member] = await Promise.all([
        ensureWorkspace(deps.db, workspaceId, { enterpriseId: context.enterpriseId ?? null }),
        resolveMember({ db: deps.db, client, logger: deps.logger }, workspaceId, command.user_id, now),
      ]);
      const timezone = member.timezone ?? workspace.defaultTimezone ?? 'UTC';
      const parsed = parseKpiCommand(command.text, { now, timezone, findMetric: findKpi });
      // For the request's log line and the latency metric (a bounded set of names, never the text).
      (context as RequestInfo).subcommand = parsed.ok ? parsed.command.type : 'invalid';
      if (!parsed.ok) {
        await respond({ response_type: 'ephemeral', ...errorMessage(parsed.error, parsed.usage) });
        return;
      }
      const ctx: CommandContext = {
        deps,
        member,
        workspace,
        settings: parseSettings(workspace.settings),
        channelId: command.channel_id,
        timezone,
        currency: workspace.currency ?? 'USD',
        triggerId: command.trigger_id,
        now,
        client,
      };
      const reply = await routeCommand(ctx, parsed.command);
      await respond({ response_type: 'ephemeral', ...reply });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        text: 'Sorry, something went wrong on our side. Please try again in a minute.',
      }).catch(() => {});
      throw error;
    }
  };
}

/** One line per subcommand family: each family's runner lives in its own module. */
async function routeCommand(ctx: CommandContext, cmd: KpiCommand): Promise<SlackMessage> {
  switch (cmd.type) {
    case 'help':
      return textMessage(cmd.topic ? USAGE[cmd.topic] : helpText());
    case 'crm':
      return runCrmCommand(ctx.deps, ctx.member, cmd);
    case 'kudos':
      return runKudosCommand(ctx, cmd);
    case 'recognition':
      return runRecognitionCommand(ctx, cmd.setting);
    case 'nudges':
      return runNudgesCommand(ctx, cmd);
    case 'contest':
      return runContestCommand(ctx, cmd);
    case 'board_subscribe':
    case 'board_unsubscribe':
    case 'boards':
      return runBoardSubscriptionCommand(ctx, cmd);
    case 'goal':
      return runGoalCommand(ctx, cmd);
    case 'goals':
      return runGoalsCommand(ctx, cmd.userId);
    case 'role':
      return runRoleCommand(ctx, cmd);
    case 'team':
      return runTeamCommand(ctx, cmd);
    case 'audit':
      return runAuditCommand(ctx);
    case 'privacy_export':
    case 'privacy_forget':
      return runPrivacyCommand(ctx, cmd);
    case 'rules':
      return rulesMessage(cmd.topic, ctx.settings);
    default:
      return runKpiCommand(
        ctx.deps,
        {
          workspaceId: ctx.member.workspaceId,
          userId: ctx.member.userId,
          timezone: ctx.timezone,
          currency: ctx.currency,
          isOptedOut: ctx.member.publicOptOut,
          settings: ctx.settings,
          triggerId: ctx.triggerId,
          now: ctx.now,
        },
        cmd,
      );
  }
}
