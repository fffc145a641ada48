import { MAX_NOTE_CHARS } from '../../kpi/activity-kinds.js';
import { describeWindow, type TimeWindow } from '../../kpi/windows.js';
import type { KudosBoard } from '../../kudos/kudos-board.js';
import { context, escapeMrkdwn, header, type SlackMessage, section } from './message.js';
import { safeUserText } from './recognition.blocks.js';

/** The thank-you posted where `/kpi kudos` was typed: the giver and the receiver are tagged. */
export function kudosMessage(k: { giverId: string; receiverId: string; reason: string }): SlackMessage {
  const line = `:raised_hands: <@${k.giverId}> gave kudos to <@${k.receiverId}>: ${safeUserText(k.reason, MAX_NOTE_CHARS)}`;
  return {
    text: line,
    blocks: [section(line), context('React to add your thanks: reactions count on the kudos board.')],
  };
}

/**
 * The kudos a person received while hidden from public posts: sent to them alone, so the thanks
 * still reaches them without putting them in front of the channel.
 */
export function privateKudosMessage(k: { giverId: string; reason: string }): SlackMessage {
  const line = `:raised_hands: <@${k.giverId}> gave you kudos: ${safeUserText(k.reason, MAX_NOTE_CHARS)}`;
  return {
    text: line,
    blocks: [section(line), context('Sent to you privately because you chose `/kpi privacy hide`.')],
  };
}

const MEDALS: Record<number, string> = {
  1: ':first_place_medal:',
  2: ':second_place_medal:',
  3: ':third_place_medal:',
};

/** Plain names, never mentions: a board must not ping the team. */
export function kudosBoardMessage(board: KudosBoard, window: TimeWindow): SlackMessage {
  const title = `Kudos: ${window.label}`;
  const lines = board.entries.map(
    (e) =>
      `${MEDALS[e.rank] ?? `${e.rank}.`} ${escapeMrkdwn(e.name)}: *${e.total}* ` +
      `(${plural(e.kudos, 'kudos', 'kudos')}, ${plural(e.reactions, 'reaction', 'reactions')})`,
  );
  const mine = board.viewer
    ? `You received ${board.viewer.total} (${plural(board.viewer.kudos, 'kudos', 'kudos')}, ${plural(board.viewer.reactions, 'reaction', 'reactions')}) (only you can see this).`
    : 'No kudos or reactions for you in this window yet (only you can see this).';
  return {
    text: `${title}${
      board.entries.length
        ? `: ${board.entries
            .slice(0, 3)
            .map((e) => `${e.rank}. ${e.name} ${e.total}`)
            .join(', ')}`
        : ''
    }`,
    blocks: [
      header(title),
      section(
        lines.length > 0
          ? lines.join('\n')
          : 'No kudos yet in this window. Thank a teammate with `/kpi kudos @name why`.',
      ),
      context(mine),
      context(
        `Kudos received plus teammates’ reactions to recognition and kudos posts (not your own, not bots’). ` +
          `Ties share a place (1, 2, 2, 4). People who chose \`/kpi privacy hide\` are not shown. ${describeWindow(window)}.`,
      ),
    ],
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
