import type { types } from '@slack/bolt';

export type Block = types.KnownBlock;

/** What a reply carries: `text` is the notification and screen-reader fallback, always present. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** Slack's mrkdwn treats these three as control characters; anything a user typed is escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

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

/** Window labels start with a capital ("Last week"); inside a sentence they do not. */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
