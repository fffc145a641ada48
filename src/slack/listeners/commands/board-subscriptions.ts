import { recordAudit } from '../../../audit/audit.repository.js';
import { describeScorecard } from '../../../boards/board-metric.js';
import {
  archiveSubscription,
  type BoardSubscription,
  lastDeliveryErrors,
  liveSubscriptions,
  scheduleOf,
  upsertSubscription,
} from '../../../boards/board-subscriptions.repository.js';
import { ChannelTeamError, channelTeam, checkBotCanPost } from '../../../boards/channel-team.js';
import {
  describeInstant,
  describeSchedule,
  nextRun,
  previousRun,
  type Schedule,
  usableZone,
} from '../../../boards/schedule.js';
import type { KpiCommand } from '../../../commands/parse.js';
import { getKpi } from '../../../kpi/catalogue.js';
import { scorecardSchema } from '../../../kpi/weighted-score.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { boardListMessage, describeBoardError } from '../../blocks/board-post.blocks.js';
import { type SlackMessage, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

type BoardCommand = Extract<KpiCommand, { type: 'board_subscribe' | 'board_unsubscribe' | 'boards' }>;

const DEFAULT_METRIC = 'revenue';

/** `/kpi board subscribe|unsubscribe` (managers) and `/kpi boards` (everyone). */
export async function runBoardSubscriptionCommand(ctx: CommandContext, cmd: BoardCommand): Promise<SlackMessage> {
  switch (cmd.type) {
    case 'boards':
      return listBoards(ctx);
    case 'board_subscribe':
      return subscribe(ctx, cmd);
    case 'board_unsubscribe':
      return unsubscribe(ctx, cmd);
  }
}

function what(sub: Pick<BoardSubscription, 'metric' | 'scorecard'>, currency: string): string {
  return sub.scorecard === null
    ? getKpi(sub.metric ?? DEFAULT_METRIC).label
    : `Scorecard: ${describeScorecard(scorecardSchema.parse(sub.scorecard), currency)}`;
}

/** Boards live in a channel: a DM has no team to rank. */
function isChannel(channelId: string): boolean {
  return /^[CG]/.test(channelId);
}

async function subscribe(ctx: CommandContext, cmd: Extract<BoardCommand, { type: 'board_subscribe' }>) {
  if (!isManager(ctx.member)) return textMessage(onlyManagers('subscribe a channel to a board'));
  if (!isChannel(ctx.channelId)) {
    return textMessage('Run `/kpi board subscribe` in the team’s channel: its members are the board’s team.');
  }
  const metric = cmd.scorecard === null ? getKpi(cmd.metric ?? DEFAULT_METRIC) : null;
  if (metric && !metric.boardable) {
    return textMessage(`${metric.label} is a team figure, not one to rank people by. Pick another metric.`);
  }
  const schedule: Schedule = {
    cadence: cmd.cadence,
    dayOfWeek: cmd.dayOfWeek,
    dayOfMonth: cmd.dayOfMonth,
    timeOfDay: cmd.timeOfDay,
    // A zone the schedule can be computed in for good: an unknown one would never come due.
    timezone: usableZone(ctx.timezone),
  };
  const nextRunAt = nextRun(schedule, ctx.now);
  const { db } = ctx.deps;
  const { subscription, created } = await db.transaction(async (tx) => {
    const result = await upsertSubscription(tx, {
      ...schedule,
      workspaceId: ctx.member.workspaceId,
      channelId: ctx.channelId,
      metric: metric?.key ?? null,
      scorecard: cmd.scorecard,
      topN: cmd.topN,
      createdBy: ctx.member.userId,
      nextRunAt,
    });
    await recordAudit(tx, {
      workspaceId: ctx.member.workspaceId,
      actorId: ctx.member.userId,
      action: result.created ? 'board.subscribe' : 'board.update',
      target: ctx.channelId,
      details: {
        subscriptionId: result.subscription.id,
        metric: metric?.key ?? null,
        scorecard: cmd.scorecard,
        ...schedule,
        topN: cmd.topN,
      },
      at: ctx.now,
    });
    return result;
  });
  const firstStart = subscription.lastWindowEnd ?? previousRun(schedule, nextRunAt);
  const warning = await channelWarning(ctx);
  return textMessage(
    `${created ? 'Done' : 'Updated'}: this channel gets the *${what(subscription, ctx.currency)}* board ${describeSchedule(schedule)}, top ${cmd.topN}. ` +
      `Next post: ${describeInstant(nextRunAt, ctx.timezone)}, covering the time since ${describeInstant(firstStart, ctx.timezone)}. ` +
      'The team is whoever is in this channel; people who chose `/kpi privacy hide` never appear.' +
      (warning ? `\n:warning: Heads-up: ${warning}. Fix it before the first post, or it will be paused.` : ''),
  );
}

/** Whether the board will be able to read and post in this channel, said now rather than at the first post. */
async function channelWarning(ctx: CommandContext): Promise<string | null> {
  try {
    await checkBotCanPost(ctx.client, ctx.channelId);
    await channelTeam(ctx.deps.db, ctx.client, ctx.member.workspaceId, ctx.channelId);
    return null;
  } catch (error) {
    if (error instanceof ChannelTeamError) return describeBoardError(error.slackError);
    // Anything else (rate limit, Slack down) says nothing about the channel; the job will read it again.
    ctx.deps.logger.warn({ err: error, channel: ctx.channelId }, 'could not check a board channel');
    return null;
  }
}

async function unsubscribe(ctx: CommandContext, cmd: Extract<BoardCommand, { type: 'board_unsubscribe' }>) {
  if (!isManager(ctx.member)) return textMessage(onlyManagers('stop a channel’s board'));
  const { db } = ctx.deps;
  const live = await liveSubscriptions(db, ctx.member.workspaceId, ctx.channelId);
  const { target } = cmd;
  const matches =
    target === null
      ? live
      : live.filter((s) =>
          target === 'scorecard' ? s.scorecard !== null : s.metric === target.metric && s.scorecard === null,
        );
  if (matches.length === 0) {
    return textMessage(
      live.length === 0
        ? 'This channel has no scheduled boards, so there is nothing to stop.'
        : `This channel has no such board. Its boards: ${live.map((s) => what(s, ctx.currency)).join(', ')}.`,
    );
  }
  if (matches.length > 1) {
    return textMessage(
      `This channel has ${matches.length} boards: ${matches.map((s) => what(s, ctx.currency)).join(', ')}. Say which, e.g. \`/kpi board unsubscribe ${(matches[0]?.metric ?? 'scorecard').replace(/_/g, ' ')}\`.`,
    );
  }
  const [sub] = matches as [BoardSubscription];
  const archived = await db.transaction(async (tx) => {
    const done = await archiveSubscription(tx, ctx.member.workspaceId, sub.id, ctx.now);
    if (done) {
      await recordAudit(tx, {
        workspaceId: ctx.member.workspaceId,
        actorId: ctx.member.userId,
        action: 'board.unsubscribe',
        target: ctx.channelId,
        details: { subscriptionId: sub.id, metric: sub.metric },
        at: ctx.now,
      });
    }
    return done;
  });
  return textMessage(
    archived
      ? `Stopped: the *${what(sub, ctx.currency)}* board will not be posted here any more. Posts already made stay.`
      : 'That board was already stopped.',
  );
}

/** This channel's boards, or for managers every board in the workspace, with any error to fix. */
async function listBoards(ctx: CommandContext): Promise<SlackMessage> {
  const { db } = ctx.deps;
  const manager = isManager(ctx.member);
  const subs = await liveSubscriptions(db, ctx.member.workspaceId, manager ? null : ctx.channelId);
  const delivery = await lastDeliveryErrors(
    db,
    ctx.member.workspaceId,
    subs.map((s) => s.id),
  );
  const items = subs.map((sub) => {
    const failed = delivery.get(sub.id);
    const error = sub.lastError
      ? { kind: 'paused' as const, code: sub.lastError, at: sub.lastErrorAt ?? ctx.now }
      : failed
        ? { kind: 'delivery' as const, code: failed.error, at: failed.at }
        : null;
    return {
      channelId: sub.channelId,
      what: what(sub, ctx.currency),
      schedule: describeSchedule(scheduleOf(sub)),
      topN: sub.topN,
      nextPost: describeInstant(sub.nextRunAt, ctx.timezone),
      error: error
        ? { kind: error.kind, text: describeBoardError(error.code), since: describeInstant(error.at, ctx.timezone) }
        : null,
    };
  });
  return boardListMessage(items, manager ? 'workspace' : 'channel');
}
