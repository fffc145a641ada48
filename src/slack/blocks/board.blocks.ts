import { formatKpiValue } from '../../kpi/catalogue.js';
import type { Leaderboard, LeaderboardPosition } from '../../kpi/leaderboard.js';
import { context, escapeMrkdwn, header, lowerFirst, type SlackMessage, section } from './message.js';

const MEDALS: Record<number, string> = {
  1: ':first_place_medal:',
  2: ':second_place_medal:',
  3: ':third_place_medal:',
};

/** Names are plain text, never `<@U…>` mentions: a board must not ping the whole team. */
export function leaderboardMessage(
  board: Leaderboard,
  viewer: LeaderboardPosition | null,
  currency: string,
): SlackMessage {
  const { metric } = board;
  const title = `${metric.label}: ${board.window.label}`;
  const lines = board.entries.map(
    (e) => `${MEDALS[e.rank] ?? `${e.rank}.`} ${escapeMrkdwn(e.name)}: *${formatKpiValue(metric, e.value, currency)}*`,
  );
  const blocks = [header(title)];
  blocks.push(
    section(
      lines.length > 0
        ? lines.join('\n')
        : 'Nobody is on this board yet for this window. Log an activity with `/kpi log` to get going.',
    ),
  );
  if (board.improved.length > 0) {
    const improved = board.improved
      .map(
        (i) =>
          `${escapeMrkdwn(i.name)} (${i.delta > 0 ? '+' : ''}${formatKpiValue(metric, Math.abs(i.delta), currency)})`,
      )
      .join(', ');
    blocks.push(
      section(`:chart_with_upwards_trend: *Most improved* vs ${lowerFirst(board.previous.label)}: ${improved}`),
    );
  }
  blocks.push(
    context(
      viewer
        ? `Your place: #${viewer.rank} of ${viewer.of} with ${formatKpiValue(metric, viewer.value, currency)} (only you can see this).`
        : `You are not on this board yet: nothing counts towards ${metric.label.toLowerCase()} for you in this window (only you can see this).`,
    ),
  );
  const notes = [
    'Ties share a place (1, 2, 2, 4) and are listed by name.',
    metric.minSample ? `Ranked only with at least ${metric.minSample.min} ${metric.minSample.what}.` : '',
    board.notEnoughData > 0 ? `${board.notEnoughData} not ranked yet (too little data).` : '',
    'People who chose `/kpi privacy hide` are not shown.',
    `\`/kpi explain ${metric.key.replace(/_/g, ' ')}\` shows how it is computed. Times in ${board.window.timezone}.`,
  ].filter(Boolean);
  blocks.push(context(notes.join(' ')));
  const top = board.entries
    .slice(0, 3)
    .map((e) => `${e.rank}. ${e.name} ${formatKpiValue(metric, e.value, currency)}`)
    .join(', ');
  return { text: `Leaderboard, ${title}${top ? `: ${top}` : ''}`, blocks };
}
