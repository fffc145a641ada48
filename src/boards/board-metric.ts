import { formatKpiValue, getKpi, type KpiDefinition, type KpiResult, meetsMinSample } from '../kpi/catalogue.js';
import type { DealFacts, KpiFacts, LeadFacts } from '../kpi/facts.js';
import type { FactsPair } from '../kpi/kpi.queries.js';
import { type ScorecardWeights, weightedScore } from '../kpi/weighted-score.js';

/**
 * What a channel board ranks: one catalogue KPI, or a weighted scorecard read as a KPI whose value
 * is the score out of 100, so both go through the same leaderboard (ranking, ties, opt-outs, zero
 * rule, most improved). Pure.
 */

/** 'Meetings ×2 (target 10), Calls ×1 (target 100)'. */
export function describeScorecard(weights: ScorecardWeights, currency = 'USD'): string {
  return weights
    .map((w) => {
      const def = getKpi(w.metric);
      return `${def.label} ×${w.weight} (target ${formatKpiValue(def, w.target, currency)})`;
    })
    .join(', ');
}

export function scorecardKpi(weights: ScorecardWeights, currency = 'USD'): KpiDefinition {
  // Each part counts only with enough data behind it (a win rate on one deal scores nothing).
  const valueOf = (facts: KpiFacts) => (metric: string) => {
    const def = getKpi(metric);
    if (!meetsMinSample(def, facts)) return null;
    const result = def.compute(facts);
    return result.status === 'ok' ? result.value : null;
  };
  return {
    // Distinct per scorecard: `inputsOf` caches by key.
    key: `scorecard:${weights.map((w) => `${w.metric}:${w.weight}:${w.target}`).join(',')}`,
    label: 'Scorecard',
    unit: 'count',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: [],
    formula: `Weighted score out of 100: each metric's share of its target (capped at 150%) times its weight: ${describeScorecard(weights, currency)}`,
    explanation: 'A weighted scorecard: several metrics combined into one score out of 100.',
    counts: 'The metrics of the scorecard.',
    boardable: true,
    compute: (facts): KpiResult => ({ status: 'ok', value: weightedScore(weights, valueOf(facts)).score }),
  };
}

function sumDeals(list: readonly DealFacts[]): DealFacts {
  const stages = new Map<string, number>();
  for (const d of list) for (const s of d.stageEntries) stages.set(s.stage, (stages.get(s.stage) ?? 0) + s.deals);
  const sum = (f: (d: DealFacts) => number) => list.reduce((total, d) => total + f(d), 0);
  return {
    openCount: sum((d) => d.openCount),
    openAmountCents: sum((d) => d.openAmountCents),
    wonCount: sum((d) => d.wonCount),
    lostCount: sum((d) => d.lostCount),
    wonCycleDaysSum: sum((d) => d.wonCycleDaysSum),
    wonWithCostCount: sum((d) => d.wonWithCostCount),
    wonWithCostAmountCents: sum((d) => d.wonWithCostAmountCents),
    wonWithCostCostCents: sum((d) => d.wonWithCostCostCents),
    lostDealFollowUps: sum((d) => d.lostDealFollowUps),
    stageEntries: [...stages].map(([stage, deals]) => ({ stage, deals })).sort((a, b) => b.deals - a.deals),
  };
}

function sumLeads(list: readonly LeadFacts[]): LeadFacts {
  const sum = (f: (l: LeadFacts) => number) => list.reduce((total, l) => total + f(l), 0);
  return {
    created: sum((l) => l.created),
    responded: sum((l) => l.responded),
    respondedWithinHour: sum((l) => l.respondedWithinHour),
    // Medians do not add up: a team median needs the raw times, which per-rep facts do not carry.
    responseMinutesMedian: null,
    mql: sum((l) => l.mql),
    mqlToDeal: sum((l) => l.mqlToDeal),
    qualified: sum((l) => l.qualified),
    qualifiedToDeal: sum((l) => l.qualifiedToDeal),
    touchpoints: sum((l) => l.touchpoints),
  };
}

/** A team's facts: the sum of its members' (counts, sums and ratios' parts all add up). */
export function sumFacts(list: readonly KpiFacts[]): KpiFacts {
  const activities: KpiFacts['activities'] = {};
  for (const facts of list) {
    for (const [kind, total] of Object.entries(facts.activities) as [
      keyof KpiFacts['activities'],
      { quantity: number; amountCents: number },
    ][]) {
      const known = activities[kind] ?? { quantity: 0, amountCents: 0 };
      activities[kind] = {
        quantity: known.quantity + total.quantity,
        amountCents: known.amountCents + total.amountCents,
      };
    }
  }
  const deals = list.flatMap((f) => (f.deals ? [f.deals] : []));
  const leads = list.flatMap((f) => (f.leads ? [f.leads] : []));
  const quotas = list.flatMap((f) => (f.quotaCents === null ? [] : [f.quotaCents]));
  const previousRevenue = list.flatMap((f) => (f.previousRevenueCents === null ? [] : [f.previousRevenueCents]));
  return {
    activities,
    previousRevenueCents: previousRevenue.length > 0 ? previousRevenue.reduce((a, b) => a + b, 0) : null,
    deals: deals.length > 0 ? sumDeals(deals) : null,
    leads: leads.length > 0 ? sumLeads(leads) : null,
    customers: null,
    spendCents: null,
    quotaCents: quotas.length > 0 ? quotas.reduce((a, b) => a + b, 0) : null,
    repCount: list.length,
  };
}

/**
 * The team's figure for a window: a KPI computed on the team's summed facts (a total for counts and
 * sums, the team's own ratio for rates); for a scorecard, the average score of the people counted,
 * since its targets are per person. Null when there is nothing to compute it from.
 */
export function teamFigure(
  metric: KpiDefinition,
  isScorecard: boolean,
  people: readonly FactsPair[],
  which: 'current' | 'previous',
): number | null {
  if (isScorecard) {
    if (people.length === 0) return null;
    const scores = people.map((p) => {
      const result = metric.compute(p[which]);
      return result.status === 'ok' ? result.value : 0;
    });
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  }
  const result = metric.compute(sumFacts(people.map((p) => p[which])));
  return result.status === 'ok' ? result.value : null;
}
