import { parseWindow, type WindowParseResult } from '../../kpi/windows.js';

/**
 * What every `/kpi` subcommand's parser shares: reading Slack's command text into words, and making
 * any user text that goes back into an error safe. Parsers are pure and never throw, whatever the text
 * (other scripts, emoji, control characters, bidi marks).
 *
 * Every piece of user text that goes back into an error is escaped for Slack mrkdwn and has its
 * `@here`/`@channel`/`@everyone` defused. Notes, in contrast, are returned as plain decoded text:
 * whoever displays a note must escape it.
 */

export type Parsed<C> = { ok: true; command: C } | { ok: false; error: string; usage: string };

export interface ParseContext {
  now: Date;
  timezone: string;
  findMetric: (name: string) => { key: string } | undefined;
}

/** The text after the subcommand's name, read three ways: each parser takes the one it needs. */
export interface CommandWords {
  /** Cleaned words: markup unwrapped, entities decoded, invisible characters gone. */
  words: readonly string[];
  /** Like `words`, but `<@U…>` and `<#C…>` kept as reference words (see `userRef`, `channelRef`). */
  refs: readonly string[];
  /** The raw text, where Slack's escaped `<@U…>` and `<#C…>` still carry the ids. */
  raw: string;
}

const MAX_QUOTE_CHARS = 40;

/**
 * A token meant as a number, even a malformed one (`12,50`, `-3`, `+5`, `$5k`, `١٢`, `1e309`, `1_000`,
 * `0x10`), so it gets a number error instead of becoming a note. `2pm` or `3rd` stay words.
 */
export const NUMBERISH = /^[-−+(]?[$€£]?[-−+]?(?:0x[\da-f]+|\p{Nd}[\p{Nd},._]*(?:e[-−+]?\p{Nd}+)?[kmb]?)[$€£]?\)?$/iu;

/** `<@U1|ana>` → `ana`, `<#C1|sales>` → `#sales`, `<!here>` → `@here`, `<https://x|x.com>` → `x.com`. */
function unwrapSlackMarkup(text: string): string {
  return text.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_, target: string, label: string | undefined) => {
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (label !== undefined) return label;
    return target.startsWith('!') ? `@${target.slice(1).split('^')[0]}` : target;
  });
}

/** Slack escapes only these three; `&amp;` goes last so `&amp;lt;` stays the literal text `&lt;`. */
function decodeEntities(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/**
 * Markup first, entities second: a `<` the user typed arrives as `&lt;` and must not be mistaken for
 * markup. Invisible format characters (zero-width spaces, bidi marks and overrides, BOM, soft hyphens)
 * would make `calls` fail to match or spoof how a note reads, so they go; control characters become spaces.
 * `$ 5k` is joined into `$5k` so an amount is always one word.
 */
export function cleanText(raw: string): string {
  return decodeEntities(unwrapSlackMarkup(raw))
    .replace(/[\u00AD\u200B\u200C\u200E\u200F\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/([$€£])\s+(?=\p{Nd})/gu, '$1');
}

/** The cleaned words of a whole command text. */
export function splitWords(text: string): string[] {
  return cleanText(text).split(/\s+/u).filter(Boolean);
}

export function slackSafe(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/@(here|channel|everyone)\b/gi, '$1');
}

/** Cut to 40 characters, never inside a surrogate pair, and made safe for Slack. */
export function echo(text: string): string {
  const chars = [...text];
  return slackSafe(chars.length > MAX_QUOTE_CHARS ? `${chars.slice(0, MAX_QUOTE_CHARS).join('')}…` : text);
}

export function quote(text: string): string {
  return `“${echo(text)}”`;
}

export function ok<C>(command: C): Parsed<C> {
  return { ok: true, command };
}

export function fail<C = never>(error: string, usage: string): Parsed<C> {
  return { ok: false, error, usage };
}

/** Errors from the amount and window parsers echo user text unescaped. */
export function failFrom<C = never>(result: { error: string }, usage: string): Parsed<C> {
  return fail(slackSafe(result.error), usage);
}

// ---------------------------------------------------------------------------------------------
// Commands that name people and channels

/** A mention or channel kept as one word (`\uE000@U123`, `\uE000#C123`) so its place in the text is known. */
const REF = '\uE000';

/** The words of the text, with `<@U…|name>` and `<#C…|name>` turned into reference words. */
function referenceWords(raw: string): string[] {
  const marked = raw
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, ` ${REF}@$1 `)
    .replace(/<#(C[A-Z0-9]+)(?:\|[^>]*)?>/g, ` ${REF}#$1 `);
  return splitWords(marked);
}

export function isRef(word: string): boolean {
  return word.startsWith(REF);
}

export function userRef(word: string | undefined): string | null {
  return word?.startsWith(`${REF}@`) ? word.slice(2) : null;
}

export function channelRef(word: string | undefined): string | null {
  return word?.startsWith(`${REF}#`) ? word.slice(2) : null;
}

/** What user text to echo for a word that may be a reference. */
export function shownWord(word: string): string {
  return isRef(word) ? word.slice(1) : word;
}

export const MENTION_HINT = 'Mention them with @ so Slack links the name, e.g. `@ana`.';

/** The user ids of `<@U…>` mentions, which Slack sends when the command escapes users. */
export function mentionedUsers(raw: string): string[] {
  return [...raw.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? '');
}

/** The command text after its first word (the subcommand's name), read the three ways. */
export function commandWords(text: string): CommandWords {
  return {
    words: splitWords(text).slice(1),
    refs: referenceWords(text).slice(1),
    raw: text.replace(/^\s*\S+\s*/u, ''),
  };
}

// ---------------------------------------------------------------------------------------------
// Windows and metrics, read by several subcommands

export function windowOrDefault(words: readonly string[], ctx: ParseContext): WindowParseResult {
  return words.length === 0
    ? { ok: true, spec: { kind: 'week' } }
    : parseWindow(words.join(' '), ctx.now, ctx.timezone);
}

export function unknownMetric(name: string, usage: string): Parsed<never> {
  return fail(`I don't know a metric called ${quote(name)}. Use \`/kpi explain\` to list the metrics.`, usage);
}
