import { DateTime } from 'luxon';
import { setNudges } from '../../coaching/nudge-settings.js';
import { nextNudgeAt } from '../../coaching/nudge-time.js';
import { nudgeKey } from '../../coaching/nudges.job.js';
import { isDecided } from '../../delivery/outbox.repository.js';
import { parseClockTime } from '../../lib/clock-time.js';
import { zoneOrUtc } from '../../lib/zone.js';
import { type SlackMessage, textMessage } from '../blocks/message.js';
import type { CommandContext, Subcommand } from './subcommand.js';
import { fail, ok, quote } from './words.js';

export type NudgesCommand =
  | { type: 'nudges'; action: 'status' | 'on' | 'off' }
  | { type: 'nudges'; action: 'at'; time: string };

const USAGE =
  '`/kpi nudges off|on|at &lt;time&gt;` — pause, resume or move your daily DM (weekdays, your timezone), ' +
  'e.g. `/kpi nudges at 8:30`; `/kpi nudges` shows your setting and the next one';

const NUDGE_SWITCHES = new Map<string, 'status' | 'on' | 'off'>([
  ['status', 'status'],
  ['on', 'on'],
  ['resume', 'on'],
  ['off', 'off'],
  ['pause', 'off'],
  ['stop', 'off'],
]);

/** `/kpi nudges [off|on|at <time>]`: the rep's own daily DM; nobody else's setting changes. */
export const nudgesSubcommand: Subcommand<NudgesCommand> = {
  name: 'nudges',
  aliases: ['nudge'],
  usage: USAGE,
  runs: ['nudges'],
  /** `off`, `on`, `at 8:30` (the `at` may be left out), or nothing for the current setting. */
  parse({ words }) {
    const [first = 'status', ...rest] = words.map((w) => w.toLowerCase());
    const setting = NUDGE_SWITCHES.get(first);
    if (setting && rest.length === 0) return ok({ type: 'nudges', action: setting });
    const timeText = (first === 'at' ? rest : [first, ...rest]).join(' ');
    if (timeText === '') return fail('At what time? e.g. `/kpi nudges at 8:30`.', USAGE);
    const time = parseClockTime(timeText);
    if (time.ok) return ok({ type: 'nudges', action: 'at', time: time.time });
    return fail(`${quote(words.join(' '))} isn't a nudge setting. ${time.error}`, USAGE);
  },
  run: runNudges,
};

async function runNudges(ctx: CommandContext, cmd: NudgesCommand): Promise<SlackMessage> {
  const { now } = ctx;
  const { member, timezone } = ctx.actor;
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
  const zone = zoneOrUtc(timezone);
  const localDate = DateTime.fromJSDate(now, { zone }).toISODate() ?? '';
  const decidedToday = await isDecided(ctx.deps.db, who.workspaceId, nudgeKey(who.userId, localDate));
  const next = nextNudgeAt({ now, timezone: zone, time, holidays: ctx.actor.settings.holidays, decidedToday });
  const lead =
    cmd.action === 'status' ? 'Your daily nudges are *on*' : cmd.action === 'on' ? 'Nudges are back *on*' : 'Done';
  return textMessage(
    `${lead}: working days at *${time}* (${zone}). Next one: ${next.toFormat("cccc, LLLL d 'at' HH:mm")}. ` +
      'Pause them with `/kpi nudges off`.',
  );
}
