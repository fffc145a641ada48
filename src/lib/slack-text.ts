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

/** Window labels start with a capital ("Last week"); inside a sentence they do not. */
export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
