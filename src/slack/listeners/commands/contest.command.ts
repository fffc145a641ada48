import type { ContestCommand } from '../../../commands/parse.js';
import { contestLinesFor } from '../../../contests/contest-lines.js';
import { cancelContest, listContests } from '../../../contests/contests.repository.js';
import { slackErrorCode } from '../../../lib/slack-errors.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { cancelledPost, contestListMessage, contestModal } from '../../blocks/contest.blocks.js';
import { escapeMrkdwn, type SlackMessage, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

/** `/kpi contest`, `/kpi contest new`, `/kpi contest cancel <id>`. */
export async function runContestCommand(ctx: CommandContext, cmd: ContestCommand): Promise<SlackMessage> {
  switch (cmd.action) {
    case 'list':
      return listForMember(ctx);
    case 'new':
      return openNewContest(ctx);
    case 'cancel':
      return cancel(ctx, cmd.id);
  }
}

async function listForMember(ctx: CommandContext): Promise<SlackMessage> {
  const { db, logger } = ctx.deps;
  const lines = await contestLinesFor(
    { db, logger, client: ctx.client },
    { workspaceId: ctx.member.workspaceId, userId: ctx.member.userId, now: ctx.now },
    ctx.currency,
  );
  return contestListMessage(lines, ctx.currency, isManager(ctx.member));
}

async function openNewContest(ctx: CommandContext): Promise<SlackMessage> {
  if (!isManager(ctx.member)) return textMessage(onlyManagers('start a contest'));
  try {
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      // The trigger id is unique to this command: a retried submission of the form carries it back.
      view: contestModal({ key: ctx.triggerId, timezone: ctx.timezone }, ctx.channelId),
    });
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === 'expired_trigger_id' || code === 'invalid_trigger_id' || code === 'exchanged_trigger_id') {
      return textMessage('The contest form took too long to open. Please run `/kpi contest new` again.');
    }
    throw error;
  }
  return textMessage('Fill in the form to start the contest. Nothing is saved until you press *Start contest*.');
}

async function cancel(ctx: CommandContext, id: number): Promise<SlackMessage> {
  if (!isManager(ctx.member)) return textMessage(onlyManagers('cancel a contest'));
  const result = await cancelContest(ctx.deps.db, {
    workspaceId: ctx.member.workspaceId,
    id,
    actorId: ctx.member.userId,
    now: ctx.now,
    notice: (contest) => ({
      workspaceId: contest.workspaceId,
      key: `contest:${contest.id}:cancelled`,
      kind: 'contest',
      target: contest.channelId,
      payload: cancelledPost(contest),
      ref: { type: 'contest', id: contest.id },
    }),
  });
  switch (result.status) {
    case 'not_found':
      return textMessage(`There is no contest #${id}. \`/kpi contest\` lists them.`);
    case 'already_over':
      return textMessage(`Contest #${id} is already over; nothing was changed.`);
    case 'cancelled':
      return textMessage(`Contest #${id} (${escapeMrkdwn(result.contest.name)}) is cancelled.`);
  }
}
