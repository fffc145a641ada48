import { formatMoney } from '../../lib/amount.js';
import { context, escapeMrkdwn, type SlackMessage, section, truncate } from './message.js';

export interface Celebration {
  /** The rep: tagged, since the post is about them and they opted in to public posts. */
  userId: string;
  /** Null when hidden by the workspace's settings or unknown. */
  dealName: string | null;
  /** How many deals the entry records (`/kpi log deal won 2 $25k`). */
  deals: number;
  /** Null when hidden by the workspace's settings or when the win carried no amount. */
  amountCents: number | null;
  currency: string;
}

/** Deal names come from people and CRMs: escaped, cut short, and never able to ping a channel. */
export function safeUserText(text: string, max: number): string {
  return escapeMrkdwn(truncate(text.trim(), max)).replace(/@(here|channel|everyone)\b/gi, '$1');
}

/** A short, friendly celebration of a won deal for the team channel. */
export function recognitionMessage(c: Celebration): SlackMessage {
  const unnamed = c.deals > 1 ? `${c.deals} deals` : 'a deal';
  const what = c.dealName ? `*${safeUserText(c.dealName, 80)}*` : unnamed;
  const amount =
    c.amountCents !== null && c.amountCents > 0 ? ` worth *${formatMoney(c.amountCents, c.currency)}*` : '';
  const line = `:tada: <@${c.userId}> just won ${what}${amount}!`;
  return {
    text: line,
    blocks: [section(line), context('React to cheer them on: every teammate’s reaction counts on the kudos board.')],
  };
}
