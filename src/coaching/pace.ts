import type { GoalProgress } from '../goals/progress.js';

/**
 * Whether a goal's pace says anything yet: not before a full working day of its window has passed
 * (nobody is "behind" at 09:00 on a Monday for a weekly goal). A goal already met always counts.
 */
export function paceIsMeaningful(progress: GoalProgress): boolean {
  return progress.status === 'met' || progress.workingDaysTotal - progress.workingDaysLeft >= 1;
}
