import { latestUndoable } from '../../activities/activities.repository.js';
import { activityDay } from '../../activities/activity-day.js';
import { ACTIVITY_KIND_KEYS, ACTIVITY_KINDS, type ActivityKind, MAX_NOTE_CHARS } from '../../kpi/activity-kinds.js';
import { countWordsAsDigits, parseAmount, parseCount } from '../../lib/amount.js';
import { undoActivity } from '../../recognition/undo.js';
import { undoneMessage } from '../blocks/log.blocks.js';
import { type SlackMessage, textMessage } from '../blocks/message.js';
import { logEntry } from '../log-entry.js';
import { trailingDay } from './day-phrase.js';
import type { CoreContext, Subcommand } from './subcommand.js';
import { commandWords, echo, fail, failFrom, NUMBERISH, ok, type ParseContext, type Parsed, quote } from './words.js';

export type LogCommand = {
  type: 'log';
  kind: ActivityKind;
  quantity: number;
  amountCents: number;
  note: string | null;
  /** The local day it happened (`yyyy-mm-dd`), when the rep named one other than today. */
  day?: string;
};
export type UndoCommand = { type: 'undo' };

/** `/kpi log deal won 150` logs a $150 deal, `/kpi log deal won 3` logs three deals. */
const BARE_AMOUNT_MIN_CENTS = 100_00;

/** Aliases compare with `-`, `_` and spaces alike, so `no show`, `no-show` and `follow up` all match. */
function aliasKey(text: string): string {
  return text.toLowerCase().replace(/[-_\s]+/g, ' ');
}

const ALIASES = new Map<string, ActivityKind>(
  ACTIVITY_KIND_KEYS.flatMap((kind) => ACTIVITY_KINDS[kind].aliases.map((alias) => [aliasKey(alias), kind] as const)),
);
const MAX_ALIAS_WORDS = Math.max(...[...ALIASES.keys()].map((alias) => alias.split(' ').length));

/** The name to show for each kind in help: its plural when that can be typed (`qualified leads` can't). */
function typeableName(kind: ActivityKind): string {
  const { many, aliases } = ACTIVITY_KINDS[kind];
  return ALIASES.get(aliasKey(many)) === kind ? many : (aliases[0] ?? kind);
}

export const ACTIVITY_NAMES = ACTIVITY_KIND_KEYS.map(typeableName).join(', ');

/** The activity named by the longest leading run of words, and the words after it. */
export function matchActivity(words: readonly string[]): { kind: ActivityKind; rest: string[] } | null {
  for (let n = Math.min(MAX_ALIAS_WORDS, words.length); n >= 1; n--) {
    const kind = ALIASES.get(aliasKey(words.slice(0, n).join(' ')));
    if (kind) return { kind, rest: words.slice(n) };
  }
  return null;
}

function readNote(words: readonly string[]): { note: string | null } | { error: string } {
  const note = words.join(' ');
  const length = [...note].length;
  if (length > MAX_NOTE_CHARS) {
    return {
      error: `That note is ${length} characters — notes can be up to ${MAX_NOTE_CHARS}. Shorten it and try again.`,
    };
  }
  return { note: note === '' ? null : note };
}

type Quantities = { quantity: number; amountCents: number; used: number } | { error: string };

/** Non-money kinds: an optional count. */
function readCount(words: readonly string[]): Quantities {
  const [first] = words;
  if (first === undefined || !NUMBERISH.test(first)) return { quantity: 1, amountCents: 0, used: 0 };
  const count = parseCount(first);
  return count.ok ? { quantity: count.count, amountCents: 0, used: 1 } : count;
}

/** Deals: count then amount when two numbers follow; one number is an amount if it looks like money. */
function readDealNumbers(words: readonly string[], kind: ActivityKind): Quantities {
  const [first, second] = words;
  if (first === undefined || !NUMBERISH.test(first)) return { quantity: 1, amountCents: 0, used: 0 };
  if (second !== undefined && NUMBERISH.test(second)) {
    const count = parseCount(first);
    if (!count.ok) {
      const example = `/kpi log ${ACTIVITY_KINDS[kind].one} 2 $25k`;
      return {
        error: `${count.error} With two numbers, the first is how many and the second the amount: \`${example}\`.`,
      };
    }
    const amount = parseAmount(second);
    return amount.ok ? { quantity: count.count, amountCents: amount.cents, used: 2 } : amount;
  }
  const amount = parseAmount(first);
  if (!amount.ok) return amount;
  if (amount.explicitMoney || amount.cents >= BARE_AMOUNT_MIN_CENTS) {
    return { quantity: 1, amountCents: amount.cents, used: 1 };
  }
  const count = parseCount(first);
  if (!count.ok) return { error: `${count.error} If it's an amount, add a currency sign: $${first}.` };
  return { quantity: count.count, amountCents: 0, used: 1 };
}

const LOG_USAGE =
  '`/kpi log &lt;activity&gt; [count] [amount] [note] [day]` — e.g. `/kpi log calls 12`, `/kpi log deal won $12.5k Acme` ' +
  '(the amount is optional: `/kpi log deal won` records a deal without one). ' +
  'End with a day to log up to 7 days back: `/kpi log calls 12 yesterday`, `/kpi log meeting on monday`, ' +
  '`/kpi log calls 5 nov 30` or `2026-11-30`; a day anywhere else stays in the note';

/** `12 calls Acme` as `calls 12 Acme`: a leading number moved after the activity it counts, or null. */
function activityFirst(words: readonly string[]): string[] | null {
  const [first = ''] = words;
  const swapped = NUMBERISH.test(first) ? matchActivity(words.slice(1)) : null;
  return swapped ? [...words.slice(1, words.length - swapped.rest.length), first, ...swapped.rest] : null;
}

function unknownActivity(words: readonly string[]): Parsed<never> {
  const swapped = activityFirst(words);
  if (swapped) return fail(`Put the activity first: \`/kpi log ${echo(swapped.join(' '))}\`.`, LOG_USAGE);
  return fail(`I don't know the activity ${quote(words[0] ?? '')}. You can log: ${ACTIVITY_NAMES}.`, LOG_USAGE);
}

/** `/kpi log <activity> [count] [amount] [note]`: one entry, written once per Slack invocation. */
export const logSubcommand: Subcommand<LogCommand, LogCommand, CoreContext> = {
  name: 'log',
  aliases: [],
  usage: LOG_USAGE,
  runs: ['log'],
  parse({ words }, ctx) {
    if (words.length === 0) return fail(`What should I log? You can log: ${ACTIVITY_NAMES}.`, LOG_USAGE);
    const activity = matchActivity(words);
    if (!activity) return unknownActivity(words);
    const { kind } = activity;
    const named = trailingDay(activity.rest, ctx.now, ctx.timezone);
    if (named && 'error' in named) return failFrom(named, LOG_USAGE);
    const day = named ? activityDay(named.day, ctx.now, ctx.timezone) : null;
    if (day && !day.ok) return failFrom(day, LOG_USAGE);
    const rest = countWordsAsDigits(named?.rest ?? activity.rest);
    const numbers = ACTIVITY_KINDS[kind].money ? readDealNumbers(rest, kind) : readCount(rest);
    if ('error' in numbers) return failFrom(numbers, LOG_USAGE);
    const note = readNote(rest.slice(numbers.used));
    if ('error' in note) return fail(note.error, LOG_USAGE);
    const { quantity, amountCents } = numbers;
    const backdated = day?.backdated ? { day: day.day } : {};
    return ok({ type: 'log', kind, quantity, amountCents, note: note.note, ...backdated });
  },
  run: async (ctx, command) => (await recordLogCommand(ctx, command)).message,
};

/**
 * Stores a parsed `log` command once per Slack invocation. `duplicate` says the invocation's entry
 * was stored before (a retry), so a caller that already answered it can stay quiet.
 */
export async function recordLogCommand(
  ctx: CoreContext,
  command: LogCommand,
): Promise<{ duplicate: boolean; message: SlackMessage }> {
  const { kind, quantity, amountCents, note } = command;
  // The parse checked the day on this same clock; here it becomes the moment to store.
  const day = command.day === undefined ? null : activityDay(command.day, ctx.now, ctx.actor.timezone);
  if (day && !day.ok) return { duplicate: false, message: textMessage(day.error) };
  const entry = { kind, quantity, amountCents, note, occurredAt: day?.occurredAt ?? ctx.now };
  const logged = await logEntry(ctx.deps.db, ctx.actor, entry, `slack:${ctx.triggerId}`, ctx.now);
  return { duplicate: !logged.created, message: logged.message };
}

/**
 * A DM to the app, read with the `/kpi log` grammar: `log` in front is optional and so is the order
 * of a leading count (`12 calls`). Null when the text is not about logging at all (it gets help).
 */
export function parseLogMessage(text: string, ctx: ParseContext): Parsed<LogCommand> | null {
  const typedLog = /^\s*log\b/i.test(text);
  const read = commandWords(typedLog ? text : `log ${text}`);
  const words = matchActivity(read.words) ? read.words : activityFirst(read.words);
  if (words) return logSubcommand.parse({ ...read, words }, ctx);
  return typedLog ? logSubcommand.parse(read, ctx) : null;
}

const UNDO_USAGE = '`/kpi undo` — removes your most recent entry';

/** `/kpi undo`: the rep's own latest entry logged from Slack. */
export const undoSubcommand: Subcommand<UndoCommand, UndoCommand, CoreContext> = {
  name: 'undo',
  aliases: [],
  usage: UNDO_USAGE,
  runs: ['undo'],
  parse({ words }) {
    return words.length === 0
      ? ok({ type: 'undo' })
      : fail('`/kpi undo` takes nothing after it — it removes your most recent entry.', UNDO_USAGE);
  },
  async run(ctx) {
    const { db } = ctx.deps;
    const { member, currency } = ctx.actor;
    const latest = await latestUndoable(db, member.workspaceId, member.userId);
    if (!latest)
      return textMessage('There is nothing of yours to undo: entries you log with `/kpi log` can be undone.');
    const who = { workspaceId: member.workspaceId, userId: member.userId };
    const result = await undoActivity(db, who, latest.id, ctx.now);
    if (result.status === 'undone' || result.status === 'already_undone') {
      return undoneMessage(result.original, currency, result.status === 'already_undone');
    }
    return textMessage('There is nothing of yours to undo.');
  },
};
