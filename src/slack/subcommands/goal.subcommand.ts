import { DateTime } from 'luxon';
import { periodHistory } from '../../goals/goal-history.js';
import { isGoalMetric, notAGoalMetric } from '../../goals/goal-metrics.js';
import type { GoalPeriod, GoalSubject } from '../../goals/goal-period.js';
import { goalViews } from '../../goals/goal-status.js';
import { activeGoals, archiveGoal, type Goal, type GoalKey, saveGoal } from '../../goals/goals.repository.js';
import { workingDaysBetween } from '../../goals/progress.js';
import { MIN_HISTORY_PERIODS, type Suggestion, suggestTarget } from '../../goals/suggest.js';
import { findKpi, formatKpiValue, getKpi, type KpiDefinition } from '../../kpi/catalogue.js';
import { parseWindow } from '../../kpi/windows.js';
import { parseAmount, parseCount } from '../../lib/amount.js';
import type { Member } from '../../members/members.repository.js';
import { isAdmin, isManager, onlyManagers } from '../../members/roles.js';
import { timezoneOf } from '../actor.js';
import { goalLine, goalsMessage, periodText, suggestionText } from '../blocks/goals.blocks.js';
import { context, escapeMrkdwn, type SlackMessage, section, textMessage } from '../blocks/message.js';
import { type CommandContext, lookupMember, type Subcommand } from './subcommand.js';
import {
  channelRef,
  fail,
  failFrom,
  isRef,
  MENTION_HINT,
  NUMBERISH,
  ok,
  type ParseContext,
  type Parsed,
  quote,
  shownWord,
  slackSafe,
  userRef,
} from './words.js';

export type GoalCommand =
  | { type: 'goal'; action: 'set'; metric: string; target: number; period: GoalPeriod; subject: GoalSubject }
  | { type: 'goal'; action: 'suggest'; metric: string; period: GoalPeriod; subject: GoalSubject }
  | { type: 'goal'; action: 'remove'; metric: string; period: GoalPeriod; subject: GoalSubject };
export type GoalsCommand = { type: 'goals'; userId: string | null };

const USAGE =
  '`/kpi goal &lt;metric&gt; &lt;target&gt; [week|month|quarter|dates] [for @rep|#channel]` — set a goal, e.g. ' +
  '`/kpi goal meetings 12`, `/kpi goal revenue $50k month`; `/kpi goal &lt;metric&gt;` suggests a target; ' +
  '`/kpi goal remove &lt;metric&gt; [period]`; `/kpi goals [@rep]` shows progress';

/**
 * `/kpi goal …` and `/kpi goals [@rep]`. A rep sets and sees their own goals; a manager those of
 * the reps on their team (and a channel's team goal); an admin anyone's. Anything else gets a polite
 * refusal before anything is read or written about the other person.
 */

type Who =
  | { ok: true; member: Member; channelId: null; forOther: boolean }
  | { ok: true; member: null; channelId: string; forOther: true }
  | { ok: false; reply: SlackMessage };

async function authorise(ctx: CommandContext, subject: GoalSubject, doing: 'set' | 'see'): Promise<Who> {
  const actor = ctx.actor.member;
  if (subject.kind === 'self' || (subject.kind === 'user' && subject.userId === actor.userId)) {
    return { ok: true, member: actor, channelId: null, forOther: false };
  }
  if (!isManager(actor)) {
    return {
      ok: false,
      reply: textMessage(
        doing === 'set'
          ? onlyManagers(subject.kind === 'channel' ? 'set a goal for a channel’s team' : 'set goals for someone else')
          : 'Goals are private between a rep and their manager. `/kpi goals` shows yours.',
      ),
    };
  }
  if (subject.kind === 'channel') return { ok: true, member: null, channelId: subject.channelId, forOther: true };
  const target = await lookupMember(ctx, subject.userId);
  if (target.isBot || target.isDeleted)
    return {
      ok: false,
      reply: textMessage(`${escapeMrkdwn(target.displayName)} isn't a person on this workspace's team.`),
    };
  if (!isAdmin(actor) && target.managerId !== actor.userId) {
    return {
      ok: false,
      reply: textMessage(
        `${escapeMrkdwn(target.displayName)} isn't on your team, so their goals are theirs and their manager's. ` +
          'Add them with `/kpi team add @name` if they have no manager yet, or ask an admin.',
      ),
    };
  }
  return { ok: true, member: target, channelId: null, forOther: true };
}

function keyOf(workspaceId: string, who: Extract<Who, { ok: true }>, metric: string, period: GoalPeriod): GoalKey {
  return {
    workspaceId,
    userId: who.member?.userId ?? null,
    channelId: who.channelId,
    metric,
    period: period.period,
    startsOn: period.period === 'custom' ? period.startsOn : null,
    endsOn: period.period === 'custom' ? period.endsOn : null,
  };
}

/** The period a goal's suggestion is read in: dates from weeks, a year from quarters. */
function baseOf(period: GoalPeriod): Suggestion['base'] {
  return period.period === 'custom' ? 'week' : period.period === 'year' ? 'quarter' : period.period;
}

/** A target from the rep's own history for a goal of this period, scaled from its base period. */
async function suggest(
  ctx: CommandContext,
  member: Member,
  def: KpiDefinition,
  period: GoalPeriod,
  holidays: readonly string[],
): Promise<Suggestion | null> {
  const timezone = timezoneOf(member, ctx.actor.workspace);
  const base = baseOf(period);
  let scale = period.period === 'year' ? 4 : 1;
  if (period.period === 'custom') {
    const from = new Date(`${period.startsOn}T12:00:00Z`);
    const to = new Date(new Date(`${period.endsOn}T12:00:00Z`).getTime() + 86_400_000);
    scale = workingDaysBetween(from, to, 'UTC', new Set(holidays)) / 5;
  }
  const history = await periodHistory(ctx.deps.db, {
    workspaceId: member.workspaceId,
    userId: member.userId,
    def,
    base,
    now: ctx.now,
    timezone,
  });
  return suggestTarget(history, def.unit === 'currency' ? 'currency' : 'count', base, scale);
}

function whoText(who: Extract<Who, { ok: true }>, self: string): string {
  if (who.channelId) return `the team in <#${who.channelId}>`;
  return who.forOther ? escapeMrkdwn(who.member?.displayName ?? '') : self;
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
    const stray = words.find(isRef);
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

function parseGoal(words: readonly string[], ctx: ParseContext): Parsed<GoalCommand> {
  const subject = readSubject(words);
  if ('error' in subject) return fail(slackSafe(subject.error), USAGE);
  const removing = subject.rest[0]?.toLowerCase() === 'remove';
  const body = removing ? subject.rest.slice(1) : subject.rest;
  const numberAt = body.findIndex((w) => NUMBERISH.test(w) && !ISO_RANGE.test(w));
  const metricWords = numberAt === -1 || removing ? body : body.slice(0, numberAt);
  const metric = readGoalMetric(metricWords, ctx);
  if ('error' in metric) return fail(metric.error, USAGE);
  if (removing || numberAt === -1) {
    const period = readPeriod(metric.rest, ctx);
    if ('error' in period) return failFrom(period, USAGE);
    const action = removing ? 'remove' : 'suggest';
    return ok({ type: 'goal', action, metric: metric.metric, period: period.period, subject: subject.subject });
  }
  if (metric.rest.length > 0) {
    return fail(
      `Put the target right after the metric, then the period, e.g. \`/kpi goal ${metric.metric.replaceAll('_', ' ')} 12 2026-12-01 to 2026-12-31\`.`,
      USAGE,
    );
  }
  const targetWord = body[numberAt] ?? '';
  const def = findKpi(metric.metric);
  const target = def?.unit === 'currency' ? parseAmount(targetWord) : parseCount(targetWord);
  if (!target.ok) return failFrom(target, USAGE);
  const period = readPeriod(body.slice(numberAt + 1), ctx);
  if ('error' in period) return failFrom(period, USAGE);
  const value = 'cents' in target ? target.cents : target.count;
  if (value <= 0) return fail('A goal needs a target above zero.', USAGE);
  return ok({
    type: 'goal',
    action: 'set',
    metric: metric.metric,
    target: value,
    period: period.period,
    subject: subject.subject,
  });
}

/** `/kpi goal …`: set, suggest or remove a goal. */
export const goalSubcommand: Subcommand<GoalCommand> = {
  name: 'goal',
  aliases: [],
  usage: USAGE,
  runs: ['goal'],
  parse: ({ refs }, ctx) => parseGoal(refs, ctx),
  run: runGoal,
};

/** `/kpi goals [@rep]`: progress on goals; its help is `goal`'s. */
export const goalsSubcommand: Subcommand<GoalsCommand> = {
  name: 'goals',
  aliases: [],
  usage: null,
  helpTopic: 'goal',
  runs: ['goals'],
  parse({ refs }) {
    if (refs.length === 0) return ok({ type: 'goals', userId: null });
    const userId = userRef(refs[0]);
    return userId && refs.length === 1
      ? ok({ type: 'goals', userId })
      : fail(`\`/kpi goals\` shows yours; \`/kpi goals @rep\` one of your reps’. ${MENTION_HINT}`, USAGE);
  },
  run: (ctx, { userId }) => runGoals(ctx, userId),
};

async function runGoal(ctx: CommandContext, cmd: GoalCommand): Promise<SlackMessage> {
  const who = await authorise(ctx, cmd.subject, 'set');
  if (!who.ok) return who.reply;
  const def = getKpi(cmd.metric);
  const { db } = ctx.deps;
  const workspaceId = ctx.actor.member.workspaceId;
  const key = keyOf(workspaceId, who, cmd.metric, cmd.period);
  const when = periodText(cmd.period);
  const change = { actorId: ctx.actor.member.userId, at: ctx.now, audited: who.forOther };
  if (cmd.action === 'remove') {
    const removed = await archiveGoal(db, key, change);
    return textMessage(
      removed > 0
        ? `Removed the ${def.label.toLowerCase()} goal (${when}) for ${whoText(who, 'you')}. It stays in the history.`
        : `There's no ${def.label.toLowerCase()} goal (${when}) for ${whoText(who, 'you')} to remove. \`/kpi goals\` lists them.`,
    );
  }
  const { settings } = ctx.actor;
  const suggestion = who.member ? await suggest(ctx, who.member, def, cmd.period, settings.holidays) : null;
  const howWorked = suggestion
    ? `Suggested from ${who.forOther ? 'their' : 'your'} history: ${suggestionText(def, suggestion, ctx.actor.currency)}`
    : who.member
      ? `No suggestion yet: it needs at least ${MIN_HISTORY_PERIODS} complete ${baseOf(cmd.period)}s of history.`
      : 'Suggestions are worked out per rep, so a channel goal has none.';
  if (cmd.action === 'suggest') {
    const example = suggestion
      ? `\nSet it with \`/kpi goal ${def.key.replace(/_/g, ' ')} ${suggestion.target / (def.unit === 'currency' ? 100 : 1)}${cmd.period.period === 'week' ? '' : ` ${cmd.period.period === 'custom' ? `${cmd.period.startsOn} to ${cmd.period.endsOn}` : cmd.period.period}`}\`.`
      : '';
    return {
      text: howWorked,
      blocks: [section(`*${def.label}, ${when}* for ${whoText(who, 'you')}\n${howWorked}${example}`)],
    };
  }
  const target = who.member;
  const notice =
    who.forOther && target
      ? (goal: Goal) => {
          const text = `:dart: <@${ctx.actor.member.userId}> set you a goal: ${def.label.toLowerCase()} ${formatKpiValue(def, goal.target, ctx.actor.currency)} ${when}. \`/kpi goals\` shows your progress.`;
          return {
            workspaceId,
            key: `notice:goal:${goal.id}`,
            kind: 'notice' as const,
            target: target.userId,
            payload: { text },
            subjectUserId: target.userId,
            ref: { type: 'goal', id: goal.id },
          };
        }
      : undefined;
  const saved = await saveGoal(
    db,
    key,
    { target: cmd.target, suggestedTarget: suggestion?.target ?? null },
    change,
    notice,
  );
  const verb = !saved.changed ? 'Already set' : saved.previous ? 'Goal updated' : 'Goal set';
  const blocks = [section(`:dart: *${verb}* for ${whoText(who, 'you')}: ${def.label.toLowerCase()} ${when}.`)];
  if (who.member) {
    const views = await goalViews(db, { workspaceId, now: ctx.now, holidays: settings.holidays }, [
      { userId: who.member.userId, timezone: timezoneOf(who.member, ctx.actor.workspace) },
    ]);
    const view = views.get(who.member.userId)?.find((v) => v.goal.id === saved.goal.id);
    if (view) blocks.push(section(goalLine(view, ctx.actor.currency)));
  }
  blocks.push(context(howWorked));
  if (who.forOther) blocks.push(context('Kept in the audit log, as every change a manager makes for someone else.'));
  return { text: `${verb}: ${def.label} ${when}. ${howWorked}`, blocks };
}

async function runGoals(ctx: CommandContext, userId: string | null): Promise<SlackMessage> {
  const subject: GoalSubject = userId === null ? { kind: 'self' } : { kind: 'user', userId };
  const who = await authorise(ctx, subject, 'see');
  if (!who.ok) return who.reply;
  const member = who.member ?? ctx.actor.member;
  const { db } = ctx.deps;
  const workspaceId = ctx.actor.member.workspaceId;
  const { settings } = ctx.actor;
  const [views, channelGoals] = await Promise.all([
    goalViews(db, { workspaceId, now: ctx.now, holidays: settings.holidays }, [
      { userId: member.userId, timezone: timezoneOf(member, ctx.actor.workspace) },
    ]),
    activeGoals(db, workspaceId, { channelId: ctx.channelId }),
  ]);
  return goalsMessage({
    whose: who.forOther ? member.displayName : 'yours',
    views: views.get(member.userId) ?? [],
    channelGoals: channelGoals.map((goal) => ({ goal, def: getKpi(goal.metric) })),
    currency: ctx.actor.currency,
  });
}
