import { MAX_NOTE_CHARS } from '../../kpi/activity-kinds.js';
import { resolveWindow, type WindowSpec } from '../../kpi/windows.js';
import { giveKudos } from '../../kudos/give-kudos.js';
import { buildKudosBoard } from '../../kudos/kudos-board.js';
import { kudosBoardMessage } from '../blocks/kudos.blocks.js';
import { escapeMrkdwn, type SlackMessage, textMessage } from '../blocks/message.js';
import { type CommandContext, lookupMember, type Subcommand } from './subcommand.js';
import { cleanText, fail, failFrom, ok, type ParseContext, type Parsed, splitWords, windowOrDefault } from './words.js';

export type KudosCommand =
  | { type: 'kudos'; action: 'give'; receiverId: string; reason: string }
  | { type: 'kudos'; action: 'board'; window: WindowSpec };

const USAGE =
  '`/kpi kudos @person &lt;reason&gt;` — thank a teammate in this channel, e.g. `/kpi kudos @ana for the demo prep`; ' +
  '`/kpi kudos board [window]` (or `/kpi board kudos`) ranks kudos and reactions received';

/** `kudos board [window]`, also reached as `board kudos [window]`. */
export function parseKudosBoard(words: readonly string[], ctx: ParseContext): Parsed<KudosCommand> {
  const window = windowOrDefault(words, ctx);
  return window.ok ? ok({ type: 'kudos', action: 'board', window: window.spec }) : failFrom(window, USAGE);
}

/** `/kpi kudos @person reason` and `/kpi kudos board [window]`. Reads the raw text: the mention carries the id. */
export const kudosSubcommand: Subcommand<KudosCommand> = {
  name: 'kudos',
  aliases: [],
  usage: USAGE,
  runs: ['kudos'],
  parse({ raw }, ctx) {
    const words = splitWords(raw);
    const first = words[0]?.toLowerCase();
    if (first === 'board' || first === 'leaderboard') return parseKudosBoard(words.slice(1), ctx);
    const mention = /^<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>(.*)$/su.exec(raw.trim());
    if (!mention) {
      const hint = first?.startsWith('@') ? ' Pick them from the list Slack shows as you type their name.' : '';
      return fail(`Who would you like to thank? Start with an @-mention of them.${hint}`, USAGE);
    }
    const receiverId = mention[1] ?? '';
    const reason = cleanText(mention[2] ?? '')
      .trim()
      .replace(/\s+/gu, ' ');
    if (reason === '') return fail('Say what you are thanking them for: kudos with a reason mean more.', USAGE);
    const length = [...reason].length;
    if (length > MAX_NOTE_CHARS) {
      return fail(`That reason is ${length} characters — keep it to ${MAX_NOTE_CHARS}.`, USAGE);
    }
    return ok({ type: 'kudos', action: 'give', receiverId, reason });
  },
  run: runKudos,
};

async function runKudos(ctx: CommandContext, cmd: KudosCommand): Promise<SlackMessage> {
  const { db } = ctx.deps;
  const workspaceId = ctx.actor.workspace.id;
  if (cmd.action === 'board') {
    const window = resolveWindow(cmd.window, ctx.now, ctx.actor.timezone);
    const board = await buildKudosBoard(db, { workspaceId, window }, ctx.actor.member.userId);
    return kudosBoardMessage(board, window);
  }
  const giverId = ctx.actor.member.userId;
  if (cmd.receiverId === giverId) {
    return textMessage('Kudos are for thanking a teammate, so you can’t give them to yourself. Who helped you today?');
  }
  // Direct messages between people are not the bot's to post in.
  if (ctx.channelId.startsWith('D')) {
    return textMessage('Kudos are posted where your team can see them: type `/kpi kudos` in a channel.');
  }
  const receiver = await lookupMember(ctx, cmd.receiverId);
  if (receiver.isBot) return textMessage('Kudos are for people, not bots. Thank a teammate instead.');
  if (receiver.isDeleted) {
    return textMessage(
      `${escapeMrkdwn(receiver.displayName)} is no longer in this workspace, so kudos can’t reach them.`,
    );
  }
  const { kudosDailyCap: cap } = ctx.actor.settings;
  const result = await giveKudos(db, {
    workspaceId,
    giverId,
    receiverId: receiver.userId,
    reason: cmd.reason,
    channelId: ctx.channelId,
    receiverOptedOut: receiver.publicOptOut,
    now: ctx.now,
    dayStart: resolveWindow({ kind: 'today' }, ctx.now, ctx.actor.timezone).start,
    cap,
    idempotencyKey: `slack:${ctx.triggerId}`,
  });
  const name = escapeMrkdwn(receiver.displayName);
  switch (result.status) {
    case 'cap_reached':
      return textMessage(
        `You’ve given your ${cap} kudos for today: the daily cap keeps each one meaningful. ` +
          'You can thank more teammates tomorrow; nothing was posted.',
      );
    case 'repeat':
      return textMessage(`Your kudos to ${name} were already sent.`);
    case 'given': {
      const where = receiver.publicOptOut
        ? `${name} prefers not to appear in public posts, so I’ll send your thanks to them privately.`
        : 'I’ll post your thanks in this channel in a moment.';
      const left = cap - result.givenToday;
      return textMessage(`Kudos to ${name}! ${where} You can give ${left} more today.`);
    }
  }
}
