import type { GoalCommand, GoalPeriod, GoalSubject } from '../../../commands/parse.js';
import { periodHistory } from '../../../goals/goal-history.js';
import { goalViews } from '../../../goals/goal-status.js';
import { activeGoals, archiveGoal, type Goal, type GoalKey, saveGoal } from '../../../goals/goals.repository.js';
import { workingDaysBetween } from '../../../goals/progress.js';
import { MIN_HISTORY_PERIODS, type Suggestion, suggestTarget } from '../../../goals/suggest.js';
import { formatKpiValue, getKpi, type KpiDefinition } from '../../../kpi/catalogue.js';
import { resolveMember } from '../../../members/member-sync.js';
import type { Member } from '../../../members/members.repository.js';
import { isAdmin, isManager, onlyManagers } from '../../../members/roles.js';
import { goalLine, goalsMessage, periodText, suggestionText } from '../../blocks/goals.blocks.js';
import { context, escapeMrkdwn, type SlackMessage, section, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

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
  const actor = ctx.member;
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
  const { deps } = ctx;
  const target = await resolveMember(
    { db: deps.db, client: ctx.client, logger: deps.logger },
    actor.workspaceId,
    subject.userId,
    ctx.now,
  );
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

function timezoneOf(ctx: CommandContext, member: Member): string {
  return member.timezone ?? ctx.workspace.defaultTimezone ?? 'UTC';
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
  const timezone = timezoneOf(ctx, member);
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

export async function runGoalCommand(ctx: CommandContext, cmd: GoalCommand): Promise<SlackMessage> {
  const who = await authorise(ctx, cmd.subject, 'set');
  if (!who.ok) return who.reply;
  const def = getKpi(cmd.metric);
  const { db } = ctx.deps;
  const workspaceId = ctx.member.workspaceId;
  const key = keyOf(workspaceId, who, cmd.metric, cmd.period);
  const when = periodText(cmd.period);
  const change = { actorId: ctx.member.userId, at: ctx.now, audited: who.forOther };
  if (cmd.action === 'remove') {
    const removed = await archiveGoal(db, key, change);
    return textMessage(
      removed > 0
        ? `Removed the ${def.label.toLowerCase()} goal (${when}) for ${whoText(who, 'you')}. It stays in the history.`
        : `There's no ${def.label.toLowerCase()} goal (${when}) for ${whoText(who, 'you')} to remove. \`/kpi goals\` lists them.`,
    );
  }
  const { settings } = ctx;
  const suggestion = who.member ? await suggest(ctx, who.member, def, cmd.period, settings.holidays) : null;
  const howWorked = suggestion
    ? `Suggested from ${who.forOther ? 'their' : 'your'} history: ${suggestionText(def, suggestion, ctx.currency)}`
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
          const text = `:dart: <@${ctx.member.userId}> set you a goal: ${def.label.toLowerCase()} ${formatKpiValue(def, goal.target, ctx.currency)} ${when}. \`/kpi goals\` shows your progress.`;
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
      { userId: who.member.userId, timezone: timezoneOf(ctx, who.member) },
    ]);
    const view = views.get(who.member.userId)?.find((v) => v.goal.id === saved.goal.id);
    if (view) blocks.push(section(goalLine(view, ctx.currency)));
  }
  blocks.push(context(howWorked));
  if (who.forOther) blocks.push(context('Kept in the audit log, as every change a manager makes for someone else.'));
  return { text: `${verb}: ${def.label} ${when}. ${howWorked}`, blocks };
}

export async function runGoalsCommand(ctx: CommandContext, userId: string | null): Promise<SlackMessage> {
  const subject: GoalSubject = userId === null ? { kind: 'self' } : { kind: 'user', userId };
  const who = await authorise(ctx, subject, 'see');
  if (!who.ok) return who.reply;
  const member = who.member ?? ctx.member;
  const { db } = ctx.deps;
  const workspaceId = ctx.member.workspaceId;
  const { settings } = ctx;
  const [views, channelGoals] = await Promise.all([
    goalViews(db, { workspaceId, now: ctx.now, holidays: settings.holidays }, [
      { userId: member.userId, timezone: timezoneOf(ctx, member) },
    ]),
    activeGoals(db, workspaceId, { channelId: ctx.channelId }),
  ]);
  return goalsMessage({
    whose: who.forOther ? member.displayName : 'yours',
    views: views.get(member.userId) ?? [],
    channelGoals: channelGoals.map((goal) => ({ goal, def: getKpi(goal.metric) })),
    currency: ctx.currency,
  });
}
