import { DateTime, IANAZone } from 'luxon';
import { setNudges } from '../../../coaching/nudge-settings.js';
import { nextNudgeAt } from '../../../coaching/nudge-time.js';
import { nudgeKey } from '../../../coaching/nudges.job.js';
import type { KpiCommand } from '../../../commands/parse.js';
import { isDecided } from '../../../delivery/outbox.repository.js';
import { type SlackMessage, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

type NudgesCommand = Extract<KpiCommand, { type: 'nudges' }>;

/** `/kpi nudges [off|on|at <time>]`: the rep's own daily DM; nobody else's setting changes. */
export async function runNudgesCommand(ctx: CommandContext, cmd: NudgesCommand): Promise<SlackMessage> {
  const { member, timezone, now } = ctx;
  const who = { workspaceId: member.workspaceId, userId: member.userId };
  let enabled = member.nudgesEnabled;
  let time = member.nudgeTime;
  if (cmd.action === 'on' || cmd.action === 'off') enabled = cmd.action === 'on';
  // Choosing a time says the rep wants the nudges: it turns them back on too.
  if (cmd.action === 'at') [enabled, time] = [true, cmd.time];
  if (cmd.action !== 'status') await setNudges(ctx.deps.db, who, { enabled, time });

  if (!enabled) {
    return textMessage('Your daily nudges are *paused*. Turn them back on with `/kpi nudges on`.');
  }
  // A zone Slack knows but this runtime does not reads as UTC rather than failing the command.
  const zone = IANAZone.isValidZone(timezone) ? timezone : 'UTC';
  const localDate = DateTime.fromJSDate(now, { zone }).toISODate() ?? '';
  const decidedToday = await isDecided(ctx.deps.db, who.workspaceId, nudgeKey(who.userId, localDate));
  const next = nextNudgeAt({ now, timezone: zone, time, holidays: ctx.settings.holidays, decidedToday });
  const lead =
    cmd.action === 'status' ? 'Your daily nudges are *on*' : cmd.action === 'on' ? 'Nudges are back *on*' : 'Done';
  return textMessage(
    `${lead}: working days at *${time}* (${zone}). Next one: ${next.toFormat("cccc, LLLL d 'at' HH:mm")}. ` +
      'Pause them with `/kpi nudges off`.',
  );
}
