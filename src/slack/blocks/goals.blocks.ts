import { DateTime } from 'luxon';
import type { GoalPeriod } from '../../goals/goal-period.js';
import type { GoalView } from '../../goals/goal-status.js';
import type { Goal } from '../../goals/goals.repository.js';
import { progressBar } from '../../goals/progress.js';
import { HISTORY_PERIODS, type Suggestion } from '../../goals/suggest.js';
import { formatKpiValue, type KpiDefinition } from '../../kpi/catalogue.js';
import { type Block, context, escapeMrkdwn, header, type SlackMessage, section } from './message.js';

/** "a week", "a month", "from Tue 1 Dec to Thu 31 Dec 2026". */
export function periodText(period: GoalPeriod | Pick<Goal, 'period' | 'startsOn' | 'endsOn'>): string {
  if (period.period !== 'custom') return `a ${period.period}`;
  const [from, to] =
    'startsOn' in period && typeof period.startsOn === 'string'
      ? [period.startsOn, period.endsOn ?? period.startsOn]
      : ['', ''];
  const day = (iso: string, pattern: string) => DateTime.fromISO(iso).setLocale('en-US').toFormat(pattern);
  return `from ${day(from, 'ccc d LLL')} to ${day(to, 'ccc d LLL yyyy')}`;
}

const STATUS: Record<GoalView['progress']['status'], string> = {
  met: ':white_check_mark: met',
  on_track: ':large_green_circle: on track',
  behind: ':large_orange_circle: behind pace',
  missed: ':red_circle: missed',
  not_started: ':white_circle: just started',
};

/** One goal's progress line: bar, value of target, percent, pace per remaining working day, projection. */
export function goalLine(view: GoalView, currency: string): string {
  const { def, goal, progress } = view;
  const value = (n: number) => formatKpiValue(def, n, currency);
  const pct = Math.round(progress.fraction * 100);
  const lines = [
    `*${def.label}* — ${value(goal.target)} ${periodText(goal)} · ${view.window.label}`,
    `${progressBar(progress.fraction)} ${value(view.value)} of ${value(goal.target)} (${pct}%) · ${STATUS[progress.status]}`,
  ];
  const pace =
    progress.pacePerDay !== null
      ? `${value(def.unit === 'count' ? Math.ceil(progress.pacePerDay - 1e-9) : progress.pacePerDay)} a day for the ${progress.workingDaysLeft} working ${progress.workingDaysLeft === 1 ? 'day' : 'days'} left`
      : null;
  const projected =
    progress.projected !== null && progress.status !== 'met'
      ? `at this pace: ${value(Math.round(progress.projected))}`
      : null;
  const detail = [pace, projected].filter(Boolean).join(' · ');
  if (detail) lines.push(detail);
  if (goal.suggestedTarget !== null) lines.push(`_suggested ${value(goal.suggestedTarget)} from your history_`);
  return lines.join('\n');
}

/** How a suggestion was worked out, in a sentence. */
export function suggestionText(def: KpiDefinition, s: Suggestion, currency: string): string {
  const base = `${s.base}${s.periods === 1 ? '' : 's'}`;
  const scaled = s.scale === 1 ? '' : ` scaled to the goal's length (${Math.round(s.scale * 10) / 10} ${s.base}s)`;
  return (
    `${formatKpiValue(def, s.target, currency)}: your 75th-percentile ${s.base} over your last ${s.periods} complete ${base}` +
    ` (max ${HISTORY_PERIODS[s.base]})${scaled} — a good ${s.base} of yours, not your best, so it stretches without being out of reach.`
  );
}

export function goalsMessage(input: {
  whose: string;
  views: readonly GoalView[];
  channelGoals: readonly { def: KpiDefinition; goal: Goal }[];
  currency: string;
}): SlackMessage {
  const blocks: Block[] = [header(`Goals: ${input.whose}`)];
  for (const view of input.views.slice(0, 20)) blocks.push(section(goalLine(view, input.currency)));
  if (input.views.length === 0) {
    blocks.push(
      section('No goals yet. Set one with `/kpi goal meetings 12`, or see a suggestion with `/kpi goal meetings`.'),
    );
  }
  if (input.channelGoals.length > 0) {
    const lines = input.channelGoals.map(
      ({ def, goal }) => `• ${def.label}: ${formatKpiValue(def, goal.target, input.currency)} ${periodText(goal)}`,
    );
    blocks.push(section(`*This channel's team goals*\n${lines.join('\n')}`));
  }
  blocks.push(
    context(
      'Pace counts working days (Monday to Friday, minus holidays) in your own timezone. `/kpi explain goals` tells how it works.',
    ),
  );
  const summary = input.views.map((v) => `${v.def.label} ${Math.round(v.progress.fraction * 100)}%`).join(', ');
  return { text: `Goals (${escapeMrkdwn(input.whose)}): ${summary || 'none yet'}`, blocks };
}
