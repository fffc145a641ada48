import { DateTime } from 'luxon';
import type { Cadence } from '../boards/schedule.js';
import { isGoalMetric, notAGoalMetric } from '../goals/goal-metrics.js';
import { CRM_SOURCES, type CrmSource } from '../integrations/crm-config.js';
import { ACTIVITY_KIND_KEYS, ACTIVITY_KINDS, type ActivityKind } from '../kpi/activity-kinds.js';
import { findKpi } from '../kpi/catalogue.js';
import { type ScorecardWeights, scorecardSchema } from '../kpi/weighted-score.js';
import { parseWindow, WINDOW_CHOICES, type WindowParseResult, type WindowSpec } from '../kpi/windows.js';
import { countWordsAsDigits, parseAmount, parseCount } from '../lib/amount.js';
import { parseClockTime } from '../lib/clock-time.js';

/**
 * The `/kpi` command-text parser. Pure: it turns what Slack sends into a `KpiCommand` or a friendly
 * error, and never throws, whatever the text (other scripts, emoji, control characters, bidi marks).
 *
 * Every piece of user text that goes back into an error is escaped for Slack mrkdwn and has its
 * `@here`/`@channel`/`@everyone` defused. Notes, in contrast, are returned as plain decoded text:
 * whoever displays a note must escape it.
 */

export type HelpTopic =
  | 'log'
  | 'me'
  | 'board'
  | 'boards'
  | 'explain'
  | 'undo'
  | 'privacy'
  | 'crm'
  | 'kudos'
  | 'recognition'
  | 'nudges'
  | 'contest'
  | 'goal'
  | 'role'
  | 'team'
  | 'audit';

export type RecognitionChange =
  | { kind: 'channel'; channelId: string }
  | { kind: 'off' | 'hide_amount' | 'show_amount' | 'hide_deal_names' | 'show_deal_names' };
export type RecognitionSetting = RecognitionChange | { kind: 'status' };

/** What a board posts (one metric, or a weighted scorecard), how often and when. */
export interface BoardSubscriptionSpec {
  /** A catalogue key; null with a scorecard, or when none was named (the runner's default). */
  metric: string | null;
  scorecard: ScorecardWeights | null;
  cadence: Cadence;
  dayOfWeek: number;
  dayOfMonth: number;
  /** `HH:MM`, 24-hour. */
  timeOfDay: string;
  topN: number;
}

/** `/kpi explain <topic>`: the rules of the game rather than a metric. */
export const RULE_TOPICS = ['points', 'streaks', 'badges', 'levels', 'ranking', 'goals', 'contests'] as const;
export type RuleTopic = (typeof RULE_TOPICS)[number];

export type GoalPeriod =
  | { period: 'week' | 'month' | 'quarter' | 'year' }
  | { period: 'custom'; startsOn: string; endsOn: string };

/** Whose goal: the person typing, a named rep, or a channel's whole team. */
export type GoalSubject = { kind: 'self' } | { kind: 'user'; userId: string } | { kind: 'channel'; channelId: string };

export type GoalCommand =
  | { type: 'goal'; action: 'set'; metric: string; target: number; period: GoalPeriod; subject: GoalSubject }
  | { type: 'goal'; action: 'suggest'; metric: string; period: GoalPeriod; subject: GoalSubject }
  | { type: 'goal'; action: 'remove'; metric: string; period: GoalPeriod; subject: GoalSubject };

export type KpiCommand =
  | { type: 'help'; topic: HelpTopic | null }
  | { type: 'log'; kind: ActivityKind; quantity: number; amountCents: number; note: string | null }
  | { type: 'undo' }
  | { type: 'me'; window: WindowSpec }
  | { type: 'board'; metric: string | null; window: WindowSpec }
  | ({ type: 'board_subscribe' } & BoardSubscriptionSpec)
  | { type: 'board_unsubscribe'; target: { metric: string } | 'scorecard' | null }
  | { type: 'boards' }
  | { type: 'explain'; metric: string | null }
  | { type: 'rules'; topic: RuleTopic }
  | GoalCommand
  | { type: 'goals'; userId: string | null }
  | { type: 'role'; userId: string; role: 'rep' | 'manager' | 'admin' }
  | { type: 'team'; action: 'show' }
  | { type: 'team'; action: 'add'; userIds: string[]; managerId: string | null }
  | { type: 'team'; action: 'remove'; userIds: string[] }
  | { type: 'audit' }
  | { type: 'privacy'; setting: 'hide' | 'show' | 'status' }
  | { type: 'privacy_export' }
  | { type: 'privacy_forget'; userId: string }
  | { type: 'kudos'; action: 'give'; receiverId: string; reason: string }
  | { type: 'kudos'; action: 'board'; window: WindowSpec }
  | { type: 'recognition'; setting: RecognitionSetting }
  | { type: 'crm'; action: 'status' }
  | { type: 'crm'; action: 'map'; source: CrmSource; ownerId: string; userId: string }
  | { type: 'crm'; action: 'connect'; source: CrmSource; accountId: string | null }
  | { type: 'nudges'; action: 'status' | 'on' | 'off' }
  | { type: 'nudges'; action: 'at'; time: string }
  | ContestCommand;

export type ContestCommand =
  | { type: 'contest'; action: 'list' | 'new' }
  | { type: 'contest'; action: 'cancel'; id: number };

/** The commands every rep runs on their own numbers (`runKpiCommand`); the rest have their own runners. */
const CORE_TYPES = ['log', 'undo', 'me', 'board', 'explain', 'privacy'] as const;
export type CoreCommand = Extract<KpiCommand, { type: (typeof CORE_TYPES)[number] }>;

export function isCoreCommand(command: KpiCommand): command is CoreCommand {
  return (CORE_TYPES as readonly string[]).includes(command.type);
}

export type ParseResult = { ok: true; command: KpiCommand } | { ok: false; error: string; usage: string };

export interface ParseContext {
  now: Date;
  timezone: string;
  findMetric: (name: string) => { key: string } | undefined;
}

export const MAX_INPUT_CHARS = 1000;
export const MAX_NOTE_CHARS = 280;
const MAX_QUOTE_CHARS = 40;
/** `/kpi log deal won 150` logs a $150 deal, `/kpi log deal won 3` logs three deals. */
const BARE_AMOUNT_MIN_CENTS = 100_00;

// Slack turns a typed `<` into `&lt;` before it reaches us, so the usage lines carry it escaped too.
export const USAGE: Record<HelpTopic, string> = {
  log:
    '`/kpi log &lt;activity&gt; [count] [amount] [note]` — e.g. `/kpi log calls 12`, `/kpi log deal won $12.5k Acme` ' +
    '(the amount is optional: `/kpi log deal won` records a deal without one)',
  me: '`/kpi me [window]` — your numbers, this week unless you say otherwise, e.g. `/kpi me last month`',
  board: '`/kpi board [metric] [window]` — the team leaderboard, e.g. `/kpi board`, `/kpi board meetings last week`',
  boards:
    '`/kpi board subscribe [metric] [daily|weekly|monthly] [on friday|on the 1st] [at 9am] [top 5]` — (managers) ' +
    'post a board in this channel on a schedule, e.g. `/kpi board subscribe calls weekly on friday at 4pm`; ' +
    '`/kpi board subscribe scorecard meetings:2:10 calls:1:100` ranks by a weighted scorecard (metric:weight:target); ' +
    '`/kpi board unsubscribe [metric]` stops one; `/kpi boards` lists them',
  explain:
    '`/kpi explain [metric]` — how a number is worked out, e.g. `/kpi explain meetings`; `/kpi explain` lists them; ' +
    '`/kpi explain points|streaks|badges|levels|ranking|goals|contests` — the rules of the game',
  undo: '`/kpi undo` — removes your most recent entry',
  crm:
    '`/kpi crm` — (admins) connected CRMs and CRM owners not matched to anyone yet; ' +
    '`/kpi crm map &lt;crm&gt; &lt;owner id&gt; @person` matches one, e.g. `/kpi crm map hubspot 12345 @ana`; ' +
    '`/kpi crm connect &lt;crm&gt; [account id]` connects a CRM',
  contest:
    '`/kpi contest` — live contests and your progress; (managers) `/kpi contest new` starts one from a form, ' +
    '`/kpi contest cancel &lt;id&gt;` calls one off, e.g. `/kpi contest cancel 3`',
  goal:
    '`/kpi goal &lt;metric&gt; &lt;target&gt; [week|month|quarter|dates] [for @rep|#channel]` — set a goal, e.g. ' +
    '`/kpi goal meetings 12`, `/kpi goal revenue $50k month`; `/kpi goal &lt;metric&gt;` suggests a target; ' +
    '`/kpi goal remove &lt;metric&gt; [period]`; `/kpi goals [@rep]` shows progress',
  role: '`/kpi role @person rep|manager|admin` — (admins) who manages and who administers the bot, e.g. `/kpi role @ana manager`',
  team:
    '`/kpi team` — your team; `/kpi team add @rep [@rep…]` and `/kpi team remove @rep` — (managers) who is on it; ' +
    'admins add to someone else’s, e.g. `/kpi team add @rep to @manager`',
  audit:
    '`/kpi audit` — (admins) the latest changes made by managers and admins, e.g. goals set for reps and role changes',
  privacy:
    '`/kpi privacy hide|show` — hide yourself from public boards or show yourself again (also `on`/`off`), ' +
    'e.g. `/kpi privacy hide`; `/kpi privacy` shows your setting; `/kpi privacy export` DMs you a file of ' +
    'everything stored about you; `/kpi privacy forget @person` — (admins) erase a departed rep’s personal data',
  kudos:
    '`/kpi kudos @person &lt;reason&gt;` — thank a teammate in this channel, e.g. `/kpi kudos @ana for the demo prep`; ' +
    '`/kpi kudos board [window]` (or `/kpi board kudos`) ranks kudos and reactions received',
  recognition:
    '`/kpi recognition #channel|off|hide amount|show amount|hide deal names|show deal names` — (managers) where ' +
    'won deals are celebrated and what the posts show, e.g. `/kpi recognition #wins`; `/kpi recognition` shows the setting',
  nudges:
    '`/kpi nudges off|on|at &lt;time&gt;` — pause, resume or move your daily DM (weekdays, your timezone), ' +
    'e.g. `/kpi nudges at 8:30`; `/kpi nudges` shows your setting and the next one',
};

const ALL_USAGE = Object.values(USAGE).join('\n');

type Subcommand = HelpTopic | 'help' | 'goals';

const SUBCOMMANDS = new Map<string, Subcommand>([
  ['help', 'help'],
  ['log', 'log'],
  ['me', 'me'],
  ['board', 'board'],
  ['leaderboard', 'board'],
  ['boards', 'boards'],
  ['explain', 'explain'],
  ['undo', 'undo'],
  ['privacy', 'privacy'],
  ['crm', 'crm'],
  ['kudos', 'kudos'],
  ['recognition', 'recognition'],
  ['nudges', 'nudges'],
  ['nudge', 'nudges'],
  ['contest', 'contest'],
  ['contests', 'contest'],
  ['goal', 'goal'],
  ['goals', 'goals'],
  ['role', 'role'],
  ['team', 'team'],
  ['audit', 'audit'],
]);

/** "Privacy on" means hidden: the user turns their privacy on. */
const PRIVACY_SETTINGS = new Map<string, 'hide' | 'show' | 'status'>([
  ['hide', 'hide'],
  ['on', 'hide'],
  ['show', 'show'],
  ['off', 'show'],
  ['status', 'status'],
]);

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

const ACTIVITY_NAMES = ACTIVITY_KIND_KEYS.map(typeableName).join(', ');

/**
 * A token meant as a number, even a malformed one (`12,50`, `-3`, `+5`, `$5k`, `١٢`, `1e309`, `1_000`,
 * `0x10`), so it gets a number error instead of becoming a note. `2pm` or `3rd` stay words.
 */
const NUMBERISH = /^[-−+(]?[$€£]?[-−+]?(?:0x[\da-f]+|\p{Nd}[\p{Nd},._]*(?:e[-−+]?\p{Nd}+)?[kmb]?)[$€£]?\)?$/iu;

// ---------------------------------------------------------------------------------------------
// Text clean-up and Slack safety

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
function cleanText(raw: string): string {
  return decodeEntities(unwrapSlackMarkup(raw))
    .replace(/[\u00AD\u200B\u200C\u200E\u200F\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/([$€£])\s+(?=\p{Nd})/gu, '$1');
}

function slackSafe(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/@(here|channel|everyone)\b/gi, '$1');
}

/** Cut to 40 characters, never inside a surrogate pair, and made safe for Slack. */
function echo(text: string): string {
  const chars = [...text];
  return slackSafe(chars.length > MAX_QUOTE_CHARS ? `${chars.slice(0, MAX_QUOTE_CHARS).join('')}…` : text);
}

function quote(text: string): string {
  return `“${echo(text)}”`;
}

function ok(command: KpiCommand): ParseResult {
  return { ok: true, command };
}

function fail(error: string, usage: string): ParseResult {
  return { ok: false, error, usage };
}

/** Errors from the amount and window parsers echo user text unescaped. */
function failFrom(result: { error: string }, usage: string): ParseResult {
  return fail(slackSafe(result.error), usage);
}

// ---------------------------------------------------------------------------------------------
// log

function matchActivity(words: readonly string[]): { kind: ActivityKind; rest: string[] } | null {
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

function unknownActivity(words: readonly string[]): ParseResult {
  const [first = ''] = words;
  const swapped = NUMBERISH.test(first) ? matchActivity(words.slice(1)) : null;
  if (swapped) {
    const example = [...words.slice(1, words.length - swapped.rest.length), first, ...swapped.rest].join(' ');
    return fail(`Put the activity first: \`/kpi log ${echo(example)}\`.`, USAGE.log);
  }
  return fail(`I don't know the activity ${quote(first)}. You can log: ${ACTIVITY_NAMES}.`, USAGE.log);
}

function parseLog(words: readonly string[]): ParseResult {
  if (words.length === 0) return fail(`What should I log? You can log: ${ACTIVITY_NAMES}.`, USAGE.log);
  const activity = matchActivity(words);
  if (!activity) return unknownActivity(words);
  const { kind } = activity;
  const rest = countWordsAsDigits(activity.rest);
  const numbers = ACTIVITY_KINDS[kind].money ? readDealNumbers(rest, kind) : readCount(rest);
  if ('error' in numbers) return failFrom(numbers, USAGE.log);
  const note = readNote(rest.slice(numbers.used));
  if ('error' in note) return fail(note.error, USAGE.log);
  return ok({ type: 'log', kind, quantity: numbers.quantity, amountCents: numbers.amountCents, note: note.note });
}

// ---------------------------------------------------------------------------------------------
// me, board, explain

function windowOrDefault(words: readonly string[], ctx: ParseContext): WindowParseResult {
  return words.length === 0
    ? { ok: true, spec: { kind: 'week' } }
    : parseWindow(words.join(' '), ctx.now, ctx.timezone);
}

function unknownMetric(name: string, usage: string): ParseResult {
  return fail(`I don't know a metric called ${quote(name)}. Use \`/kpi explain\` to list the metrics.`, usage);
}

function parseMe(words: readonly string[], ctx: ParseContext): ParseResult {
  const window = windowOrDefault(words, ctx);
  return window.ok ? ok({ type: 'me', window: window.spec }) : failFrom(window, USAGE.me);
}

/**
 * `board [metric] [window]`: the longest run of trailing words that reads as a window (or is a window
 * with a problem, like a future date) is the window; the words before it name the metric.
 */
function parseBoard(words: readonly string[], ctx: ParseContext): ParseResult {
  const verb = words[0]?.toLowerCase();
  if (verb === 'kudos') return parseKudosBoard(words.slice(1), ctx);
  if (verb === 'subscribe') return parseSubscribe(words.slice(1), ctx);
  if (verb === 'unsubscribe') return parseUnsubscribe(words.slice(1), ctx);
  if (words.length === 0) return ok({ type: 'board', metric: null, window: { kind: 'week' } });
  for (let split = 0; split < words.length; split++) {
    const window = parseWindow(words.slice(split).join(' '), ctx.now, ctx.timezone);
    if (!window.ok && window.reason === 'unrecognized') continue;
    const name = words.slice(0, split).join(' ');
    const metric = name === '' ? null : ctx.findMetric(name);
    if (metric === undefined) return unknownMetric(name, USAGE.board);
    if (!window.ok) return failFrom(window, USAGE.board);
    return ok({ type: 'board', metric: metric?.key ?? null, window: window.spec });
  }
  // No window in the text: all of it names the metric, or a metric is followed by a window we can't read.
  for (let split = words.length; split >= 1; split--) {
    const metric = ctx.findMetric(words.slice(0, split).join(' '));
    if (!metric) continue;
    const window = windowOrDefault(words.slice(split), ctx);
    return window.ok ? ok({ type: 'board', metric: metric.key, window: window.spec }) : failFrom(window, USAGE.board);
  }
  return unknownMetric(words.join(' '), USAGE.board);
}

// ---------------------------------------------------------------------------------------------
// board subscribe, board unsubscribe, boards

const CADENCES = new Set<string>(['daily', 'weekly', 'monthly']);
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
export const MAX_TOP_N = 20;

function weekday(word: string): number | null {
  const index = WEEKDAYS.findIndex((day) => word.length >= 3 && day.startsWith(word.replace(/s$/, '')));
  return index === -1 ? null : index + 1;
}

/** `1st`, `2nd`, `15th`, `31`: a day of the month, 1 to 31. */
function monthDay(word: string): number | null {
  const match = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(word);
  const day = match ? Number(match[1]) : 0;
  return day >= 1 && day <= 31 ? day : null;
}

/** A scorecard target in the metric's own unit: money in cents (`$10k`), a percent as a fraction (`30%`). */
function scorecardTarget(metric: string, text: string): number | null {
  const unit = findKpi(metric)?.unit;
  if (unit === 'currency' || unit === 'currency_per_day') {
    const amount = parseAmount(text);
    return amount.ok && amount.cents > 0 ? amount.cents : null;
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) return Number(percent[1]) / 100;
  const value = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return value > 0 ? value : null;
}

function parseScorecard(
  words: readonly string[],
  ctx: ParseContext,
): { weights: ScorecardWeights } | { error: string } {
  const example = 'e.g. `/kpi board subscribe scorecard meetings:2:10 calls:1:100`';
  if (words.length === 0) return { error: `List the scorecard's metrics as metric:weight:target, ${example}.` };
  const weights: { metric: string; weight: number; target: number }[] = [];
  for (const word of words) {
    const [name = '', weightText = '', targetText = '', ...extra] = word.split(':');
    const metric = ctx.findMetric(name);
    if (!metric)
      return { error: `I don't know a metric called ${quote(name)}. Use \`/kpi explain\` to list the metrics.` };
    const weight = /^\d+(?:\.\d+)?$/.test(weightText) ? Number(weightText) : Number.NaN;
    const target = scorecardTarget(metric.key, targetText);
    if (extra.length > 0 || !(weight > 0 && weight <= 100) || target === null) {
      return {
        error: `${quote(word)} should read metric:weight:target, with a weight from 1 to 100 and a target above zero, ${example}.`,
      };
    }
    if (weights.some((w) => w.metric === metric.key)) return { error: `${quote(name)} is in the scorecard twice.` };
    weights.push({ metric: metric.key, weight, target });
  }
  const checked = scorecardSchema.safeParse(weights);
  return checked.success
    ? { weights: checked.data }
    : { error: `A scorecard has 1 to 8 metrics of the catalogue, ${example}.` };
}

/** Reads the schedule words that may follow the metric; the rest of the words name the metric. */
function parseSubscribe(words: readonly string[], ctx: ParseContext): ParseResult {
  const spec: BoardSubscriptionSpec = {
    metric: null,
    scorecard: null,
    cadence: 'weekly',
    dayOfWeek: 1,
    dayOfMonth: 1,
    timeOfDay: '09:00',
    topN: 5,
  };
  let cadence: Cadence | null = null;
  let on: 'week' | 'month' | null = null;
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = (words[i] ?? '').toLowerCase();
    const next = words[i + 1]?.toLowerCase();
    if (CADENCES.has(word)) {
      cadence = word as Cadence;
    } else if (word === 'on' && next !== undefined) {
      const dayWord = next === 'the' ? words[i + 2]?.toLowerCase() : next;
      i += next === 'the' ? 2 : 1;
      const day = dayWord === undefined ? null : weekday(dayWord);
      const date = dayWord === undefined ? null : monthDay(dayWord);
      if (day !== null) [spec.dayOfWeek, on] = [day, 'week'];
      else if (date !== null) [spec.dayOfMonth, on] = [date, 'month'];
      else return fail(`${quote(dayWord ?? '')} isn't a weekday or a day of the month (1st to 31st).`, USAGE.boards);
    } else if (word === 'at' && next !== undefined) {
      // `at 9 am`: the two words make one time.
      const joined = ['am', 'pm'].includes(words[i + 2]?.toLowerCase() ?? '') ? `${next}${words[i + 2]}` : next;
      const time = parseClockTime(joined);
      if (!time.ok) return fail(`${quote(joined)} isn't a time of day — try \`at 9am\` or \`at 17:30\`.`, USAGE.boards);
      spec.timeOfDay = time.time;
      i += joined === next ? 1 : 2;
    } else if (word === 'top' && next !== undefined) {
      const n = /^\d+$/.test(next) ? Number(next) : 0;
      if (n < 1 || n > MAX_TOP_N) return fail(`Show the top 1 to ${MAX_TOP_N} people, e.g. \`top 5\`.`, USAGE.boards);
      spec.topN = n;
      i += 1;
    } else {
      rest.push(words[i] ?? '');
    }
  }
  spec.cadence = cadence ?? (on === 'month' ? 'monthly' : 'weekly');
  if (on === 'week' && spec.cadence !== 'weekly') {
    return fail(`A ${spec.cadence} board can't post on a weekday — make it weekly, or drop the day.`, USAGE.boards);
  }
  if (on === 'month' && spec.cadence !== 'monthly') {
    return fail(
      `A ${spec.cadence} board can't post on a day of the month — make it monthly, or drop the day.`,
      USAGE.boards,
    );
  }
  if (rest[0]?.toLowerCase() === 'scorecard') {
    const scorecard = parseScorecard(rest.slice(1), ctx);
    return 'error' in scorecard
      ? fail(scorecard.error, USAGE.boards)
      : ok({ type: 'board_subscribe', ...spec, scorecard: scorecard.weights });
  }
  if (rest.length > 0) {
    const metric = ctx.findMetric(rest.join(' '));
    if (!metric) return unknownMetric(rest.join(' '), USAGE.boards);
    spec.metric = metric.key;
  }
  return ok({ type: 'board_subscribe', ...spec });
}

function parseUnsubscribe(words: readonly string[], ctx: ParseContext): ParseResult {
  if (words.length === 0) return ok({ type: 'board_unsubscribe', target: null });
  if (words.length === 1 && words[0]?.toLowerCase() === 'scorecard') {
    return ok({ type: 'board_unsubscribe', target: 'scorecard' });
  }
  const metric = ctx.findMetric(words.join(' '));
  return metric
    ? ok({ type: 'board_unsubscribe', target: { metric: metric.key } })
    : unknownMetric(words.join(' '), USAGE.boards);
}

function parseBoards(words: readonly string[]): ParseResult {
  return words.length === 0
    ? ok({ type: 'boards' })
    : fail('`/kpi boards` takes nothing after it — it lists the boards posted on a schedule.', USAGE.boards);
}
const RULE_ALIASES = new Map<string, RuleTopic>([
  ...RULE_TOPICS.map((t) => [t, t] as const),
  ['point', 'points'],
  ['streak', 'streaks'],
  ['badge', 'badges'],
  ['level', 'levels'],
  ['ranks', 'ranking'],
  ['rankings', 'ranking'],
  ['leaderboard', 'ranking'],
  ['leaderboards', 'ranking'],
  ['goal', 'goals'],
  ['contest', 'contests'],
]);

function parseExplain(words: readonly string[], ctx: ParseContext): ParseResult {
  if (words.length === 0) return ok({ type: 'explain', metric: null });
  const name = words.join(' ');
  const topic = RULE_ALIASES.get(name.toLowerCase());
  if (topic) return ok({ type: 'rules', topic });
  const metric = ctx.findMetric(name);
  return metric ? ok({ type: 'explain', metric: metric.key }) : unknownMetric(name, USAGE.explain);
}

// ---------------------------------------------------------------------------------------------
// help, undo, privacy, and anything else

function parseHelp(words: readonly string[]): ParseResult {
  const topic = SUBCOMMANDS.get(words.join(' ').toLowerCase());
  // An unknown topic still gets help: the full listing.
  if (topic === 'goals') return ok({ type: 'help', topic: 'goal' });
  return ok({ type: 'help', topic: topic === undefined || topic === 'help' ? null : topic });
}

function parseUndo(words: readonly string[]): ParseResult {
  return words.length === 0
    ? ok({ type: 'undo' })
    : fail('`/kpi undo` takes nothing after it — it removes your most recent entry.', USAGE.undo);
}

function parsePrivacy(words: readonly string[], refs: readonly string[]): ParseResult {
  if (words.length === 0) return ok({ type: 'privacy', setting: 'status' });
  const verb = words[0]?.toLowerCase();
  if (verb === 'export') {
    return words.length === 1
      ? ok({ type: 'privacy_export' })
      : fail('`/kpi privacy export` takes nothing after it.', USAGE.privacy);
  }
  if (verb === 'forget') {
    const userId = userRef(refs[1]);
    return userId && refs.length === 2
      ? ok({ type: 'privacy_forget', userId })
      : fail(`Say whose data to erase, e.g. \`/kpi privacy forget @ana\`. ${MENTION_HINT}`, USAGE.privacy);
  }
  const setting = PRIVACY_SETTINGS.get(words.join(' ').toLowerCase());
  return setting
    ? ok({ type: 'privacy', setting })
    : fail(`${quote(words.join(' '))} isn't a privacy setting — use \`hide\` or \`show\`.`, USAGE.privacy);
}

/** The user ids of `<@U…>` mentions, which Slack sends when the command escapes users. */
function mentionedUsers(raw: string): string[] {
  return [...raw.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] ?? '');
}

function parseCrm(words: readonly string[], mentions: readonly string[]): ParseResult {
  const [action, crm, id] = words.map((w) => w.toLowerCase());
  if (action === undefined || action === 'status') return ok({ type: 'crm', action: 'status' });
  const source = CRM_SOURCES.find((s) => s === crm);
  if (action === 'map' || action === 'connect') {
    if (!source) return fail(`Name the CRM: ${CRM_SOURCES.join(', ')}.`, USAGE.crm);
    if (action === 'connect') return ok({ type: 'crm', action: 'connect', source, accountId: words[2] ?? null });
    const userId = mentions[0];
    if (!id || !userId)
      return fail('Say which CRM owner id is which person, e.g. `/kpi crm map hubspot 12345 @ana`.', USAGE.crm);
    return ok({ type: 'crm', action: 'map', source, ownerId: words[2] ?? id, userId });
  }
  return fail(`${quote(words.join(' '))} isn't a CRM command.`, USAGE.crm);
}

// ---------------------------------------------------------------------------------------------
// kudos and recognition: they name people and channels, so they read the raw text, where Slack's
// escaped `<@U…>` and `<#C…>` still carry the ids.

/** The raw text after the subcommand word. */
function rawRest(text: string): string {
  return text.replace(/^\s*\S+\s*/u, '');
}

function parseKudosBoard(words: readonly string[], ctx: ParseContext): ParseResult {
  const window = windowOrDefault(words, ctx);
  return window.ok ? ok({ type: 'kudos', action: 'board', window: window.spec }) : failFrom(window, USAGE.kudos);
}

function parseKudos(raw: string, ctx: ParseContext): ParseResult {
  const words = cleanText(raw).split(/\s+/u).filter(Boolean);
  const first = words[0]?.toLowerCase();
  if (first === 'board' || first === 'leaderboard') return parseKudosBoard(words.slice(1), ctx);
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>(.*)$/su.exec(raw.trim());
  if (!mention) {
    const hint = first?.startsWith('@') ? ' Pick them from the list Slack shows as you type their name.' : '';
    return fail(`Who would you like to thank? Start with an @-mention of them.${hint}`, USAGE.kudos);
  }
  const receiverId = mention[1] ?? '';
  const reason = cleanText(mention[2] ?? '')
    .trim()
    .replace(/\s+/gu, ' ');
  if (reason === '') return fail('Say what you are thanking them for: kudos with a reason mean more.', USAGE.kudos);
  const length = [...reason].length;
  if (length > MAX_NOTE_CHARS) {
    return fail(`That reason is ${length} characters — keep it to ${MAX_NOTE_CHARS}.`, USAGE.kudos);
  }
  return ok({ type: 'kudos', action: 'give', receiverId, reason });
}

const RECOGNITION_SETTINGS = new Map<string, Exclude<RecognitionSetting['kind'], 'channel'>>([
  ['', 'status'],
  ['status', 'status'],
  ['off', 'off'],
  ['hide amount', 'hide_amount'],
  ['hide amounts', 'hide_amount'],
  ['show amount', 'show_amount'],
  ['show amounts', 'show_amount'],
  ['hide deal name', 'hide_deal_names'],
  ['hide deal names', 'hide_deal_names'],
  ['show deal name', 'show_deal_names'],
  ['show deal names', 'show_deal_names'],
]);

function parseRecognition(raw: string): ParseResult {
  const channel = /^<#([CG][A-Z0-9]+)(?:\|[^<>]*)?>$/u.exec(raw.trim());
  if (channel) return ok({ type: 'recognition', setting: { kind: 'channel', channelId: channel[1] ?? '' } });
  const typed = cleanText(raw).trim().toLowerCase().replace(/\s+/gu, ' ');
  const kind = RECOGNITION_SETTINGS.get(typed);
  if (kind) return ok({ type: 'recognition', setting: { kind } });
  const hint = typed.startsWith('#') ? ' Pick the channel from the list Slack shows as you type its name.' : '';
  return fail(`${quote(typed)} isn't a recognition setting.${hint}`, USAGE.recognition);
}

const NUDGE_SWITCHES = new Map<string, 'status' | 'on' | 'off'>([
  ['status', 'status'],
  ['on', 'on'],
  ['resume', 'on'],
  ['off', 'off'],
  ['pause', 'off'],
  ['stop', 'off'],
]);

/** `off`, `on`, `at 8:30` (the `at` may be left out), or nothing for the current setting. */
function parseNudges(words: readonly string[]): ParseResult {
  const [first = 'status', ...rest] = words.map((w) => w.toLowerCase());
  const setting = NUDGE_SWITCHES.get(first);
  if (setting && rest.length === 0) return ok({ type: 'nudges', action: setting });
  const timeText = (first === 'at' ? rest : [first, ...rest]).join(' ');
  if (timeText === '') return fail('At what time? e.g. `/kpi nudges at 8:30`.', USAGE.nudges);
  const time = parseClockTime(timeText);
  if (time.ok) return ok({ type: 'nudges', action: 'at', time: time.time });
  return fail(`${quote(words.join(' '))} isn't a nudge setting. ${time.error}`, USAGE.nudges);
}

function parseContest(words: readonly string[]): ParseResult {
  const [action, id, ...extra] = words.map((w) => w.toLowerCase());
  if (action === undefined || action === 'list') return ok({ type: 'contest', action: 'list' });
  if ((action === 'new' || action === 'start') && id === undefined) return ok({ type: 'contest', action: 'new' });
  if (action === 'cancel' && id !== undefined && extra.length === 0) {
    const n = Number(id.replace(/^#/, ''));
    if (Number.isSafeInteger(n) && n > 0) return ok({ type: 'contest', action: 'cancel', id: n });
    return fail(`${quote(id)} isn't a contest number — \`/kpi contest\` lists them with theirs.`, USAGE.contest);
  }
  if (action === 'cancel') return fail('Say which contest to cancel, e.g. `/kpi contest cancel 3`.', USAGE.contest);
  return fail(`${quote(words.join(' '))} isn't a contest command.`, USAGE.contest);
}

// ---------------------------------------------------------------------------------------------
// goal, goals, role, team: commands that name people and channels

/** A mention or channel kept as one word (`\uE000@U123`, `\uE000#C123`) so its place in the text is known. */
const REF = '\uE000';

/** The words after the subcommand, with `<@U…|name>` and `<#C…|name>` turned into reference words. */
function referenceWords(raw: string): string[] {
  const marked = raw
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, ` ${REF}@$1 `)
    .replace(/<#(C[A-Z0-9]+)(?:\|[^>]*)?>/g, ` ${REF}#$1 `);
  return cleanText(marked).split(/\s+/u).filter(Boolean).slice(1);
}

function userRef(word: string | undefined): string | null {
  return word?.startsWith(`${REF}@`) ? word.slice(2) : null;
}

function channelRef(word: string | undefined): string | null {
  return word?.startsWith(`${REF}#`) ? word.slice(2) : null;
}

const MENTION_HINT = 'Mention them with @ so Slack links the name, e.g. `@ana`.';

/** What user text to echo for a word that may be a reference. */
function shownWord(word: string): string {
  return word.startsWith(REF) ? word.slice(1) : word;
}

const PERIOD_WORDS = new Map<string, 'week' | 'month' | 'quarter' | 'year'>([
  ['week', 'week'],
  ['this week', 'week'],
  ['weekly', 'week'],
  ['month', 'month'],
  ['this month', 'month'],
  ['monthly', 'month'],
  ['quarter', 'quarter'],
  ['this quarter', 'quarter'],
  ['quarterly', 'quarter'],
  ['year', 'year'],
  ['this year', 'year'],
  ['yearly', 'year'],
]);

const ISO_RANGE = /^(\d{4}-\d{2}-\d{2})\s*(?:to|through|until|-|–|\.\.)\s*(\d{4}-\d{2}-\d{2})$/;

/** A goal's period: a recurring one by name, or dates (ISO dates may be in the future; others as windows read). */
function readPeriod(words: readonly string[], ctx: ParseContext): { period: GoalPeriod } | { error: string } {
  const text = words.join(' ').toLowerCase();
  if (text === '') return { period: { period: 'week' } };
  const named = PERIOD_WORDS.get(text);
  if (named) return { period: { period: named } };
  const iso = ISO_RANGE.exec(text);
  let range: { from: string; to: string } | null = iso ? { from: iso[1] ?? '', to: iso[2] ?? '' } : null;
  if (!range) {
    const window = parseWindow(text, ctx.now, ctx.timezone);
    if (!window.ok) {
      return window.reason === 'unrecognized'
        ? {
            error: `${quote(words.join(' '))} isn't a goal period. Use week, month, quarter, or dates like 2026-12-01 to 2026-12-31.`,
          }
        : window;
    }
    if (window.spec.kind !== 'range')
      return { error: 'A goal covers this week, month or quarter, or a range of dates.' };
    range = window.spec;
  }
  const today = DateTime.fromJSDate(ctx.now, { zone: ctx.timezone }).toISODate() ?? '';
  if (!DateTime.fromISO(range.from).isValid || !DateTime.fromISO(range.to).isValid) {
    return { error: `${quote(words.join(' '))} has a date that doesn't exist.` };
  }
  if (range.from > range.to) return { error: 'That range starts after it ends — put the earlier date first.' };
  if (range.to < today)
    return {
      error: 'That range has already ended — a goal is for now or later. Write dates like 2026-12-01 to 2026-12-31.',
    };
  if (DateTime.fromISO(range.to).diff(DateTime.fromISO(range.from), 'days').days >= 366) {
    return { error: 'A goal can cover at most a year.' };
  }
  return { period: { period: 'custom', startsOn: range.from, endsOn: range.to } };
}

/** `… for @rep` or `… for #channel` at the end; otherwise the goal is the typer's own. */
function readSubject(words: readonly string[]): { subject: GoalSubject; rest: readonly string[] } | { error: string } {
  const at = words.findIndex((w) => w.toLowerCase() === 'for');
  if (at === -1) {
    const stray = words.find((w) => w.startsWith(REF));
    return stray
      ? { error: `Say who the goal is for with “for”: \`… for ${shownWord(stray)}\`.` }
      : { subject: { kind: 'self' }, rest: words };
  }
  const target = words.slice(at + 1);
  const userId = userRef(target[0]);
  const channelId = channelRef(target[0]);
  if (target.length !== 1 || (!userId && !channelId)) {
    return { error: `After “for”, name one person or one channel. ${MENTION_HINT}` };
  }
  const subject: GoalSubject = userId ? { kind: 'user', userId } : { kind: 'channel', channelId: channelId ?? '' };
  return { subject, rest: words.slice(0, at) };
}

/** The goal metric named by the longest leading run of words, and the words after it. */
function readGoalMetric(
  words: readonly string[],
  ctx: ParseContext,
): { metric: string; rest: readonly string[] } | { error: string } {
  for (let n = words.length; n >= 1; n--) {
    const found = ctx.findMetric(words.slice(0, n).join(' '));
    if (!found) continue;
    const def = findKpi(found.key);
    if (!def) return { error: `${quote(words.slice(0, n).join(' '))} can't be a goal.` };
    if (!isGoalMetric(def)) return { error: notAGoalMetric(def) };
    return { metric: def.key, rest: words.slice(n) };
  }
  const name = words.join(' ');
  return {
    error:
      name === ''
        ? 'Which metric? e.g. `/kpi goal meetings 12`.'
        : `I don't know a metric called ${quote(name)}. Use \`/kpi explain\` to list the metrics.`,
  };
}

function parseGoal(words: readonly string[], ctx: ParseContext): ParseResult {
  const subject = readSubject(words);
  if ('error' in subject) return fail(slackSafe(subject.error), USAGE.goal);
  const removing = subject.rest[0]?.toLowerCase() === 'remove';
  const body = removing ? subject.rest.slice(1) : subject.rest;
  const numberAt = body.findIndex((w) => NUMBERISH.test(w) && !ISO_RANGE.test(w));
  const metricWords = numberAt === -1 || removing ? body : body.slice(0, numberAt);
  const metric = readGoalMetric(metricWords, ctx);
  if ('error' in metric) return fail(metric.error, USAGE.goal);
  if (removing || numberAt === -1) {
    const period = readPeriod(metric.rest, ctx);
    if ('error' in period) return failFrom(period, USAGE.goal);
    const action = removing ? 'remove' : 'suggest';
    return ok({ type: 'goal', action, metric: metric.metric, period: period.period, subject: subject.subject });
  }
  if (metric.rest.length > 0) {
    return fail(
      `Put the target right after the metric, then the period, e.g. \`/kpi goal ${metric.metric.replaceAll('_', ' ')} 12 2026-12-01 to 2026-12-31\`.`,
      USAGE.goal,
    );
  }
  const targetWord = body[numberAt] ?? '';
  const def = findKpi(metric.metric);
  const target = def?.unit === 'currency' ? parseAmount(targetWord) : parseCount(targetWord);
  if (!target.ok) return failFrom(target, USAGE.goal);
  const period = readPeriod(body.slice(numberAt + 1), ctx);
  if ('error' in period) return failFrom(period, USAGE.goal);
  const value = 'cents' in target ? target.cents : target.count;
  if (value <= 0) return fail('A goal needs a target above zero.', USAGE.goal);
  return ok({
    type: 'goal',
    action: 'set',
    metric: metric.metric,
    target: value,
    period: period.period,
    subject: subject.subject,
  });
}

function parseGoals(words: readonly string[]): ParseResult {
  if (words.length === 0) return ok({ type: 'goals', userId: null });
  const userId = userRef(words[0]);
  return userId && words.length === 1
    ? ok({ type: 'goals', userId })
    : fail(`\`/kpi goals\` shows yours; \`/kpi goals @rep\` one of your reps’. ${MENTION_HINT}`, USAGE.goal);
}

const ROLES = new Set(['rep', 'manager', 'admin']);

function parseRole(words: readonly string[]): ParseResult {
  const [who, role, ...extra] = words;
  const userId = userRef(who);
  const name = role?.toLowerCase().replace(/s$/, '') ?? '';
  if (!userId) return fail(`Say whose role to change. ${MENTION_HINT}`, USAGE.role);
  if (!ROLES.has(name) || extra.length > 0) return fail('The role is one of rep, manager or admin.', USAGE.role);
  return ok({ type: 'role', userId, role: name as 'rep' | 'manager' | 'admin' });
}

function parseTeam(words: readonly string[]): ParseResult {
  const [action, ...people] = words;
  if (action === undefined) return ok({ type: 'team', action: 'show' });
  const verb = action.toLowerCase();
  if (verb !== 'add' && verb !== 'remove') return fail(`${quote(shownWord(action))} isn't a team command.`, USAGE.team);
  const to = people.findIndex((w) => ['to', 'for', 'from'].includes(w.toLowerCase()));
  const reps = to === -1 ? people : people.slice(0, to);
  const after = to === -1 ? [] : people.slice(to + 1);
  const userIds = reps.map(userRef);
  const managerId = userRef(after[0]);
  if (reps.length === 0 || userIds.some((id) => id === null))
    return fail(`Say who, e.g. \`/kpi team ${verb} @ana\`. ${MENTION_HINT}`, USAGE.team);
  if (to !== -1 && (verb === 'remove' || !managerId || after.length !== 1)) {
    return fail(
      verb === 'remove'
        ? '`/kpi team remove @rep` takes the rep off their team.'
        : `Name the manager: \`/kpi team add @rep to @manager\`. ${MENTION_HINT}`,
      USAGE.team,
    );
  }
  const ids = [...new Set(userIds as string[])];
  return ok(
    verb === 'add'
      ? { type: 'team', action: 'add', userIds: ids, managerId }
      : { type: 'team', action: 'remove', userIds: ids },
  );
}

function unknownSubcommand(words: readonly string[]): ParseResult {
  const typed = words.join(' ');
  const hint = matchActivity(words) ? ` Did you mean \`/kpi log ${echo(typed)}\`?` : '';
  return fail(`I don't know the command ${quote(typed)}.${hint} Here's what I understand:`, ALL_USAGE);
}

export function parseKpiCommand(text: string, ctx: ParseContext): ParseResult {
  if (text.length > MAX_INPUT_CHARS) {
    return fail(
      `That's over ${MAX_INPUT_CHARS.toLocaleString('en-US')} characters — too long for me to read.`,
      ALL_USAGE,
    );
  }
  const [first, ...rest] = cleanText(text).split(/\s+/u).filter(Boolean);
  if (first === undefined) return ok({ type: 'help', topic: null });
  switch (SUBCOMMANDS.get(first.toLowerCase())) {
    case 'help':
      return parseHelp(rest);
    case 'log':
      return parseLog(rest);
    case 'undo':
      return parseUndo(rest);
    case 'me':
      return parseMe(rest, ctx);
    case 'board':
      return parseBoard(rest, ctx);
    case 'boards':
      return parseBoards(rest);
    case 'explain':
      return parseExplain(rest, ctx);
    case 'privacy':
      return parsePrivacy(rest, referenceWords(text));
    case 'crm':
      return parseCrm(rest, mentionedUsers(text));
    case 'kudos':
      return parseKudos(rawRest(text), ctx);
    case 'recognition':
      return parseRecognition(rawRest(text));
    case 'nudges':
      return parseNudges(rest);
    case 'contest':
      return parseContest(rest);
    case 'goal':
      return parseGoal(referenceWords(text), ctx);
    case 'goals':
      return parseGoals(referenceWords(text));
    case 'role':
      return parseRole(referenceWords(text));
    case 'team':
      return parseTeam(referenceWords(text));
    case 'audit':
      return rest.length === 0 ? ok({ type: 'audit' }) : fail('`/kpi audit` takes nothing after it.', USAGE.audit);
    case undefined:
      return unknownSubcommand([first, ...rest]);
  }
}

/** The full `/kpi help` text, in Slack mrkdwn. */
export function helpText(): string {
  return [
    '*KPI bot — what you can type*',
    ...Object.values(USAGE).map((line) => `• ${line}`),
    '• `/kpi help [topic]` — this help, or one command’s, e.g. `/kpi help log`',
    '',
    `*Activities:* ${ACTIVITY_NAMES}.`,
    `*Windows:* ${WINDOW_CHOICES}. Without one, you get this week.`,
  ].join('\n');
}
