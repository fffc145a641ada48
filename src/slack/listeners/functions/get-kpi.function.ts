import { goalViews } from '../../../goals/goal-status.js';
import type { KpiDefinition } from '../../../kpi/catalogue.js';
import { loadFacts } from '../../../kpi/kpi.queries.js';
import { windowPair } from '../../../kpi/scope.js';
import type { AppDeps } from '../../deps.js';
import { createStep, mayActFor, StepRefusal, userInput } from './step.js';
import { metricInput, windowInput } from './step-inputs.js';

/** A figure as a workflow author reads it: money in currency units, not cents; 25 for 25%. */
export function plainValue(def: Pick<KpiDefinition, 'unit'>, value: number): number {
  if (def.unit === 'currency' || def.unit === 'currency_per_day') return value / 100;
  if (def.unit === 'percent') return Math.round(value * 1000) / 10;
  return value;
}

/**
 * "Get a rep's KPI": the rep's figure over the window, and their goal on that metric with how much
 * of it they have met in the goal's own period (as `/kpi me` shows it). A rep reads their own; a
 * manager their team's, an admin anyone's.
 */
export function createGetKpiStep(deps: AppDeps) {
  return createStep(deps, async ({ actor, inputs, now, member }) => {
    const repId = userInput(inputs, 'user_id', 'Rep');
    const rep = repId === actor.member.userId ? actor : await member(repId);
    if (!mayActFor(actor, rep)) {
      throw new StepRefusal(
        `${actor.member.displayName} can't read ${rep.member.displayName}'s numbers: a rep reads their own, a manager their team's.`,
      );
    }
    const metric = metricInput(inputs, null);
    const pair = windowPair(windowInput(inputs, now, rep.timezone), now, rep.timezone);
    const { workspaceId, userId } = rep.member;
    const facts = await loadFacts(deps.db, { workspaceId, userId, ...pair });
    const result = metric.compute(facts.current);
    if (result.status === 'missing') throw new StepRefusal(`${metric.label}: ${result.missing}`);
    if (result.status === 'insufficient') throw new StepRefusal(`${metric.label}: ${result.reason}`);
    const goals = await goalViews(deps.db, { workspaceId, now }, [{ userId, timezone: rep.timezone }]);
    const goal = goals.get(userId)?.find((g) => g.def.key === metric.key);
    const progress = goal
      ? { goal: plainValue(metric, goal.goal.target), percent: Math.round(goal.progress.fraction * 100) }
      : {};
    return { value: plainValue(metric, result.value), ...progress };
  });
}
