import { getKpi } from '../../kpi/catalogue.js';
import { buildLeaderboard } from '../../kpi/leaderboard.js';
import { windowPair } from '../../kpi/scope.js';
import { parseWindow, type WindowSpec } from '../../kpi/windows.js';
import { leaderboardMessage } from '../blocks/board.blocks.js';
import { textMessage } from '../blocks/message.js';
import { type BoardsCommand, parseSubscribe, parseUnsubscribe } from './boards.subcommand.js';
import { type KudosCommand, parseKudosBoard } from './kudos.subcommand.js';
import type { CoreContext, Subcommand } from './subcommand.js';
import { failFrom, ok, unknownMetric, windowOrDefault } from './words.js';

export type BoardCommand = { type: 'board'; metric: string | null; window: WindowSpec };

const USAGE =
  '`/kpi board [metric] [window]` — the team leaderboard, e.g. `/kpi board`, `/kpi board meetings last week`';
const DEFAULT_BOARD_METRIC = 'revenue';

/**
 * `/kpi board [metric] [window]`: the longest run of trailing words that reads as a window (or is a
 * window with a problem, like a future date) is the window; the words before it name the metric.
 * `board kudos`, `board subscribe` and `board unsubscribe` read as the kudos board and the boards'.
 */
export const boardSubcommand: Subcommand<BoardCommand, BoardCommand | KudosCommand | BoardsCommand, CoreContext> = {
  name: 'board',
  aliases: ['leaderboard'],
  usage: USAGE,
  runs: ['board'],
  parse({ words }, ctx) {
    const verb = words[0]?.toLowerCase();
    if (verb === 'kudos') return parseKudosBoard(words.slice(1), ctx);
    if (verb === 'subscribe') return parseSubscribe(words.slice(1), ctx);
    if (verb === 'unsubscribe') return parseUnsubscribe(words.slice(1), ctx);
    if (words.length === 0) return ok({ type: 'board', metric: null, window: { kind: 'week' } });
    for (let split = 0; split < words.length; split++) {
      const window = parseWindow(words.slice(split).join(' '), ctx.now, ctx.timezone);
      if (!window.ok && window.reason === 'unrecognized') continue;
      const name = words.slice(0, split).join(' ');
      const metric = name === '' ? null : ctx.findMetric(name);
      if (metric === undefined) return unknownMetric(name, USAGE);
      if (!window.ok) return failFrom(window, USAGE);
      return ok({ type: 'board', metric: metric?.key ?? null, window: window.spec });
    }
    // No window in the text: all of it names the metric, or a metric is followed by a window we can't read.
    for (let split = words.length; split >= 1; split--) {
      const metric = ctx.findMetric(words.slice(0, split).join(' '));
      if (!metric) continue;
      const window = windowOrDefault(words.slice(split), ctx);
      return window.ok ? ok({ type: 'board', metric: metric.key, window: window.spec }) : failFrom(window, USAGE);
    }
    return unknownMetric(words.join(' '), USAGE);
  },
  async run(ctx, command) {
    const { member, timezone, currency } = ctx.actor;
    const metric = getKpi(command.metric ?? DEFAULT_BOARD_METRIC);
    if (!metric.boardable) {
      return textMessage(
        `${metric.label} is a team figure, not one to rank people by. Try \`/kpi explain ${metric.key.replace(/_/g, ' ')}\`.`,
      );
    }
    const scope = { workspaceId: member.workspaceId, ...windowPair(command.window, ctx.now, timezone) };
    const { board, viewer } = await buildLeaderboard(ctx.deps.db, scope, metric, member.userId);
    return leaderboardMessage(board, viewer, currency);
  },
};
