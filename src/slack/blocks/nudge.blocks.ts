import { paceIsMeaningful } from '../../coaching/pace.js';
import type { GoalView } from '../../goals/goal-status.js';
import { progressBar } from '../../goals/progress.js';
import { formatKpiValue } from '../../kpi/catalogue.js';
import type { CoachingTip } from '../../kpi/coaching.js';
import { ACTIONS } from '../ids.js';
import { quickLogBlock } from './log-modal.blocks.js';
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

/** Block ids of a nudge's goal lines: a quick-log press replaces them with fresh ones. */
const GOAL_BLOCK = 'nudge_goal';
const NUDGE_LOG_BLOCK = 'nudge_log';

function withId(block: Block, blockId: string): Block {
  return { ...block, block_id: blockId } as Block;
}

function goalBlocks(goals: readonly GoalView[], currency: string): Block[] {
  const shown = goals.slice(0, MAX_GOALS);
  const blocks = shown.map((view, i) => withId(section(goalLine(view, currency)), `${GOAL_BLOCK}_${i}`));
  if (goals.length > shown.length) {
    blocks.push(withId(context(`${goals.length - shown.length} more goals in \`/kpi me\`.`), `${GOAL_BLOCK}_more`));
  }
  if (goals.length === 0) {
    blocks.push(
      withId(context('No goals set yet: set one yourself, or agree one with your manager.'), `${GOAL_BLOCK}_none`),
    );
  }
  return blocks;
}

/**
 * A nudge after a quick-log press: its goal lines recomputed (the new pace) and what was just
 * logged, in place of the old ones; the day, the prompt and its buttons stay as they were.
 */
export function refreshedNudge(
  message: { text?: string; blocks: readonly Block[] },
  update: { goals: readonly GoalView[]; currency: string; logged: string },
): SlackMessage {
  const isGoal = (b: Block) => typeof b.block_id === 'string' && b.block_id.startsWith(GOAL_BLOCK);
  const first = message.blocks.findIndex(isGoal);
  const kept = message.blocks.filter((b) => !isGoal(b));
  const at = first === -1 ? Math.min(1, kept.length) : first;
  const logged = withId(
    context(`:white_check_mark: ${update.logged} \`/kpi undo\` takes it back.`),
    `${GOAL_BLOCK}_logged`,
  );
  const blocks = [...kept.slice(0, at), ...goalBlocks(update.goals, update.currency), logged, ...kept.slice(at)];
  return { text: message.text ?? update.logged, blocks };
}

/**
 * The daily DM: progress against each goal (bar, what today needs, where the pace lands), the
 * quick-log buttons, then one coaching prompt with its benchmark and a "did this help?" pair of buttons.
 * Short by design.
 */
export function nudgeMessage(content: NudgeContent): SlackMessage {
  const { goals, prompt, currency } = content;
  const blocks: Block[] = [section(`*Your day, ${content.dayLabel}*`), ...goalBlocks(goals, currency)];
  blocks.push(quickLogBlock(NUDGE_LOG_BLOCK));
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
