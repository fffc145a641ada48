import type { KpiCommand } from '../../../commands/parse.js';
import { resolveWindow } from '../../../kpi/windows.js';
import { giveKudos } from '../../../kudos/kudos.repository.js';
import { buildKudosBoard } from '../../../kudos/kudos-board.js';
import { resolveMember } from '../../../members/member-sync.js';
import { kudosBoardMessage } from '../../blocks/kudos.blocks.js';
import { escapeMrkdwn, type SlackMessage, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

type KudosCommand = Extract<KpiCommand, { type: 'kudos' }>;

/** `/kpi kudos @person reason` and `/kpi kudos board [window]`. */
export async function runKudosCommand(ctx: CommandContext, cmd: KudosCommand): Promise<SlackMessage> {
  const { db, logger } = ctx.deps;
  const workspaceId = ctx.workspace.id;
  if (cmd.action === 'board') {
    const window = resolveWindow(cmd.window, ctx.now, ctx.timezone);
    const board = await buildKudosBoard(db, { workspaceId, window }, ctx.member.userId);
    return kudosBoardMessage(board, window);
  }
  const giverId = ctx.member.userId;
  if (cmd.receiverId === giverId) {
    return textMessage('Kudos are for thanking a teammate, so you can’t give them to yourself. Who helped you today?');
  }
  // Direct messages between people are not the bot's to post in.
  if (ctx.channelId.startsWith('D')) {
    return textMessage('Kudos are posted where your team can see them: type `/kpi kudos` in a channel.');
  }
  const receiver = await resolveMember({ db, client: ctx.client, logger }, workspaceId, cmd.receiverId, ctx.now);
  if (receiver.isBot) return textMessage('Kudos are for people, not bots. Thank a teammate instead.');
  if (receiver.isDeleted) {
    return textMessage(
      `${escapeMrkdwn(receiver.displayName)} is no longer in this workspace, so kudos can’t reach them.`,
    );
  }
  const { kudosDailyCap: cap } = ctx.settings;
  const result = await giveKudos(db, {
    workspaceId,
    giverId,
    receiverId: receiver.userId,
    reason: cmd.reason,
    channelId: ctx.channelId,
    receiverOptedOut: receiver.publicOptOut,
    now: ctx.now,
    dayStart: resolveWindow({ kind: 'today' }, ctx.now, ctx.timezone).start,
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
