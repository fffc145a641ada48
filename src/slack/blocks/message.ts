import { type Block, escapeMrkdwn, type SlackMessage } from '../../lib/slack-text.js';

// Defined below the Slack layer, because domain text (contest progress, chart captions) and the
// outbox use them too; re-exported so Block Kit builders find the whole toolkit here.
export { type Block, escapeMrkdwn, lowerFirst, type SlackMessage } from '../../lib/slack-text.js';

export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } };
}

export function context(...texts: string[]): Block {
  return { type: 'context', elements: texts.slice(0, 10).map((t) => ({ type: 'mrkdwn', text: truncate(t, 3000) })) };
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, 150), emoji: true } };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A plain text reply: errors, help, confirmations. */
export function textMessage(text: string): SlackMessage {
  return { text, blocks: [section(text)] };
}

export function errorMessage(error: string, usage: string): SlackMessage {
  const text = `${error}\n${usage}`;
  return { text, blocks: [section(`:warning: ${error}`), context(usage)] };
}
