import { windowPair } from '../../kpi/scope.js';
import type { WindowSpec } from '../../kpi/windows.js';
import { buildScorecard } from '../../scorecard/scorecard.js';
import { scorecardMessage } from '../blocks/scorecard.blocks.js';
import type { CoreContext, Subcommand } from './subcommand.js';
import { failFrom, ok, windowOrDefault } from './words.js';

export type MeCommand = { type: 'me'; window: WindowSpec };

const USAGE = '`/kpi me [window]` — your numbers, this week unless you say otherwise, e.g. `/kpi me last month`';

/** `/kpi me [window]`: the rep's own scorecard. */
export const meSubcommand: Subcommand<MeCommand, MeCommand, CoreContext> = {
  name: 'me',
  aliases: [],
  usage: USAGE,
  runs: ['me'],
  parse({ words }, ctx) {
    const window = windowOrDefault(words, ctx);
    return window.ok ? ok({ type: 'me', window: window.spec }) : failFrom(window, USAGE);
  },
  async run(ctx, command) {
    const { member, timezone, currency, settings, known } = ctx.actor;
    const who = { workspaceId: member.workspaceId, userId: member.userId };
    const pair = windowPair(command.window, ctx.now, timezone);
    const extras = { now: ctx.now, timezone, settings, ...(known ? { known } : {}) };
    const card = await buildScorecard(ctx.deps.db, who, pair, currency, extras);
    return scorecardMessage(card, currency);
  },
};
