import { type ContestLine, contestLinesFor, progressText } from '../../contests/contest-lines.js';
import { cancelContest, listContests } from '../../contests/contests.repository.js';
import { slackErrorCode } from '../../lib/slack-errors.js';
import { isManager, requireManager } from '../../members/roles.js';
import { cancelledPost, contestListMessage, contestModal } from '../blocks/contest.blocks.js';
import { escapeMrkdwn, type SlackMessage, textMessage } from '../blocks/message.js';
import type { CommandContext, Subcommand } from './subcommand.js';
import { fail, ok, quote } from './words.js';

export type ContestCommand =
  | { type: 'contest'; action: 'list' | 'new' }
  | { type: 'contest'; action: 'cancel'; id: number };

const USAGE =
  '`/kpi contest` — live contests and your progress; (managers) `/kpi contest new` starts one from a form, ' +
  '`/kpi contest cancel &lt;id&gt;` calls one off, e.g. `/kpi contest cancel 3`';

/** `/kpi contest`, `/kpi contest new`, `/kpi contest cancel <id>`. */
export const contestSubcommand: Subcommand<ContestCommand> = {
  name: 'contest',
  aliases: ['contests'],
  usage: USAGE,
  runs: ['contest'],
  parse({ words }) {
    const [action, id, ...extra] = words.map((w) => w.toLowerCase());
    if (action === undefined || action === 'list') return ok({ type: 'contest', action: 'list' });
    if ((action === 'new' || action === 'start') && id === undefined) return ok({ type: 'contest', action: 'new' });
    if (action === 'cancel' && id !== undefined && extra.length === 0) {
      const n = Number(id.replace(/^#/, ''));
      if (Number.isSafeInteger(n) && n > 0) return ok({ type: 'contest', action: 'cancel', id: n });
      return fail(`${quote(id)} isn't a contest number — \`/kpi contest\` lists them with theirs.`, USAGE);
    }
    if (action === 'cancel') return fail('Say which contest to cancel, e.g. `/kpi contest cancel 3`.', USAGE);
    return fail(`${quote(words.join(' '))} isn't a contest command.`, USAGE);
  },
  async run(ctx, command) {
    switch (command.action) {
      case 'list':
        return listForMember(ctx);
      case 'new':
        return openNewContest(ctx);
      case 'cancel':
        return cancel(ctx, command.id);
    }
  },
};

async function listForMember(ctx: CommandContext): Promise<SlackMessage> {
  const { db, logger } = ctx.deps;
  const lines = await contestLinesFor(
    { db, logger, client: ctx.client },
    { workspaceId: ctx.actor.member.workspaceId, userId: ctx.actor.member.userId, now: ctx.now },
    ctx.actor.currency,
  );
  return contestListMessage(lines, ctx.actor.currency, isManager(ctx.actor.member));
}

async function openNewContest(ctx: CommandContext): Promise<SlackMessage> {
  requireManager(ctx.actor.member, 'start a contest');
  try {
    await ctx.client.views.open({
      trigger_id: ctx.triggerId,
      // The trigger id is unique to this command: a retried submission of the form carries it back.
      view: contestModal({ key: ctx.triggerId, timezone: ctx.actor.timezone }, ctx.channelId),
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
  requireManager(ctx.actor.member, 'cancel a contest');
  const result = await cancelContest(ctx.deps.db, {
    workspaceId: ctx.actor.member.workspaceId,
    id,
    actorId: ctx.actor.member.userId,
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
