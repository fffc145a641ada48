import { paceIsMeaningful } from '../../coaching/pace.js';
import type { GoalView } from '../../goals/goal-status.js';
import { progressBar } from '../../goals/progress.js';
import { formatKpiValue } from '../../kpi/catalogue.js';
import type { CoachingTip } from '../../kpi/coaching.js';
import { ACTIONS } from '../ids.js';
import { type Block, context, lowerFirst, type SlackMessage, section } from './message.js';

/** At most this many goals in a nudge; the rest are one `/kpi me` away. */
const MAX_GOALS = 4;

export interface NudgeContent {
  /** The outbox key of this nudge: the feedback buttons carry it. */
  nudgeKey: string;
  /** "Monday, November 23" in the rep's zone. */
  dayLabel: string;
  goals: readonly GoalView[];
  prompt: CoachingTip | null;
  currency: string;
}

/** What a feedback button carries: which nudge and which rule the answer is about. */
export interface NudgeFeedbackValue {
  nudgeKey: string;
  rule: string;
}

export function encodeFeedbackValue(value: NudgeFeedbackValue): string {
  return JSON.stringify({ k: value.nudgeKey, r: value.rule });
}

export function decodeFeedbackValue(raw: string | undefined): NudgeFeedbackValue | null {
  try {
    const parsed: unknown = JSON.parse(raw ?? '');
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { k, r } = parsed as Record<string, unknown>;
    return typeof k === 'string' && typeof r === 'string' ? { nudgeKey: k, rule: r } : null;
  } catch {
    return null;
  }
}

/** Pace in the goal's unit; counts round up, since half a call is no call. */
function paceText(view: GoalView, currency: string): string {
  const { progress, def } = view;
  if (progress.status === 'met') return ':white_check_mark: Goal met';
  if (progress.pacePerDay === null) return 'No working days left in this window';
  const pace = def.unit === 'count' ? Math.ceil(progress.pacePerDay) : progress.pacePerDay;
  const days = progress.workingDaysLeft;
  return `Today: *${formatKpiValue(def, pace, currency)}* to stay on pace (${days} working ${days === 1 ? 'day' : 'days'} left)`;
}

function projectedText(view: GoalView, currency: string): string {
  const { progress, def } = view;
  if (progress.status === 'met' || progress.projected === null || !paceIsMeaningful(progress)) return '';
  const verdict = progress.status === 'on_track' ? 'on track' : 'behind pace';
  return ` · at this pace you finish at ${formatKpiValue(def, progress.projected, currency)} (${verdict})`;
}

export function goalLine(view: GoalView, currency: string): string {
  const { def, goal, value, progress, window } = view;
  const percent = Math.floor(progress.fraction * 100);
  return [
    `*${def.label}* · ${lowerFirst(window.label)}`,
    `${progressBar(progress.fraction)} ${percent}% · ${formatKpiValue(def, value, currency)} of ${formatKpiValue(def, goal.target, currency)}`,
    `${paceText(view, currency)}${projectedText(view, currency)}`,
  ].join('\n');
}

/**
 * The daily DM: progress against each goal (bar, what today needs, where the pace lands), then one
 * coaching prompt with its benchmark and a "did this help?" pair of buttons. Short by design.
 */
export function nudgeMessage(content: NudgeContent): SlackMessage {
  const { goals, prompt, currency } = content;
  const blocks: Block[] = [section(`*Your day, ${content.dayLabel}*`)];
  const shown = goals.slice(0, MAX_GOALS);
  for (const view of shown) blocks.push(section(goalLine(view, currency)));
  if (goals.length > shown.length) blocks.push(context(`${goals.length - shown.length} more goals in \`/kpi me\`.`));
  if (goals.length === 0) blocks.push(context('No goals set yet: set one yourself, or agree one with your manager.'));
  if (prompt) {
    blocks.push(section(`:bulb: ${prompt.text}`));
    if (prompt.benchmark) blocks.push(context(`Benchmark: ${prompt.benchmark.text} ${prompt.benchmark.source}`));
    const value = encodeFeedbackValue({ nudgeKey: content.nudgeKey, rule: prompt.rule });
    blocks.push({
      type: 'actions',
      block_id: 'nudge_feedback',
      elements: [
        { type: 'button', action_id: ACTIONS.nudgeHelpful, text: { type: 'plain_text', text: 'Helpful' }, value },
        {
          type: 'button',
          action_id: ACTIONS.nudgeNotHelpful,
          text: { type: 'plain_text', text: 'Not helpful' },
          value,
        },
      ],
    });
  }
  blocks.push(context('Pause these with `/kpi nudges off`, or move them with `/kpi nudges at 8:30`.'));
  const goalSummary = goals.length === 1 ? '1 goal in progress' : `${goals.length} goals in progress`;
  const text = prompt ? `Your day: ${prompt.text}` : `Your day: ${goalSummary}`;
  return { text: text.slice(0, 3000), blocks };
}
