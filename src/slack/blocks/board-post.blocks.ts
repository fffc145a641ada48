import { DateTime } from 'luxon';
import type { BoardPostData } from '../../boards/board-post.js';
import type { BoardChartInput } from '../../charts/board-chart.js';
import { boardChartInput } from '../../charts/board-chart-data.js';
import { progressBar } from '../../goals/progress.js';
import { formatChange, formatKpiValue, type KpiDefinition } from '../../kpi/catalogue.js';
import type { LeaderboardPosition } from '../../kpi/leaderboard.js';
import { ACTIONS } from '../ids.js';
import { type Block, context, escapeMrkdwn, header, type SlackMessage, section } from './message.js';

/**
 * A scheduled channel board, pure: the top of the board (never the bottom), the most improved,
 * the team against its goal, how the figures were computed, and a button that tells each person
 * their own place privately. Names are plain text, never `<@U…>` mentions: a board must not ping
 * the channel.
 */

const MEDALS: Record<number, string> = {
  1: ':first_place_medal:',
  2: ':second_place_medal:',
  3: ':third_place_medal:',
};

const CADENCE_NAME = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' } as const;
const PERIOD_NAME = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

/** What the "See my position" button carries: the board and the post's exact windows. */
export interface PositionRef {
  subscriptionId: number;
  start: Date;
  end: Date;
  previousStart: Date;
}

export function encodePositionRef(ref: PositionRef): string {
  return [ref.subscriptionId, ref.start.getTime(), ref.end.getTime(), ref.previousStart.getTime()].join(':');
}

export function decodePositionRef(value: string): PositionRef | null {
  const parts = value.split(':').map(Number);
  if (parts.length !== 4 || !parts.every((n) => Number.isSafeInteger(n) && n >= 0)) return null;
  const [subscriptionId = 0, start = 0, end = 0, previousStart = 0] = parts;
  if (!(previousStart <= start && start < end)) return null;
  return { subscriptionId, start: new Date(start), end: new Date(end), previousStart: new Date(previousStart) };
}

function value(metric: KpiDefinition, n: number, currency: string): string {
  return formatKpiValue(metric, n, currency);
}

function topLines(data: BoardPostData): string {
  const { board, metric, currency } = data;
  return board.entries
    .map((e) => `${MEDALS[e.rank] ?? `${e.rank}.`} ${escapeMrkdwn(e.name)}: *${value(metric, e.value, currency)}*`)
    .join('\n');
}

const EMPTY_SPAN = { daily: 'since the last board', weekly: 'this week', monthly: 'this month' } as const;

function emptyText(data: BoardPostData): string {
  const span = data.periods > 1 ? 'since the last board' : EMPTY_SPAN[data.cadence];
  if (data.active > 0) {
    return `Nobody to show on the public board ${span}: people at zero and people who chose to hide are not listed. \`See my position\` shows yours.`;
  }
  const who = data.teamSize === 1 ? 'you' : 'the team';
  return `:seedling: No activity logged ${span} on ${data.metric.label.toLowerCase()} — a fresh start for ${who}. Log with \`/kpi log\` and the next board will show it.`;
}

function teamLine(data: BoardPostData): string | null {
  const { team, goal, metric, currency } = data;
  if (team.value === null) return null;
  const label = data.isScorecard ? 'Team average score' : 'Team total';
  const change =
    team.previous === null
      ? ''
      : ` (${formatChange(metric, team.value, team.previous)} on the ${PERIOD_NAME[data.cadence]} before)`;
  const base = `:busts_in_silhouette: *${label}:* ${value(metric, team.value, currency)}${change}`;
  if (!goal) return base;
  const fraction = goal.target > 0 ? team.value / goal.target : 0;
  return `${base}\n${progressBar(fraction)} ${Math.round(fraction * 100)}% of the team's ${goal.period} goal of ${value(metric, goal.target, currency)}`;
}

function methodLine(data: BoardPostData): string {
  const { board, metric } = data;
  const zero = metric.direction === 'higher_is_better' ? ' or at zero' : '';
  return [
    `*How it's computed:* ${metric.formula.replace(/\.?$/, '.')}`,
    `Window: ${board.window.label}, compared with ${board.previous.label}.`,
    `Team: the ${data.teamSize} ${data.teamSize === 1 ? 'person' : 'people'} in this channel.`,
    `Ties share a place (1, 2, 2, 4). Only the top of the board is shown; people who chose \`/kpi privacy hide\`${zero} are not listed.`,
    metric.minSample ? `Ranked only with at least ${metric.minSample.min} ${metric.minSample.what}.` : '',
    board.notEnoughData > 0 ? `${board.notEnoughData} not ranked yet (too little data).` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function windowText(data: BoardPostData): string {
  const covers = `Covers ${data.board.window.label}`;
  if (data.periods <= 1) return covers;
  return `${covers}: ${data.periods} ${PERIOD_NAME[data.cadence]}s in one post, because the scheduled posts in between could not be made.`;
}

export function boardPostMessage(data: BoardPostData): SlackMessage {
  const { board, metric, currency } = data;
  const title = `${CADENCE_NAME[data.cadence]} board: ${data.isScorecard ? 'Scorecard' : metric.label}`;
  const blocks: Block[] = [header(title), context(windowText(data))];
  blocks.push(section(board.entries.length > 0 ? topLines(data) : emptyText(data)));
  if (board.improved.length > 0) {
    const improved = board.improved
      .map((i) => `${escapeMrkdwn(i.name)} (+${value(metric, Math.abs(i.delta), currency)})`)
      .join(', ');
    blocks.push(
      section(`:chart_with_upwards_trend: *Most improved* on the ${PERIOD_NAME[data.cadence]} before: ${improved}`),
    );
  }
  const team = teamLine(data);
  if (team) blocks.push(section(team));
  blocks.push(context(methodLine(data)));
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.boardPosition,
        text: { type: 'plain_text', text: 'See my position', emoji: true },
        value: encodePositionRef({
          subscriptionId: data.subscriptionId,
          start: board.window.start,
          end: board.window.end,
          previousStart: board.previous.start,
        }),
      },
    ],
  });
  const top = board.entries
    .slice(0, 3)
    .map((e) => `${e.rank}. ${e.name} ${value(metric, e.value, currency)}`)
    .join(', ');
  const fallback = top ? `: ${top}` : ': no activity logged';
  return { text: `${title}, ${board.window.label}${fallback}`, blocks };
}

/** The private answer to "See my position": the clicker's own place in that post's window. */
export function positionMessage(input: {
  metric: KpiDefinition;
  windowLabel: string;
  position: LeaderboardPosition | null;
  optedOut: boolean;
  currency: string;
}): SlackMessage {
  const { metric, position, currency } = input;
  const where = `on this board (${input.windowLabel})`;
  const main = position
    ? `Your place ${where}: *#${position.rank} of ${position.of}* with ${value(metric, position.value, currency)}.`
    : `Nothing counts towards ${metric.label.toLowerCase()} for you ${where}, so you have no place on it yet.`;
  const note = input.optedOut
    ? 'You are hidden from public boards (`/kpi privacy hide`): only you see this.'
    : 'Only you can see this.';
  const text = `${main} ${note}`;
  return { text, blocks: [section(main), context(note)] };
}

/** The post's picture: the public top as bars and the channel-team's figure over the last periods. Pure. */
export function boardPostChart(data: BoardPostData): BoardChartInput {
  const { metric, currency, board } = data;
  const zone = board.window.timezone;
  const trend = data.trend.map((p) => ({
    label: DateTime.fromJSDate(p.start, { zone }).setLocale('en-US').toFormat('d LLL'),
    value: p.value,
    display: value(metric, p.value, currency),
  }));
  return {
    ...boardChartInput(board, trend, currency),
    trendTitle: `Team ${data.isScorecard ? 'score' : metric.label.toLowerCase()}, ${PERIOD_NOUN[data.cadence]} by ${PERIOD_NOUN[data.cadence]}`,
    emptyText: 'Nobody to show on the public board for this window',
  };
}

const PERIOD_NOUN: Record<BoardPostData['cadence'], string> = { daily: 'day', weekly: 'week', monthly: 'month' };

/** One line of `/kpi boards`. */
export interface BoardListItem {
  channelId: string;
  what: string;
  schedule: string;
  topN: number;
  /** The next post, in the viewer's zone. */
  nextPost: string;
  /** `paused`: the job could not read the channel; `delivery`: the deliverer could not post the last one. */
  error: { kind: 'paused' | 'delivery'; text: string; since: string } | null;
}

const ERROR_TEXT: Record<string, string> = {
  not_in_channel: 'the bot is not in the channel: invite it with `/invite @KPI bot`',
  channel_not_found: 'the channel was not found (deleted, or private without the bot)',
  is_archived: 'the channel is archived',
  app_not_installed: 'the app is not installed in this workspace any more',
};

export function describeBoardError(code: string): string {
  return ERROR_TEXT[code] ?? `Slack answered \`${escapeMrkdwn(code)}\``;
}

export function boardListMessage(items: readonly BoardListItem[], scope: 'channel' | 'workspace'): SlackMessage {
  if (items.length === 0) {
    const where = scope === 'channel' ? 'This channel has' : 'This workspace has';
    const text = `${where} no scheduled boards. A manager can start one here with \`/kpi board subscribe\`.`;
    return { text, blocks: [section(text)] };
  }
  const title = scope === 'channel' ? 'Boards posted in this channel' : 'Boards posted on a schedule';
  const lines = items.map((item) => {
    const error = !item.error
      ? ''
      : item.error.kind === 'paused'
        ? `\n:warning: Paused since ${item.error.since}: ${item.error.text}. It tries again at its next post time, or at once when you \`/kpi board subscribe\` again.`
        : `\n:warning: The last post (${item.error.since}) could not be delivered: ${item.error.text}.`;
    return `*${item.what}* in <#${item.channelId}>: ${item.schedule}, top ${item.topN}.\nNext post: ${item.nextPost}.${error}`;
  });
  const blocks: Block[] = [header(title), ...lines.slice(0, 45).map((line) => section(line))];
  if (lines.length > 45) blocks.push(context(`…and ${lines.length - 45} more.`));
  return { text: `${title}:\n${lines.join('\n')}`, blocks };
}
