import { formatKpiValue, getKpi, isImprovement, KPIS, type KpiDefinition } from './catalogue.js';
import type { KpiFacts } from './facts.js';

/**
 * One private coaching line for a rep, "diagnose, then coach" (KPI field notes): find the weakest
 * spot in the rep's own numbers, say it with their number and the industry benchmark, and suggest
 * the skill that moves it. Friendly, one or two short sentences, never a comparison with teammates.
 *
 * Rules run in this order and the first that applies wins (most impactful first: nothing logged,
 * then the leaks closest to revenue and quickest to fix):
 *   1. no_activity            nothing logged in the window → a friendly start prompt
 *   2. slow_lead_response     median first response > 60 min over ≥ 5 answered leads → within the hour (7×)
 *   3. win_rate_dropped       win rate down ≥ 5 points on the previous window (≥ 3 closed deals in
 *                             each) → pitch and follow-up
 *   4. high_no_shows          no-show rate ≥ 20% over ≥ 5 meetings → confirm meetings, keep the time
 *   5. low_reach              reach rate < 35 per 100 over ≥ 20 calls and emails → reach decision-makers
 *   6. low_pass               pass rate < 11 per 100 over ≥ 10 conversations → qualify more deeply
 *   7. few_follow_ups         < 5 follow-ups per dropped deal over ≥ 3 lost deals → keep following up
 *   8. deal_size_dropped      average deal size down ≥ 10% on the previous window (≥ 3 deals won in
 *                             each) → upsell, cross-sell
 *   9. best_improvement       nothing to fix → the rep's biggest relative improvement on the previous
 *                             window, among board KPIs with enough data in both windows
 */

export interface CoachingTip {
  /** Which rule chose it (the ids above): stored with a rep's "did this help?" answer. */
  rule: string;
  kpiKey: string;
  text: string;
  benchmark?: { text: string; source: string };
}

type Rule = (current: KpiFacts, previous: KpiFacts | null, currency: string) => CoachingTip | null;

const MINUTES_IN_AN_HOUR = 60;
const WIN_RATE_DROP = 0.05; // 5 percentage points: less is within the noise of a few deals
const DEAL_SIZE_DROP = 0.1; // 10%
const HIGH_NO_SHOW_RATE = 0.2;
const REACH_BENCHMARK = 0.35; // best-in-class floor per 100 outbound activities
const PASS_BENCHMARK = 0.11;
const FOLLOW_UPS_BENCHMARK = 5; // half of sales come after the fifth follow-up

/**
 * A KPI's value when it is computable and backed by at least `minCount` of its denominator
 * (default: the catalogue's minimum for ranking), so one call or deal never triggers a tip.
 */
function measure(key: string, facts: KpiFacts, minCount?: number): { def: KpiDefinition; value: number } | null {
  const def = getKpi(key);
  const result = def.compute(facts);
  if (result.status !== 'ok') return null;
  const sample = def.minSample;
  const enough = !sample || sample.count(facts) >= (minCount ?? sample.min);
  return enough ? { def, value: result.value } : null;
}

export function tip(rule: string, def: KpiDefinition, text: string): CoachingTip {
  const base = { rule, kpiKey: def.key, text };
  return def.benchmark ? { ...base, benchmark: def.benchmark } : base;
}

/** 0.254 → '25': rates read as "N per 100", the way the benchmarks quote them. */
function per100(fraction: number): string {
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(fraction * 100);
}

const quantity = (facts: KpiFacts, kind: keyof KpiFacts['activities']): number => facts.activities[kind]?.quantity ?? 0;

const noActivity: Rule = (current) => {
  const logged = Object.values(current.activities).some((total) => (total?.quantity ?? 0) > 0);
  if (logged) return null;
  return tip(
    'no_activity',
    getKpi('calls'),
    'Nothing logged yet this window. Log your first call, email or meeting with `/kpi log` and your scorecard starts filling in.',
  );
};

const slowLeadResponse: Rule = (current, _previous, currency) => {
  const response = measure('lead_response_time', current);
  if (!response || response.value <= MINUTES_IN_AN_HOUR) return null;
  const waited = formatKpiValue(response.def, response.value, currency);
  return tip(
    'slow_lead_response',
    response.def,
    `New leads waited ${waited} for your first reply (median). Industry benchmark: answering within an hour makes qualifying about 7× more likely, so try replying to new leads first.`,
  );
};

const winRateDropped: Rule = (current, previous, currency) => {
  const now = measure('win_rate', current);
  const before = previous && measure('win_rate', previous);
  if (!now || !before || before.value - now.value < WIN_RATE_DROP) return null;
  const from = formatKpiValue(now.def, before.value, currency);
  const to = formatKpiValue(now.def, now.value, currency);
  return tip(
    'win_rate_dropped',
    now.def,
    `Your win rate moved from ${from} to ${to} this window. A fresh look at your pitch and your follow-up on open deals could win some back.`,
  );
};

const highNoShows: Rule = (current) => {
  const noShows = measure('no_show_rate', current, 5);
  if (!noShows || noShows.value < HIGH_NO_SHOW_RATE) return null;
  return tip(
    'high_no_shows',
    noShows.def,
    `${quantity(current, 'no_show')} of your ${quantity(current, 'meeting')} booked meetings were no-shows. A short confirmation the day before helps, and keep the agreed time: industry benchmark says about 4 in 5 leads whose meeting the seller moved are never heard from again.`,
  );
};

const lowReach: Rule = (current) => {
  const reach = measure('reach_rate', current, 20);
  if (!reach || reach.value >= REACH_BENCHMARK) return null;
  return tip(
    'low_reach',
    reach.def,
    `You reached ${per100(reach.value)} decision-makers per 100 calls and emails; the industry benchmark for best-in-class reps is at least 35. Calling when they tend to pick up, or asking for a referral to the right person, can lift it.`,
  );
};

const lowPass: Rule = (current) => {
  const pass = measure('pass_rate', current, 10);
  if (!pass || pass.value >= PASS_BENCHMARK) return null;
  return tip(
    'low_pass',
    pass.def,
    `${per100(pass.value)} of every 100 conversations became qualified leads; the industry benchmark for an experienced rep is about 11. A few more discovery questions before moving on can lift it.`,
  );
};

const fewFollowUps: Rule = (current, _previous, currency) => {
  const followUps = measure('follow_ups_per_dropped_deal', current);
  if (!followUps || followUps.value >= FOLLOW_UPS_BENCHMARK) return null;
  const average = formatKpiValue(followUps.def, followUps.value, currency);
  return tip(
    'few_follow_ups',
    followUps.def,
    `Deals you dropped got ${average} follow-ups on average. Industry benchmark: about half of sales come after the fifth follow-up, yet 44% of sellers give up after one, so one more nudge may pay off.`,
  );
};

const dealSizeDropped: Rule = (current, previous, currency) => {
  const now = measure('avg_deal_size', current);
  const before = previous && measure('avg_deal_size', previous);
  if (!now || !before || now.value > before.value * (1 - DEAL_SIZE_DROP)) return null;
  const from = formatKpiValue(now.def, before.value, currency);
  const to = formatKpiValue(now.def, now.value, currency);
  return tip(
    'deal_size_dropped',
    now.def,
    `Your average deal size went from ${from} to ${to}. Offering an upsell or cross-sell to your next customers could bring it back up.`,
  );
};

/** The boardable KPI that improved most, relative to where it was; ties go to catalogue order. */
const bestImprovement: Rule = (current, previous, currency) => {
  if (!previous) return null;
  let best: { def: KpiDefinition; from: number; to: number; gain: number } | null = null;
  for (const def of KPIS.filter((candidate) => candidate.boardable)) {
    const now = measure(def.key, current);
    const before = measure(def.key, previous);
    if (!now || !before || before.value === 0 || !isImprovement(def, now.value, before.value)) continue;
    const gain = Math.abs(now.value - before.value) / Math.abs(before.value);
    if (!best || gain > best.gain) best = { def, from: before.value, to: now.value, gain };
  }
  if (!best) return null;
  const from = formatKpiValue(best.def, best.from, currency);
  const to = formatKpiValue(best.def, best.to, currency);
  return tip(
    'best_improvement',
    best.def,
    `Nice work: *${best.def.label}* went from ${from} to ${to} compared with the previous window.`,
  );
};

const RULES: readonly (readonly [string, Rule])[] = [
  ['no_activity', noActivity],
  ['slow_lead_response', slowLeadResponse],
  ['win_rate_dropped', winRateDropped],
  ['high_no_shows', highNoShows],
  ['low_reach', lowReach],
  ['low_pass', lowPass],
  ['few_follow_ups', fewFollowUps],
  ['deal_size_dropped', dealSizeDropped],
  ['best_improvement', bestImprovement],
];

export const COACHING_RULES: readonly string[] = RULES.map(([id]) => id);

/**
 * The first rule that applies, in the order above; null when there is nothing useful to say.
 * Rules in `skip` are passed over (a prompt the rep found unhelpful, one that does not fit a nudge).
 */
export function chooseCoaching(
  current: KpiFacts,
  previous: KpiFacts | null,
  currency = 'USD',
  skip: ReadonlySet<string> = new Set(),
): CoachingTip | null {
  for (const [id, rule] of RULES) {
    if (skip.has(id)) continue;
    const chosen = rule(current, previous, currency);
    if (chosen) return chosen;
  }
  return null;
}
