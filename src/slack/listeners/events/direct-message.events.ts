import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { findKpi } from '../../../kpi/catalogue.js';
import { resolveActor } from '../../actor.js';
import { errorMessage, type SlackMessage, textMessage } from '../../blocks/message.js';
import type { AppDeps } from '../../deps.js';
import { parseLogMessage, recordLogCommand } from '../../subcommands/log.subcommand.js';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'message'>;

export const DM_HELP =
  'Tell me what you did and I log it, e.g. `12 calls`, `log demo Acme` or `deal won $12.5k Acme`. ' +
  'The *Log activity* shortcut and `/kpi help` show the rest.';

/**
 * `message.im`: a rep's DM to the app logs as `/kpi log` does, with the same grammar (a leading
 * count and `log` optional), and the reply, with Undo, comes back in the DM; anything else gets a
 * short help. Only people's own new messages count: bot posts (our replies included), edits and
 * other subtypes are ignored, so nothing loops. The entry is keyed by the message, so Slack's
 * retries of the event store it once and are not answered twice; someone from another workspace
 * (a shared DM) is ignored.
 */
export function createDirectMessageHandler(deps: AppDeps) {
  return async ({ event, client, context, body }: Args) => {
    if (event.channel_type !== 'im' || event.subtype !== undefined || event.bot_id !== undefined) return;
    const workspaceId = context.teamId ?? body.team_id;
    const senderTeam = (event as { user_team?: string }).user_team ?? event.team;
    if (senderTeam !== undefined && senderTeam !== workspaceId) return;
    const now = deps.now();
    const ids = { workspaceId, userId: event.user, enterpriseId: context.enterpriseId };
    const actor = await resolveActor(deps, client, ids, now);
    if (actor.member.isBot || actor.member.isDeleted) return;
    const parsed = parseLogMessage(event.text ?? '', { now, timezone: actor.timezone, findMetric: findKpi });
    let reply: SlackMessage;
    if (parsed === null) reply = textMessage(DM_HELP);
    else if (!parsed.ok) reply = errorMessage(parsed.error, parsed.usage);
    else {
      const ctx = { deps, actor, triggerId: `dm:${event.channel}:${event.ts}`, now };
      const logged = await recordLogCommand(ctx, parsed.command);
      // Slack retries an event it saw no timely ack for; the first delivery stored the entry and
      // answered it, so a second "Already logged" in the DM would only be noise.
      if (logged.duplicate && context.retryNum !== undefined) return;
      reply = logged.message;
    }
    await client.chat.postMessage({ channel: event.channel, ...reply });
  };
}
