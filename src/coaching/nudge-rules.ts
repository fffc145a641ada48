import { benchmark, formatKpiValue, getKpi } from '../kpi/catalogue.js';
import { COACHING_RULES, type CoachingTip, chooseCoaching, tip } from '../kpi/coaching.js';
import { activityFacts, type KpiFacts } from '../kpi/facts.js';
import type { FactsPair } from '../kpi/kpi.queries.js';

/**
 * The one coaching prompt of a rep's daily nudge, chosen by rules from their own data and citing the
 * benchmark it leans on (KPI field notes). The live signals come first, because they name work the
 * rep can do today; then the window rules of `chooseCoaching` over the last seven days:
 *   1. leads_waiting          a lead came in over an hour ago and still has no first response
 *                             → reply within the hour (about 7× more likely to qualify)
 *   2. no_follow_up           a recent prospect was touched once, two days or more ago, and never since
 *                             → follow up (half of sales come after the fifth follow-up; 44% give up after one)
 *   3. low_pipeline_coverage  open pipeline < 3× what is left of the rep's revenue goal
 *                             (pipeline ÷ (quota − revenue so far))
 *   4…  the `chooseCoaching` rules (slow median response, win rate drop, no-shows, reach < 35 per 100,
 *       pass < 11 per 100, few follow-ups, deal size drop, best improvement). "Nothing logged" is only
 *       said to a rep with goals: to anyone else a daily "you did nothing" is noise, not coaching.
 *
 * Feedback: a rule the rep marked "Not helpful" in the last `UNHELPFUL_QUIET_DAYS` days is passed
 * over and the next rule that applies is chosen instead; after that it may come back, since the
 * rep's data (and their view of it) may have changed. "Helpful" answers change nothing.
 */

export const LEAD_WAIT_MINUTES = 60;
/** A prospect touched once is "not followed up" once this many days passed without a second touch. */
export const FOLLOW_UP_AFTER_DAYS = 2;
/** Prospects older than this are out of the follow-up rule (the field notes count the first 2–4 weeks). */
export const PROSPECT_DAYS = 28;
export const COVERAGE_TARGET = 3;
export const UNHELPFUL_QUIET_DAYS = 14;

export const NUDGE_RULES: readonly string[] = [
  'leads_waiting',
  'no_follow_up',
  'low_pipeline_coverage',
  ...COACHING_RULES,
];

export interface RepSignals {
  /** The rep's leads that have waited more than an hour for a first response, and the longest wait. */
  leadsWaiting: { count: number; oldestMinutes: number };
  /** Recent prospects touched exactly once, at least `FOLLOW_UP_AFTER_DAYS` ago. */
  singleTouchProspects: number;
  /** Open pipeline in cents; null when the workspace has no deal data at all. */
  openPipelineCents: number | null;
}

export const NO_SIGNALS: RepSignals = {
  leadsWaiting: { count: 0, oldestMinutes: 0 },
  singleTouchProspects: 0,
  openPipelineCents: null,
};

export interface NudgeRuleInput {
  signals: RepSignals;
  /** The last seven days and the seven before; null when the rep has nothing in either. */
  facts: FactsPair | null;
  /** What is left of the rep's current revenue goal, when they have one not met yet. */
  remainingQuota: { cents: number; label: string } | null;
  hasGoals: boolean;
  currency: string;
  /** Rules the rep marked unhelpful recently. */
  suppressed: ReadonlySet<string>;
}

const EMPTY_FACTS: KpiFacts = activityFacts({});

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function waitText(minutes: number): string {
  if (minutes < 120) return `${Math.floor(minutes)} minutes`;
  if (minutes < 48 * 60) return plural(Math.floor(minutes / 60), 'hour', 'hours');
  return plural(Math.floor(minutes / (24 * 60)), 'day', 'days');
}

type SignalRule = (input: NudgeRuleInput) => CoachingTip | null;

const leadsWaiting: SignalRule = ({ signals }) => {
  const { count, oldestMinutes } = signals.leadsWaiting;
  if (count === 0) return null;
  const leads = count === 1 ? 'A new lead has' : `${count} new leads have`;
  return tip(
    'leads_waiting',
    getKpi('lead_response_time'),
    `${leads} waited over an hour for your first reply (the longest ${waitText(oldestMinutes)}). Industry benchmark: responding within one hour makes qualifying about 7× more likely, so start the day with ${count === 1 ? 'it' : 'them'}.`,
  );
};

const noFollowUp: SignalRule = ({ signals }) => {
  const n = signals.singleTouchProspects;
  if (n === 0) return null;
  return tip(
    'no_follow_up',
    getKpi('follow_ups_per_dropped_deal'),
    `${plural(n, 'prospect has', 'prospects have')} heard from you once and not since. Industry benchmark: about half of sales come after the fifth follow-up, yet 44% of sellers give up after one, so a second touch today keeps ${n === 1 ? 'it' : 'them'} warm.`,
  );
};

const PIPELINE_BENCHMARK = benchmark(
  'Keep open pipeline worth about 3× the quota still to win (coverage = pipeline ÷ remaining quota).',
  'coverageRuleOfThumb',
);

const lowPipelineCoverage: SignalRule = ({ signals, remainingQuota, currency }) => {
  const pipeline = signals.openPipelineCents;
  if (pipeline === null || remainingQuota === null || remainingQuota.cents <= 0) return null;
  const coverage = pipeline / remainingQuota.cents;
  if (coverage >= COVERAGE_TARGET) return null;
  const money = (cents: number) => formatKpiValue(getKpi('pipeline_value'), cents, currency);
  // Rounded down, so a cover just under 3× never reads as 3×.
  const times = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(Math.floor(coverage * 10) / 10);
  return {
    ...tip(
      'low_pipeline_coverage',
      getKpi('pipeline_coverage'),
      `Your open deals (${money(pipeline)}) cover ${times}× the ${money(remainingQuota.cents)} still to win for your ${remainingQuota.label.toLowerCase()} revenue goal. The usual rule of thumb is 3× cover, so a few new opportunities now protect the goal.`,
    ),
    benchmark: PIPELINE_BENCHMARK,
  };
};

const SIGNAL_RULES: readonly (readonly [string, SignalRule])[] = [
  ['leads_waiting', leadsWaiting],
  ['no_follow_up', noFollowUp],
  ['low_pipeline_coverage', lowPipelineCoverage],
];

/** The first applicable rule not recently marked unhelpful; null when there is nothing useful to say. */
export function chooseNudgePrompt(input: NudgeRuleInput): CoachingTip | null {
  for (const [id, rule] of SIGNAL_RULES) {
    if (input.suppressed.has(id)) continue;
    const chosen = rule(input);
    if (chosen) return chosen;
  }
  const skip = new Set(input.suppressed);
  if (!input.hasGoals) skip.add('no_activity');
  if (!input.facts && !input.hasGoals) return null;
  return chooseCoaching(input.facts?.current ?? EMPTY_FACTS, input.facts?.previous ?? null, input.currency, skip);
}

/** "Not helpful" answers newer than this instant keep their rule quiet. */
export function quietSince(now: Date): Date {
  return new Date(now.getTime() - UNHELPFUL_QUIET_DAYS * 24 * 60 * 60 * 1000);
}

/** A rule as a 1:1 topic in a manager's digest: a few words, about the skill rather than the person. */
export const RULE_TOPICS: Readonly<Record<string, string>> = {
  leads_waiting: 'leads waiting over an hour for a first reply',
  no_follow_up: 'following up after the first touch',
  low_pipeline_coverage: 'building pipeline (under 3× cover of the goal)',
  no_activity: 'getting the week started: nothing logged',
  slow_lead_response: 'lead response time (benchmark: within the hour)',
  win_rate_dropped: 'win rate down on the week before',
  high_no_shows: 'no-shows: confirming meetings',
  low_reach: 'reach rate under 35 per 100',
  low_pass: 'pass rate under 11 per 100',
  few_follow_ups: 'follow-ups before dropping a deal',
  deal_size_dropped: 'average deal size down: upsell',
  best_improvement: 'what went well: their biggest improvement',
};
