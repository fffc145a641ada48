import { chooseNudgePrompt, NO_SIGNALS } from '../../src/coaching/nudge-rules.js';
import type { GoalView } from '../../src/goals/goal-status.js';
import type { Goal } from '../../src/goals/goals.repository.js';
import { goalProgress } from '../../src/goals/progress.js';
import { getKpi } from '../../src/kpi/catalogue.js';

/** A weekly goal of the week of Monday 23 November 2026 in New York, seen at `now`. */
export function weekGoal(
  metric: string,
  target: number,
  value: number,
  now = new Date('2026-11-25T14:00:00Z'),
): GoalView {
  const start = new Date('2026-11-23T05:00:00Z');
  const end = new Date('2026-11-30T05:00:00Z');
  const goal: Goal = {
    id: 1,
    workspaceId: 'T1',
    userId: 'U1',
    channelId: null,
    metric,
    target,
    period: 'week',
    startsOn: null,
    endsOn: null,
    setBy: 'U1',
    suggestedTarget: null,
    createdAt: start,
    archivedAt: null,
  };
  return {
    goal,
    def: getKpi(metric),
    window: { start, end, label: 'This week', timezone: 'America/New_York' },
    value,
    progress: goalProgress({ value, target, start, end, now, timezone: 'America/New_York' }),
  };
}

/** The coaching prompt about two leads waiting over an hour and a half: a nudge with feedback buttons. */
export const leadsWaitingPrompt = chooseNudgePrompt({
  signals: { ...NO_SIGNALS, leadsWaiting: { count: 2, oldestMinutes: 95 } },
  facts: null,
  remainingQuota: null,
  hasGoals: true,
  currency: 'USD',
  suppressed: new Set(),
});
