import { recordAudit } from '../../audit/audit.repository.js';
import { describeScorecard } from '../../boards/board-metric.js';
import {
  archiveSubscription,
  type BoardSubscription,
  lastDeliveryErrors,
  liveSubscriptions,
  scheduleOf,
  upsertSubscription,
} from '../../boards/board-subscriptions.repository.js';
import { ChannelTeamError, channelTeam, checkBotCanPost } from '../../boards/channel-team.js';
import {
  type Cadence,
  describeInstant,
  describeSchedule,
  nextRun,
  previousRun,
  type Schedule,
  usableZone,
} from '../../boards/schedule.js';
import { findKpi, getKpi } from '../../kpi/catalogue.js';
import { type ScorecardWeights, scorecardSchema } from '../../kpi/weighted-score.js';
import { parseAmount } from '../../lib/amount.js';
import { parseClockTime } from '../../lib/clock-time.js';
import { isManager, requireManager } from '../../members/roles.js';
import { boardListMessage, describeBoardError } from '../blocks/board-post.blocks.js';
import { type SlackMessage, textMessage } from '../blocks/message.js';
import type { CommandContext, Subcommand } from './subcommand.js';
import { fail, ok, type ParseContext, type Parsed, quote, unknownMetric } from './words.js';

/** What a board posts (one metric, or a weighted scorecard), how often and when. */
export interface BoardSubscriptionSpec {
  /** A catalogue key; null with a scorecard, or when none was named (the runner's default). */
  metric: string | null;
  scorecard: ScorecardWeights | null;
  cadence: Cadence;
  dayOfWeek: number;
  dayOfMonth: number;
  /** `HH:MM`, 24-hour. */
  timeOfDay: string;
  topN: number;
}

export type BoardsCommand =
  | ({ type: 'board_subscribe' } & BoardSubscriptionSpec)
  | { type: 'board_unsubscribe'; target: { metric: string } | 'scorecard' | null }
  | { type: 'boards' };

const USAGE =
  '`/kpi board subscribe [metric] [daily|weekly|monthly] [on friday|on the 1st] [at 9am] [top 5]` — (managers) ' +
  'post a board in this channel on a schedule, e.g. `/kpi board subscribe calls weekly on friday at 4pm`; ' +
  '`/kpi board subscribe scorecard meetings:2:10 calls:1:100` ranks by a weighted scorecard (metric:weight:target); ' +
  '`/kpi board unsubscribe [metric]` stops one; `/kpi boards` lists them';

const DEFAULT_METRIC = 'revenue';
const CADENCES = new Set<string>(['daily', 'weekly', 'monthly']);
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MAX_TOP_N = 20;

function weekday(word: string): number | null {
  const index = WEEKDAYS.findIndex((day) => word.length >= 3 && day.startsWith(word.replace(/s$/, '')));
  return index === -1 ? null : index + 1;
}

/** `1st`, `2nd`, `15th`, `31`: a day of the month, 1 to 31. */
function monthDay(word: string): number | null {
  const match = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(word);
  const day = match ? Number(match[1]) : 0;
  return day >= 1 && day <= 31 ? day : null;
}

/** A scorecard target in the metric's own unit: money in cents (`$10k`), a percent as a fraction (`30%`). */
function scorecardTarget(metric: string, text: string): number | null {
  const unit = findKpi(metric)?.unit;
  if (unit === 'currency' || unit === 'currency_per_day') {
    const amount = parseAmount(text);
    return amount.ok && amount.cents > 0 ? amount.cents : null;
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) return Number(percent[1]) / 100;
  const value = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return value > 0 ? value : null;
}

function parseScorecard(
  words: readonly string[],
  ctx: ParseContext,
): { weights: ScorecardWeights } | { error: string } {
  const example = 'e.g. `/kpi board subscribe scorecard meetings:2:10 calls:1:100`';
  if (words.length === 0) return { error: `List the scorecard's metrics as metric:weight:target, ${example}.` };
  const weights: { metric: string; weight: number; target: number }[] = [];
  for (const word of words) {
    const [name = '', weightText = '', targetText = '', ...extra] = word.split(':');
    const metric = ctx.findMetric(name);
    if (!metric)
      return { error: `I don't know a metric called ${quote(name)}. Use \`/kpi explain\` to list the metrics.` };
    const weight = /^\d+(?:\.\d+)?$/.test(weightText) ? Number(weightText) : Number.NaN;
    const target = scorecardTarget(metric.key, targetText);
    if (extra.length > 0 || !(weight > 0 && weight <= 100) || target === null) {
      return {
        error: `${quote(word)} should read metric:weight:target, with a weight from 1 to 100 and a target above zero, ${example}.`,
      };
    }
    if (weights.some((w) => w.metric === metric.key)) return { error: `${quote(name)} is in the scorecard twice.` };
    weights.push({ metric: metric.key, weight, target });
  }
  const checked = scorecardSchema.safeParse(weights);
  return checked.success
    ? { weights: checked.data }
    : { error: `A scorecard has 1 to 8 metrics of the catalogue, ${example}.` };
}

/** `board subscribe …`: reads the schedule words that may follow the metric; the rest name the metric. */
export function parseSubscribe(words: readonly string[], ctx: ParseContext): Parsed<BoardsCommand> {
  const spec: BoardSubscriptionSpec = {
    metric: null,
    scorecard: null,
    cadence: 'weekly',
    dayOfWeek: 1,
    dayOfMonth: 1,
    timeOfDay: '09:00',
    topN: 5,
  };
  let cadence: Cadence | null = null;
  let on: 'week' | 'month' | null = null;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] ?? '').toLowerCase();
    const next = words[i + 1]?.toLowerCase();
    if (CADENCES.has(word)) {
      cadence = word as Cadence;
    } else if (word === 'on' && next !== undefined) {
      const dayWord = next === 'the' ? words[i + 2]?.toLowerCase() : next;
      i += next === 'the' ? 2 : 1;
      const day = dayWord === undefined ? null : weekday(dayWord);
      const date = dayWord === undefined ? null : monthDay(dayWord);
      if (day !== null) [spec.dayOfWeek, on] = [day, 'week'];
      else if (date !== null) [spec.dayOfMonth, on] = [date, 'month'];
      else return fail(`${quote(dayWord ?? '')} isn't a weekday or a day of the month (1st to 31st).`, USAGE);
    } else if (word === 'at' && next !== undefined) {
      // `at 9 am`: the two words make one time.
      const joined = ['am', 'pm'].includes(words[i + 2]?.toLowerCase() ?? '') ? `${next}${words[i + 2]}` : next;
      const time = parseClockTime(joined);
      if (!time.ok) return fail(`${quote(joined)} isn't a time of day — try \`at 9am\` or \`at 17:30\`.`, USAGE);
      spec.timeOfDay = time.time;
      i += joined === next ? 1 : 2;
    } else if (word === 'top' && next !== undefined) {
      const n = /^\d+$/.test(next) ? Number(next) : 0;
      if (n < 1 || n > MAX_TOP_N) return fail(`Show the top 1 to ${MAX_TOP_N} people, e.g. \`top 5\`.`, USAGE);
      spec.topN = n;
      i += 1;
    } else {
      rest.push(words[i] ?? '');
    }
  }
  spec.cadence = cadence ?? (on === 'month' ? 'monthly' : 'weekly');
  if (on === 'week' && spec.cadence !== 'weekly') {
    return fail(`A ${spec.cadence} board can't post on a weekday — make it weekly, or drop the day.`, USAGE);
  }
  if (on === 'month' && spec.cadence !== 'monthly') {
    return fail(`A ${spec.cadence} board can't post on a day of the month — make it monthly, or drop the day.`, USAGE);
  }
  if (rest[0]?.toLowerCase() === 'scorecard') {
    const scorecard = parseScorecard(rest.slice(1), ctx);
    return 'error' in scorecard
      ? fail(scorecard.error, USAGE)
      : ok({ type: 'board_subscribe', ...spec, scorecard: scorecard.weights });
  }
  if (rest.length > 0) {
    const metric = ctx.findMetric(rest.join(' '));
    if (!metric) return unknownMetric(rest.join(' '), USAGE);
    spec.metric = metric.key;
  }
  return ok({ type: 'board_subscribe', ...spec });
}

/** `board unsubscribe [metric|scorecard]`. */
export function parseUnsubscribe(words: readonly string[], ctx: ParseContext): Parsed<BoardsCommand> {
  if (words.length === 0) return ok({ type: 'board_unsubscribe', target: null });
  if (words.length === 1 && words[0]?.toLowerCase() === 'scorecard') {
    return ok({ type: 'board_unsubscribe', target: 'scorecard' });
  }
  const metric = ctx.findMetric(words.join(' '));
  return metric
    ? ok({ type: 'board_unsubscribe', target: { metric: metric.key } })
    : unknownMetric(words.join(' '), USAGE);
}

/** `/kpi board subscribe|unsubscribe` (managers) and `/kpi boards` (everyone); `board` reads the first two. */
export const boardsSubcommand: Subcommand<BoardsCommand> = {
  name: 'boards',
  aliases: [],
  usage: USAGE,
  runs: ['boards', 'board_subscribe', 'board_unsubscribe'],
  parse({ words }) {
    return words.length === 0
      ? ok({ type: 'boards' })
      : fail('`/kpi boards` takes nothing after it — it lists the boards posted on a schedule.', USAGE);
  },
  async run(ctx, command) {
    switch (command.type) {
      case 'boards':
        return listBoards(ctx);
      case 'board_subscribe':
        return subscribe(ctx, command);
      case 'board_unsubscribe':
        return unsubscribe(ctx, command);
    }
  },
};

function what(sub: Pick<BoardSubscription, 'metric' | 'scorecard'>, currency: string): string {
  return sub.scorecard === null
    ? getKpi(sub.metric ?? DEFAULT_METRIC).label
    : `Scorecard: ${describeScorecard(scorecardSchema.parse(sub.scorecard), currency)}`;
}

/** Boards live in a channel: a DM has no team to rank. */
function isChannel(channelId: string): boolean {
  return /^[CG]/.test(channelId);
}

async function subscribe(ctx: CommandContext, cmd: Extract<BoardsCommand, { type: 'board_subscribe' }>) {
  requireManager(ctx.actor.member, 'subscribe a channel to a board');
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
    timezone: usableZone(ctx.actor.timezone),
  };
  const nextRunAt = nextRun(schedule, ctx.now);
  const { db } = ctx.deps;
  const { subscription, created } = await db.transaction(async (tx) => {
    const result = await upsertSubscription(tx, {
      ...schedule,
      workspaceId: ctx.actor.member.workspaceId,
      channelId: ctx.channelId,
      metric: metric?.key ?? null,
      scorecard: cmd.scorecard,
      topN: cmd.topN,
      createdBy: ctx.actor.member.userId,
      nextRunAt,
    });
    await recordAudit(tx, {
      workspaceId: ctx.actor.member.workspaceId,
      actorId: ctx.actor.member.userId,
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
    `${created ? 'Done' : 'Updated'}: this channel gets the *${what(subscription, ctx.actor.currency)}* board ${describeSchedule(schedule)}, top ${cmd.topN}. ` +
      `Next post: ${describeInstant(nextRunAt, ctx.actor.timezone)}, covering the time since ${describeInstant(firstStart, ctx.actor.timezone)}. ` +
      'The team is whoever is in this channel; people who chose `/kpi privacy hide` never appear.' +
      (warning ? `\n:warning: Heads-up: ${warning}. Fix it before the first post, or it will be paused.` : ''),
  );
}

/** Whether the board will be able to read and post in this channel, said now rather than at the first post. */
async function channelWarning(ctx: CommandContext): Promise<string | null> {
  try {
    await checkBotCanPost(ctx.client, ctx.channelId);
    await channelTeam(ctx.deps.db, ctx.client, ctx.actor.member.workspaceId, ctx.channelId);
    return null;
  } catch (error) {
    if (error instanceof ChannelTeamError) return describeBoardError(error.slackError);
    // Anything else (rate limit, Slack down) says nothing about the channel; the job will read it again.
    ctx.deps.logger.warn({ err: error, channel: ctx.channelId }, 'could not check a board channel');
    return null;
  }
}

async function unsubscribe(ctx: CommandContext, cmd: Extract<BoardsCommand, { type: 'board_unsubscribe' }>) {
  requireManager(ctx.actor.member, 'stop a channel’s board');
  const { db } = ctx.deps;
  const live = await liveSubscriptions(db, ctx.actor.member.workspaceId, ctx.channelId);
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
        : `This channel has no such board. Its boards: ${live.map((s) => what(s, ctx.actor.currency)).join(', ')}.`,
    );
  }
  if (matches.length > 1) {
    return textMessage(
      `This channel has ${matches.length} boards: ${matches.map((s) => what(s, ctx.actor.currency)).join(', ')}. Say which, e.g. \`/kpi board unsubscribe ${(matches[0]?.metric ?? 'scorecard').replace(/_/g, ' ')}\`.`,
    );
  }
  const [sub] = matches as [BoardSubscription];
  const archived = await db.transaction(async (tx) => {
    const done = await archiveSubscription(tx, ctx.actor.member.workspaceId, sub.id, ctx.now);
    if (done) {
      await recordAudit(tx, {
        workspaceId: ctx.actor.member.workspaceId,
        actorId: ctx.actor.member.userId,
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
      ? `Stopped: the *${what(sub, ctx.actor.currency)}* board will not be posted here any more. Posts already made stay.`
      : 'That board was already stopped.',
  );
}

/** This channel's boards, or for managers every board in the workspace, with any error to fix. */
async function listBoards(ctx: CommandContext): Promise<SlackMessage> {
  const { db } = ctx.deps;
  const manager = isManager(ctx.actor.member);
  const subs = await liveSubscriptions(db, ctx.actor.member.workspaceId, manager ? null : ctx.channelId);
  const delivery = await lastDeliveryErrors(
    db,
    ctx.actor.member.workspaceId,
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
      what: what(sub, ctx.actor.currency),
      schedule: describeSchedule(scheduleOf(sub)),
      topN: sub.topN,
      nextPost: describeInstant(sub.nextRunAt, ctx.actor.timezone),
      error: error
        ? {
            kind: error.kind,
            text: describeBoardError(error.code),
            since: describeInstant(error.at, ctx.actor.timezone),
          }
        : null,
    };
  });
  return boardListMessage(items, manager ? 'workspace' : 'channel');
}
