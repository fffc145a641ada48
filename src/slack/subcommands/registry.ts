import { WINDOW_CHOICES } from '../../kpi/windows.js';
import { type SlackMessage, textMessage } from '../blocks/message.js';
import { boardSubcommand } from './board.subcommand.js';
import { boardsSubcommand } from './boards.subcommand.js';
import { contestSubcommand } from './contest.subcommand.js';
import { crmSubcommand } from './crm.subcommand.js';
import { explainSubcommand } from './explain.subcommand.js';
import { goalSubcommand, goalsSubcommand } from './goal.subcommand.js';
import { kudosSubcommand } from './kudos.subcommand.js';
import { ACTIVITY_NAMES, logSubcommand, matchActivity, undoSubcommand } from './log.subcommand.js';
import { meSubcommand } from './me.subcommand.js';
import { nudgesSubcommand } from './nudges.subcommand.js';
import { privacySubcommand } from './privacy.subcommand.js';
import { recognitionSubcommand } from './recognition.subcommand.js';
import type { CommandContext, CoreContext, Subcommand } from './subcommand.js';
import { auditSubcommand, roleSubcommand, teamSubcommand } from './team.subcommand.js';
import { commandWords, echo, fail, ok, type ParseContext, type Parsed, quote, splitWords } from './words.js';

/**
 * Every `/kpi` subcommand, in the order `/kpi help` lists them. Adding one means adding its module
 * here: its name and aliases dispatch the text, its usage joins the help, its runner its commands.
 */
const FEATURES = [
  logSubcommand,
  meSubcommand,
  boardSubcommand,
  boardsSubcommand,
  explainSubcommand,
  undoSubcommand,
  crmSubcommand,
  contestSubcommand,
  goalSubcommand,
  goalsSubcommand,
  roleSubcommand,
  teamSubcommand,
  auditSubcommand,
  privacySubcommand,
  kudosSubcommand,
  recognitionSubcommand,
  nudgesSubcommand,
] as const;

/** The subcommands every rep runs on their own numbers, with no Slack client: the offline demo runs them. */
const CORE = [
  logSubcommand,
  undoSubcommand,
  meSubcommand,
  boardSubcommand,
  explainSubcommand,
  privacySubcommand,
] as const;

type CommandOf<S> = S extends Subcommand<infer C, infer _P, infer _X> ? C : never;

export type HelpCommand = { type: 'help'; topic: string | null };
export type KpiCommand = HelpCommand | CommandOf<(typeof FEATURES)[number]>;
export type CoreCommand = CommandOf<(typeof CORE)[number]>;
export type ParseResult = Parsed<KpiCommand>;

// Method parameters are checked both ways, so each module's own command type fits `KpiCommand` here.
type Runner<X> = Subcommand<KpiCommand, KpiCommand, X>;

export const MAX_INPUT_CHARS = 1000;

/** Each topic's `/kpi help <topic>` text, in Slack mrkdwn. */
export const USAGE: Readonly<Record<string, string>> = Object.fromEntries(
  FEATURES.flatMap((s) => (s.usage === null ? [] : [[s.name, s.usage] as const])),
);

const ALL_USAGE = Object.values(USAGE).join('\n');

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

/** `/kpi help [topic]`: an unknown topic still gets help, the full listing. */
const helpSubcommand: Subcommand<HelpCommand> = {
  name: 'help',
  aliases: [],
  usage: null,
  runs: ['help'],
  parse({ words }) {
    const named = BY_NAME.get(words.join(' ').toLowerCase());
    if (named === undefined || named === helpSubcommand) return ok({ type: 'help', topic: null });
    return ok({ type: 'help', topic: named.helpTopic ?? named.name });
  },
  async run(_ctx, { topic }) {
    return textMessage((topic === null ? undefined : USAGE[topic]) ?? helpText());
  },
};

/** Every subcommand, `help` included. */
export const SUBCOMMANDS: readonly Runner<CommandContext>[] = [helpSubcommand, ...FEATURES];

const BY_NAME = new Map<string, Runner<CommandContext>>(
  SUBCOMMANDS.flatMap((s) => [s.name, ...s.aliases].map((n) => [n, s])),
);

function byType<X>(subcommands: readonly Runner<X>[]): ReadonlyMap<string, Runner<X>> {
  return new Map(subcommands.flatMap((s) => s.runs.map((type) => [type, s] as const)));
}
const BY_TYPE = byType<CommandContext>(SUBCOMMANDS);
const CORE_BY_TYPE = byType<CoreContext>(CORE);

function unknownSubcommand(words: readonly string[]): ParseResult {
  const typed = words.join(' ');
  const hint = matchActivity(words) ? ` Did you mean \`/kpi log ${echo(typed)}\`?` : '';
  return fail(`I don't know the command ${quote(typed)}.${hint} Here's what I understand:`, ALL_USAGE);
}

/** Reads `/kpi` text into a command or a friendly error with the right usage. Never throws. */
export function parseKpiCommand(text: string, ctx: ParseContext): ParseResult {
  if (text.length > MAX_INPUT_CHARS) {
    return fail(
      `That's over ${MAX_INPUT_CHARS.toLocaleString('en-US')} characters — too long for me to read.`,
      ALL_USAGE,
    );
  }
  const words = splitWords(text);
  const [first] = words;
  if (first === undefined) return ok({ type: 'help', topic: null });
  const subcommand = BY_NAME.get(first.toLowerCase());
  return subcommand ? subcommand.parse(commandWords(text), ctx) : unknownSubcommand(words);
}

function runnerOf<X>(runners: ReadonlyMap<string, Runner<X>>, command: KpiCommand): Runner<X> {
  const subcommand = runners.get(command.type);
  // Unreachable while every type a parser returns is in some module's `runs`; the registry test checks it.
  if (!subcommand) throw new Error(`no subcommand runs ${command.type}`);
  return subcommand;
}

/** The one dispatch of a parsed `/kpi` command: to the module that runs its type. */
export function runSubcommand(ctx: CommandContext, command: KpiCommand): Promise<SlackMessage> {
  return runnerOf(BY_TYPE, command).run(ctx, command);
}

export function isCoreCommand(command: KpiCommand): command is CoreCommand {
  return CORE_BY_TYPE.has(command.type);
}

/** Runs a command of the `CORE` subcommands, which read nothing from Slack (the offline demo). */
export function runCoreCommand(ctx: CoreContext, command: CoreCommand): Promise<SlackMessage> {
  return runnerOf(CORE_BY_TYPE, command).run(ctx, command);
}
