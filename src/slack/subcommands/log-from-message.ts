import { type ActivityKind, MAX_NOTE_CHARS } from '../../kpi/activity-kinds.js';
import { matchActivity } from './log.subcommand.js';
import { cleanText } from './words.js';

/**
 * "Log as activity" on a message: the first activity the message names (a thread about a call
 * becomes a call), and the message as the note, cut to fit with the link to it at the end. A
 * guess the rep can change in the modal, never a silent write.
 */
export function prefillFromMessage(text: string, permalink: string | null): { kind?: ActivityKind; note: string } {
  const clean = cleanText(text).replace(/\s+/gu, ' ').trim();
  const words = clean.toLowerCase().split(' ').map(stripPunctuation);
  let kind: ActivityKind | undefined;
  for (let i = 0; i < words.length && !kind; i++) kind = matchActivity(words.slice(i))?.kind;
  const link = permalink ? ` ${permalink}` : '';
  const room = MAX_NOTE_CHARS - [...link].length;
  const chars = [...clean];
  const body = chars.length <= room ? clean : `${chars.slice(0, Math.max(room - 1, 0)).join('')}…`;
  return { ...(kind ? { kind } : {}), note: `${body}${link}`.trim() };
}

function stripPunctuation(word: string): string {
  return word.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
}
