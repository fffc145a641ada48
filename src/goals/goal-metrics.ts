import { KPIS, type KpiDefinition } from '../kpi/catalogue.js';

/**
 * Which metrics a goal can be set on: totals that add up over a window (counts and money), where
 * "reach N by Friday" and a pace per day make sense. A ratio (win rate, average deal size, touches
 * per lead, customer lifetime value) is not a total: ten more calls can lower it, so a target on it
 * has no pace; nor is a snapshot like open pipeline. That leaves revenue, deals won and the logged
 * activity counts.
 */
const OUTCOME_TOTALS: ReadonlySet<string> = new Set(['revenue', 'deals_won']);

export function isGoalMetric(def: KpiDefinition): boolean {
  if (OUTCOME_TOTALS.has(def.key)) return true;
  return def.group === 'activity' && def.unit === 'count' && def.minSample === undefined;
}

export const GOAL_METRICS: readonly KpiDefinition[] = KPIS.filter(isGoalMetric);

/** The friendly refusal for a metric that cannot carry a goal. */
export function notAGoalMetric(def: KpiDefinition): string {
  const examples = GOAL_METRICS.slice(0, 6)
    .map((d) => d.label.toLowerCase())
    .join(', ');
  return (
    `${def.label} isn't a total you add to day by day, so it can't be a goal: there's no pace to keep. ` +
    `Set a goal on what drives it instead, e.g. ${examples}.`
  );
}
