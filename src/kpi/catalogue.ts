import { ACTIVITY_KINDS, type ActivityKind } from './activity-kinds.js';
import type { KpiFacts } from './facts.js';

/**
 * The one KPI catalogue: every KPI of the KPI field notes (docs/kpi-field-notes.md), its
 * formula in words, what it counts, and its maths as a pure function of `KpiFacts`.
 *
 * Money is in minor units (cents) throughout; percentages are fractions (0.35 = 35%). A division by
 * zero is never a number: it is `insufficient`, with a reason a rep can act on. A facts section that
 * was never sent (null) is `missing`, naming the data needed and where it comes from.
 */

export type KpiUnit = 'count' | 'currency' | 'percent' | 'days' | 'minutes' | 'currency_per_day';

export type KpiResult =
  /** `note`: what the figure leaves out, said beside it (wins without an amount). */
  | { status: 'ok'; value: number; note?: string }
  | { status: 'missing'; missing: string }
  | { status: 'insufficient'; reason: string };

export interface KpiDefinition {
  key: string;
  label: string;
  unit: KpiUnit;
  direction: 'higher_is_better' | 'lower_is_better';
  group: 'outcome' | 'activity' | 'team';
  /** Lower-case names a user may type; `findKpi` matches them with '-', '_' and spaces alike. */
  aliases: readonly string[];
  formula: string;
  explanation: string;
  counts: string;
  benchmark?: { text: string; source: string };
  /** For ranking ratios fairly on a board: the minimum denominator for a rep to be ranked. */
  minSample?: { count: (f: KpiFacts) => number; min: number; what: string };
  boardable: boolean;
  compute: (facts: KpiFacts) => KpiResult;
}

/**
 * Where each benchmark comes from, word for word as the KPI field notes (docs/kpi-field-notes.md)
 * give it: the study where one is known, else the article that quotes the figure, else a plain
 * admission that none is known. A test holds these to the notes.
 */
export const BENCHMARK_SOURCES = {
  leadResponseStudy:
    'Oldroyd, McElheran and Elkington, "The Short Life of Online Sales Leads", Harvard Business Review, March 2011',
  salesKpisArticle:
    'as quoted in "The Sales KPIs Every Rep Needs to Monitor" (Peter Gracey, HubSpot Sales Blog, 2016, updated 2017); primary study not named there',
  salesWriting: 'widely repeated in sales writing; primary source not named in our material',
  coverageRuleOfThumb: 'a sales-planning rule of thumb; no study behind it is known',
} as const;

export type BenchmarkSource = keyof typeof BENCHMARK_SOURCES;

/** A benchmark as shown beside a figure: what it says, then a sentence naming its source and the notes that record it. */
export function benchmark(text: string, source: BenchmarkSource): { text: string; source: string } {
  return {
    text,
    source: `Source: ${BENCHMARK_SOURCES[source]}. Recorded in the KPI field notes (docs/kpi-field-notes.md).`,
  };
}

// Below these denominators a single deal, lead or call swings a ratio too far to rank people by it.
const MIN_DEALS = 3;
const MIN_LEADS = 5;
const MIN_ACTIVITIES = 10;
const MIN_CUSTOMERS = 5;

const LOGGED = 'logged with `/kpi log` or sent by your CRM';

// ---------------------------------------------------------------------------------------------
// Results

const ok = (value: number): KpiResult => ({ status: 'ok', value });
const missing = (text: string): KpiResult => ({ status: 'missing', missing: text });
const insufficient = (reason: string): KpiResult => ({ status: 'insufficient', reason });

function ratio(numerator: number, denominator: number, whenEmpty: string): KpiResult {
  return denominator > 0 ? ok(numerator / denominator) : insufficient(whenEmpty);
}

type Values<R extends readonly KpiResult[]> = { [K in keyof R]: number };

/** Builds a KPI from others: the first result that is not ok explains why this one is not either. */
function combine<const R extends readonly KpiResult[]>(
  results: R,
  compute: (...values: Values<R>) => KpiResult,
): KpiResult {
  const values: number[] = [];
  for (const result of results) {
    if (result.status !== 'ok') return result;
    values.push(result.value);
  }
  return compute(...(values as unknown as Values<R>));
}

// ---------------------------------------------------------------------------------------------
// Reading the facts, and saying what is in them

function quantity(f: KpiFacts, kinds: readonly ActivityKind[]): number {
  return kinds.reduce((sum, kind) => sum + (f.activities[kind]?.quantity ?? 0), 0);
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** 'calls', 'calls and emails', 'conversations, calls and emails'. */
function joinAnd(words: readonly string[]): string {
  return words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? '');
}

const manyOf = (kinds: readonly ActivityKind[]): string[] => kinds.map((kind) => ACTIVITY_KINDS[kind].many);

function noneLogged(kinds: readonly ActivityKind[]): string {
  return `No ${manyOf(kinds).join(' or ')} logged in this window.`;
}

// Each section names what is needed and where it comes from, for the `missing` text.
const SECTION_SOURCE = {
  deals: 'deals from your CRM (or `/kpi log deal`): none have been received yet',
  leads: 'leads from your CRM or lead-form webhook: none have been received yet',
  customers: 'customer records from your CRM: none have been received yet',
} as const;

type Section = keyof typeof SECTION_SOURCE;

/** Runs `compute` on a facts section, or reports the section as missing when it was never sent. */
function withSection<S extends Section>(
  f: KpiFacts,
  section: S,
  label: string,
  compute: (data: NonNullable<KpiFacts[S]>) => KpiResult,
): KpiResult {
  const data = f[section];
  return data ? compute(data as NonNullable<KpiFacts[S]>) : missing(`${label} needs ${SECTION_SOURCE[section]}.`);
}

function withQuota(f: KpiFacts, label: string, compute: (quotaCents: number) => KpiResult): KpiResult {
  if (f.quotaCents === null) {
    return missing(`No revenue goal is set for this window. ${label} needs one: set a revenue goal to see it.`);
  }
  return f.quotaCents > 0 ? compute(f.quotaCents) : insufficient('The revenue goal for this window is zero.');
}

// ---------------------------------------------------------------------------------------------
// Shared maths (several KPIs build on these)

const revenueCents = (f: KpiFacts): number => f.activities.deal_won?.amountCents ?? 0;
const closedDeals = (f: KpiFacts): number => quantity(f, ['deal_won', 'deal_lost']);

function winRate(f: KpiFacts): KpiResult {
  return ratio(quantity(f, ['deal_won']), closedDeals(f), 'No deals closed (won or lost) in this window.');
}

/** Wins logged without an amount count as deals, but an average over them would read as deals worth 0. */
const pricedWins = (f: KpiFacts): number => quantity(f, ['deal_won']) - (f.activities.deal_won?.withoutAmount ?? 0);

function averageDealSize(f: KpiFacts): KpiResult {
  const won = quantity(f, ['deal_won']);
  const priced = pricedWins(f);
  if (won > 0 && priced <= 0) {
    return insufficient(
      `None of the ${won} deals won in this window has an amount: log them with one, e.g. \`/kpi log deal won $5k\`.`,
    );
  }
  const result = ratio(revenueCents(f), priced, 'No deals won in this window.');
  const unpriced = won - priced;
  if (result.status !== 'ok' || unpriced <= 0) return result;
  const have = unpriced === 1 ? 'has' : 'have';
  const them = unpriced === 1 ? 'it is' : 'they are';
  return { ...result, note: `${unpriced} of ${won} deals won ${have} no amount, so ${them} left out of the average.` };
}

function salesCycleLength(f: KpiFacts, label: string): KpiResult {
  return withSection(f, 'deals', label, (d) =>
    ratio(d.wonCycleDaysSum, d.wonCount, 'No CRM deals were won in this window, so no cycle has ended.'),
  );
}

function retentionRate(f: KpiFacts, label: string): KpiResult {
  return withSection(f, 'customers', label, (c) =>
    ratio(c.retainedAtEnd, c.atStart, 'There were no customers at the start of this window.'),
  );
}

// ---------------------------------------------------------------------------------------------
// Building definitions

type KpiSpec = Omit<KpiDefinition, 'aliases' | 'compute'> & {
  /** Extra names; the key and the key with spaces are always added. */
  aliases?: readonly string[];
  /** Gets the label so `missing` texts can name the KPI without repeating it. */
  compute: (facts: KpiFacts, label: string) => KpiResult;
};

function kpi(spec: KpiSpec): KpiDefinition {
  const { compute, aliases = [], ...rest } = spec;
  return {
    ...rest,
    aliases: [...new Set([spec.key, spec.key.replaceAll('_', ' '), ...aliases])],
    compute: (facts) => compute(facts, spec.label),
  };
}

/** A plain count of one logged activity kind; its aliases are the words a rep logs it with. */
function activityCount(key: string, kind: ActivityKind, explanation: string): KpiDefinition {
  const info = ACTIVITY_KINDS[kind];
  return kpi({
    key,
    label: info.label,
    unit: 'count',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: info.aliases,
    formula: `number of ${info.many} logged`,
    explanation,
    counts: `${capitalise(info.many)} ${LOGGED}, in the window.`,
    boardable: true,
    compute: (f) => ok(quantity(f, [kind])),
  });
}

type ActivityRatioSpec = Omit<KpiSpec, 'compute' | 'minSample' | 'formula' | 'counts' | 'unit' | 'group'> & {
  numerator: ActivityKind;
  denominator: readonly ActivityKind[];
};

/** One logged activity kind over others (connects over dials, ...): the funnel's step rates. */
function activityRatio(spec: ActivityRatioSpec): KpiDefinition {
  const { numerator, denominator, ...rest } = spec;
  const below = manyOf(denominator).join(' + ');
  return kpi({
    ...rest,
    unit: 'percent',
    group: 'activity',
    formula: `${ACTIVITY_KINDS[numerator].many} ÷ ${denominator.length > 1 ? `(${below})` : below}`,
    counts: `${capitalise(joinAnd(manyOf([numerator, ...denominator])))} ${LOGGED}, in the window.`,
    minSample: { count: (f) => quantity(f, denominator), min: MIN_ACTIVITIES, what: joinAnd(manyOf(denominator)) },
    compute: (f) => ratio(quantity(f, [numerator]), quantity(f, denominator), noneLogged(denominator)),
  });
}

// ---------------------------------------------------------------------------------------------
// The catalogue

const OUTCOME_KPIS: readonly KpiDefinition[] = [
  kpi({
    key: 'revenue',
    label: 'Revenue',
    unit: 'currency',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['sales', 'sales volume', 'volume', 'won revenue', 'bookings', 'revenue won'],
    formula: 'sum of the amounts of deals won',
    explanation: 'The money from every deal you won in the window: your sales volume.',
    counts: `Deals won ${LOGGED}, closed in the window, with their amounts.`,
    boardable: true,
    compute: (f) => ok(revenueCents(f)),
  }),
  kpi({
    key: 'deals_won',
    label: 'Deals won',
    unit: 'count',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['deal won', 'won deals', 'won', 'wins', 'win', 'closed won', 'deals', 'closed deals won'],
    formula: 'number of deals won',
    explanation: 'How many deals you closed as won in the window.',
    counts: `Deals won ${LOGGED}, closed in the window.`,
    boardable: true,
    compute: (f) => ok(quantity(f, ['deal_won'])),
  }),
  kpi({
    key: 'win_rate',
    label: 'Win rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['winrate', 'close rate', 'closing rate', 'win ratio', 'win percentage'],
    formula: 'deals won ÷ (deals won + deals lost)',
    explanation: 'Of the deals you closed in the window, the share you won rather than lost.',
    counts: `Deals won or lost ${LOGGED}, closed in the window.`,
    minSample: { count: closedDeals, min: MIN_DEALS, what: 'closed deals' },
    boardable: true,
    compute: (f) => winRate(f),
  }),
  kpi({
    key: 'conversion_rate',
    label: 'Conversion rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['conversion', 'lead conversion', 'lead conversion rate', 'lead to customer'],
    formula: 'deals won ÷ leads logged',
    explanation:
      'Deals won for every lead you logged in the window. Deals can come from earlier leads, so a busy closing week can go above 100%.',
    counts: `Deals won and leads ${LOGGED}, in the window.`,
    minSample: { count: (f) => quantity(f, ['lead']), min: MIN_LEADS, what: 'leads' },
    boardable: true,
    compute: (f) => ratio(quantity(f, ['deal_won']), quantity(f, ['lead']), noneLogged(['lead'])),
  }),
  kpi({
    key: 'avg_deal_size',
    label: 'Average deal size',
    unit: 'currency',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['average deal size', 'deal size', 'average deal', 'average ticket', 'aov', 'average order value'],
    formula: 'revenue ÷ deals won with an amount',
    explanation:
      'What a won deal is worth on average. When it falls, upselling and cross-selling help. A win logged without an amount is left out, not counted as 0.',
    counts: `Deals won ${LOGGED}, closed in the window, with their amounts.`,
    minSample: { count: pricedWins, min: MIN_DEALS, what: 'deals won with an amount' },
    boardable: true,
    compute: (f) => averageDealSize(f),
  }),
  kpi({
    key: 'sales_growth',
    label: 'Sales growth',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['growth', 'revenue growth'],
    formula: '(revenue this window − revenue previous window) ÷ revenue previous window',
    explanation: 'How much more (or less) you sold than in the previous window of the same length.',
    counts: `Deals won ${LOGGED}, in this window and in the one before it.`,
    // Growth from a small base is huge and says little: the "most improved" board ranks change fairly.
    boardable: false,
    compute: (f, label) => {
      if (f.previousRevenueCents === null) {
        return missing(
          `${label} needs the previous window's revenue: no won deals were logged or sent by your CRM before this window.`,
        );
      }
      return ratio(
        revenueCents(f) - f.previousRevenueCents,
        f.previousRevenueCents,
        'No revenue in the previous window to grow from.',
      );
    },
  }),
  kpi({
    key: 'quota_attainment',
    label: 'Quota attainment',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['quota', 'attainment', 'goal attainment', 'target attainment', 'goal progress'],
    formula: 'revenue ÷ revenue goal for the window',
    explanation: 'How far along you are towards your revenue goal for the window.',
    counts: `Deals won ${LOGGED} in the window, against the revenue goal set for it.`,
    boardable: true,
    compute: (f, label) => withQuota(f, label, (quota) => ok(revenueCents(f) / quota)),
  }),
  kpi({
    key: 'pipeline_value',
    label: 'Pipeline value',
    unit: 'currency',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['pipeline', 'open pipeline', 'pipe value', 'open deals value'],
    formula: 'sum of the amounts of open deals',
    explanation: 'The money in the deals you still have open at the end of the window.',
    counts: 'Deals from your CRM (or `/kpi log deal`) still open at the end of the window, with their amounts.',
    boardable: true,
    compute: (f, label) => withSection(f, 'deals', label, (d) => ok(d.openAmountCents)),
  }),
  kpi({
    key: 'pipeline_coverage',
    label: 'Pipeline coverage',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['coverage', 'pipe coverage', 'quota coverage'],
    formula: 'pipeline value ÷ (revenue goal − revenue so far)',
    explanation:
      'How many times your open deals cover what is left of your revenue goal: 300% means three times the amount still to win.',
    counts: 'Open deals from your CRM (or `/kpi log deal`), revenue won so far and the revenue goal for the window.',
    // A planning figure: past a healthy cover, more is not better, so it is not ranked.
    boardable: false,
    compute: (f, label) =>
      withQuota(f, label, (quota) =>
        withSection(f, 'deals', label, (d) => {
          const remaining = quota - revenueCents(f);
          return remaining > 0
            ? ok(d.openAmountCents / remaining)
            : insufficient('The revenue goal for this window is already met, so no quota is left to cover.');
        }),
      ),
  }),
  kpi({
    key: 'pipeline_velocity',
    label: 'Pipeline velocity',
    unit: 'currency_per_day',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['velocity', 'sales velocity', 'pipe velocity'],
    formula: '(open deals × win rate × average deal size) ÷ sales cycle length in days',
    explanation: 'The money flowing through your pipeline each day, if open deals close like the ones you closed.',
    counts:
      'Open deals and won-deal cycle lengths from your CRM (or `/kpi log deal`); win rate and deal size from deals won and lost in the window.',
    minSample: { count: closedDeals, min: MIN_DEALS, what: 'closed deals' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'deals', label, (d) =>
        combine([winRate(f), averageDealSize(f), salesCycleLength(f, label)], (rate, size, days) =>
          ratio(
            d.openCount * rate * size,
            days,
            'Won deals closed the day they opened, so there is no cycle length to spread them over.',
          ),
        ),
      ),
  }),
  kpi({
    key: 'sales_cycle_length',
    label: 'Sales cycle length',
    unit: 'days',
    direction: 'lower_is_better',
    group: 'outcome',
    aliases: ['sales cycle', 'cycle length', 'cycle time', 'days to close', 'time to close'],
    formula: 'days from opened to won, summed over deals won ÷ deals won',
    explanation: 'How many days a won deal took on average, from the day it was opened to the day it closed.',
    counts: 'Deals from your CRM (or `/kpi log deal`) won in the window, with their open and close dates.',
    minSample: { count: (f) => f.deals?.wonCount ?? 0, min: MIN_DEALS, what: 'deals won' },
    boardable: true,
    compute: (f, label) => salesCycleLength(f, label),
  }),
  kpi({
    key: 'stage_conversion',
    label: 'Stage conversion',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['stage conversion rate', 'funnel conversion', 'pipeline conversion'],
    // One comparable number per rep: the whole funnel, first stage to last. The weak step for
    // coaching shows up in the step rates (connect, meeting, qualification, pass, pipe rate).
    formula: 'deals entering the last pipeline stage ÷ deals entering the first stage',
    explanation:
      'Deals reaching the last stage of your pipeline for every deal entering its first stage, in the window. It counts entries in the window, so a deal that started earlier counts only at the stages it reached now.',
    counts:
      'Stage changes of deals from your CRM in the window, counted once per deal and stage, in the pipeline order.',
    minSample: { count: (f) => f.deals?.stageEntries[0]?.deals ?? 0, min: MIN_DEALS, what: 'deals in the first stage' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'deals', label, ({ stageEntries }) => {
        const first = stageEntries[0];
        const last = stageEntries.at(-1);
        if (!first || !last || first === last) {
          return insufficient('Stage conversion needs a pipeline with at least two stages.');
        }
        return ratio(last.deals, first.deals, `No deals entered the first stage (${first.stage}) in this window.`);
      }),
  }),
  kpi({
    key: 'retention_rate',
    label: 'Customer retention rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['retention', 'customer retention', 'customer retention rate'],
    formula: 'customers at the start still customers at the end ÷ customers at the start',
    explanation: 'Of the customers you had when the window began, the share still with you when it ended.',
    counts: 'Customer records from your CRM: when each became a customer and, if so, when they left.',
    minSample: { count: (f) => f.customers?.atStart ?? 0, min: MIN_CUSTOMERS, what: 'customers at the start' },
    boardable: true,
    compute: (f, label) => retentionRate(f, label),
  }),
  kpi({
    key: 'churn_rate',
    label: 'Churn rate',
    unit: 'percent',
    direction: 'lower_is_better',
    group: 'outcome',
    aliases: ['churn', 'customer churn', 'attrition'],
    formula: '1 − retention rate',
    explanation: 'Of the customers you had when the window began, the share who left by its end.',
    counts: 'Customer records from your CRM: when each became a customer and, if so, when they left.',
    // The mirror of retention: ranking both would show the same order twice.
    boardable: false,
    compute: (f, label) => combine([retentionRate(f, label)], (retention) => ok(1 - retention)),
  }),
  kpi({
    key: 'upsell_rate',
    label: 'Upsell / cross-sell rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['upsell', 'cross sell', 'cross sell rate', 'upsell rate', 'expansion rate'],
    formula: 'existing customers who bought more ÷ customers at the start',
    explanation: 'Of the customers you had when the window began, the share who bought more (an upsell or cross-sell).',
    counts: 'Customer records and their upsell or cross-sell deals won in the window, from your CRM.',
    minSample: { count: (f) => f.customers?.atStart ?? 0, min: MIN_CUSTOMERS, what: 'customers at the start' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'customers', label, (c) =>
        ratio(c.upsold, c.atStart, 'There were no customers at the start of this window.'),
      ),
  }),
  kpi({
    key: 'cac',
    label: 'Customer acquisition cost (CAC)',
    unit: 'currency',
    direction: 'lower_is_better',
    group: 'outcome',
    aliases: ['customer acquisition cost', 'acquisition cost', 'cost per customer'],
    formula: 'sales and marketing spend ÷ new customers won',
    explanation: 'What it cost in sales and marketing spend to win each new customer in the window.',
    counts: 'Sales and marketing spend entered by a manager or sent by webhook, and new customers from your CRM.',
    // Spend is recorded for the workspace, not per rep.
    boardable: false,
    compute: (f) => {
      if (f.spendCents === null) {
        return missing(
          'CAC needs sales and marketing spend: none has been recorded yet. A manager can enter it, or send it by webhook.',
        );
      }
      const spend = f.spendCents;
      return withSection(f, 'customers', 'CAC', (c) =>
        ratio(spend, c.newCustomers, 'No new customers were won in this window.'),
      );
    },
  }),
  kpi({
    key: 'clv',
    label: 'Customer lifetime value (CLV)',
    unit: 'currency',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['cltv', 'ltv', 'lifetime value', 'customer lifetime value'],
    formula: 'revenue ever won from customers ÷ customers with any revenue',
    explanation: 'What a customer has brought in on average over the whole relationship so far.',
    counts: 'All won deals linked to customer records from your CRM, since the customer was won.',
    // A whole-book figure that grows with tenure, not a fair race between reps.
    boardable: false,
    compute: (f, label) =>
      withSection(f, 'customers', label, (c) =>
        ratio(c.lifetimeRevenueCents, c.customersWithRevenue, 'No customer has any won revenue yet.'),
      ),
  }),
  kpi({
    key: 'profit_margin',
    label: 'Profit margin',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'outcome',
    aliases: ['margin', 'profit', 'gross margin', 'profit margin per rep'],
    formula: '(revenue − cost of goods and discounts) ÷ revenue, over won deals that carry a cost',
    explanation: 'Of the money from your won deals, the share left after cost of goods and discounts.',
    counts: 'Deals from your CRM won in the window that carry a cost; deals without cost data are left out.',
    minSample: { count: (f) => f.deals?.wonWithCostCount ?? 0, min: MIN_DEALS, what: 'won deals with a cost' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'deals', label, (d) =>
        ratio(
          d.wonWithCostAmountCents - d.wonWithCostCostCents,
          d.wonWithCostAmountCents,
          'None of the deals won in this window carry cost data; send a cost with deals from your CRM to see it.',
        ),
      ),
  }),
];

const TEAM_KPIS: readonly KpiDefinition[] = [
  kpi({
    key: 'revenue_per_rep',
    label: 'Revenue per rep',
    unit: 'currency',
    direction: 'higher_is_better',
    group: 'team',
    aliases: ['revenue per head', 'sales per rep'],
    formula: 'team revenue ÷ number of reps',
    explanation: "The team's revenue shared out evenly over its reps.",
    counts: `Deals won ${LOGGED} in the window, and the reps the figures cover.`,
    // For one rep it equals revenue; it compares teams, not people.
    boardable: false,
    compute: (f) => ratio(revenueCents(f), f.repCount, 'No reps are covered by these figures.'),
  }),
];

const ACTIVITY_KPIS: readonly KpiDefinition[] = [
  activityCount('calls', 'call', 'How many calls (dials) you made.'),
  activityCount('conversations', 'conversation', 'How many real conversations you had with a prospect.'),
  activityCount('emails', 'email', 'How many prospecting and sales emails you sent.'),
  activityCount('meetings', 'meeting', 'How many meetings you booked.'),
  activityCount('demos', 'demo', 'How many demos you gave.'),
  activityCount('follow_ups', 'follow_up', 'How many follow-ups you made on open deals and leads.'),
  activityCount('proposals', 'proposal', 'How many proposals or quotes you sent.'),
  activityCount('leads', 'lead', 'How many new leads you logged.'),
  activityCount('qualified', 'qualified', 'How many leads you fully qualified and passed on.'),
  activityRatio({
    key: 'connect_rate',
    label: 'Connect rate',
    direction: 'higher_is_better',
    aliases: ['connection rate', 'dial to connect', 'call connect rate'],
    explanation: 'Of your calls, the share that turned into a real conversation.',
    boardable: true,
    numerator: 'conversation',
    denominator: ['call'],
  }),
  activityRatio({
    key: 'meeting_rate',
    label: 'Meeting rate',
    direction: 'higher_is_better',
    aliases: ['meetings booked rate', 'conversation to meeting', 'booking rate'],
    explanation: 'Of your conversations, the share that ended with a meeting booked.',
    boardable: true,
    numerator: 'meeting',
    denominator: ['conversation'],
  }),
  activityRatio({
    key: 'qualification_rate',
    label: 'Qualification rate',
    direction: 'higher_is_better',
    aliases: ['meeting to qualified', 'meeting to sql', 'sql rate'],
    explanation: 'Of your booked meetings, the share that produced a fully qualified lead.',
    boardable: true,
    numerator: 'qualified',
    denominator: ['meeting'],
  }),
  activityRatio({
    key: 'reach_rate',
    label: 'Reach rate',
    direction: 'higher_is_better',
    aliases: ['reach', 'decision maker reach'],
    explanation: 'Meaningful conversations with a decision-maker for every outbound call or email.',
    benchmark: benchmark(
      'Best-in-class reps reach at least 35, on average 40, decision-makers per 100 outbound activities.',
      'salesKpisArticle',
    ),
    boardable: true,
    numerator: 'conversation',
    denominator: ['call', 'email'],
  }),
  activityRatio({
    key: 'pass_rate',
    label: 'Pass rate',
    direction: 'higher_is_better',
    aliases: ['pass through rate', 'conversation to qualified'],
    explanation:
      'Of your meaningful conversations, the share that became a fully qualified lead passed to an account executive.',
    benchmark: benchmark(
      'An experienced rep passes about 11 of every 100 meaningful conversations.',
      'salesKpisArticle',
    ),
    boardable: true,
    numerator: 'qualified',
    denominator: ['conversation'],
  }),
  activityRatio({
    key: 'no_show_rate',
    label: 'No-show rate',
    direction: 'lower_is_better',
    aliases: ['no show', 'no shows', 'noshow rate', 'no show ratio'],
    explanation: 'Of your booked meetings, the share the prospect did not attend.',
    benchmark: benchmark(
      'Of leads whose meeting the seller rescheduled, about 4 in 5 are never heard from again: confirm, and keep the time.',
      'salesKpisArticle',
    ),
    // Much of it is the prospect's doing; a public ranking would blame the rep for it.
    boardable: false,
    numerator: 'no_show',
    denominator: ['meeting'],
  }),
];

const LEAD_KPIS: readonly KpiDefinition[] = [
  kpi({
    key: 'pipe_rate',
    label: 'Pipe rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: ['qualified to deal', 'qualified to forecast', 'forecast rate'],
    formula: 'qualified leads that became a deal ÷ qualified leads',
    explanation: 'Of the leads fully qualified in the window, the share that ended up as a deal on the forecast.',
    counts: 'Leads from your CRM created in the window: whether each was qualified and became a deal.',
    benchmark: benchmark(
      'The best development teams get about 73% of qualified leads onto the forecast; no-shows are its biggest enemy.',
      'salesKpisArticle',
    ),
    minSample: { count: (f) => f.leads?.qualified ?? 0, min: MIN_LEADS, what: 'qualified leads' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'leads', label, (l) =>
        ratio(l.qualifiedToDeal, l.qualified, 'None of the leads created in this window was qualified.'),
      ),
  }),
  kpi({
    key: 'lead_response_time',
    label: 'Lead response time',
    unit: 'minutes',
    direction: 'lower_is_better',
    group: 'activity',
    aliases: ['response time', 'speed to lead', 'lead response', 'first response time'],
    formula: 'median minutes from a lead coming in to your first response',
    explanation:
      'How long a new lead typically waits for your first reply. The median, so one forgotten lead does not hide a fast week.',
    counts: 'Leads from your CRM created in the window, with when they came in and when you first responded.',
    benchmark: benchmark(
      'Responding within one hour makes qualifying a lead about 7× more likely than waiting longer.',
      'leadResponseStudy',
    ),
    minSample: { count: (f) => f.leads?.responded ?? 0, min: MIN_LEADS, what: 'leads answered' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'leads', label, (l) =>
        l.responseMinutesMedian === null
          ? insufficient('None of the leads created in this window has had a first response yet.')
          : ok(l.responseMinutesMedian),
      ),
  }),
  kpi({
    key: 'responded_within_hour',
    label: 'Leads answered within an hour',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: ['within an hour', 'within hour', 'responded within an hour', 'fast responses', 'speed to lead share'],
    formula: 'leads with a first response within one hour ÷ leads created',
    explanation:
      'Of the new leads in the window, the share you answered within an hour. Unanswered leads count as late.',
    counts: 'Leads from your CRM created in the window, with when they came in and when you first responded.',
    benchmark: benchmark(
      'Responding within one hour makes qualifying a lead about 7× more likely than waiting longer.',
      'leadResponseStudy',
    ),
    minSample: { count: (f) => f.leads?.created ?? 0, min: MIN_LEADS, what: 'leads' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'leads', label, (l) =>
        ratio(l.respondedWithinHour, l.created, 'No leads were created in this window.'),
      ),
  }),
  kpi({
    key: 'touchpoints_per_prospect',
    label: 'Touchpoints per prospect',
    unit: 'count',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: ['touchpoints', 'touches per lead', 'touchpoints per lead', 'touches'],
    formula: 'activities logged against new leads in their first 28 days ÷ leads created',
    explanation: 'How many times, on average, you reached out to each new lead in its first four weeks.',
    counts: `Activities ${LOGGED} against leads created in the window, within 28 days of each lead coming in.`,
    benchmark: benchmark(
      'High-growth companies average about 16 touchpoints per prospect within 2–4 weeks.',
      'salesWriting',
    ),
    minSample: { count: (f) => f.leads?.created ?? 0, min: MIN_LEADS, what: 'leads' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'leads', label, (l) => ratio(l.touchpoints, l.created, 'No leads were created in this window.')),
  }),
  kpi({
    key: 'lead_to_mql',
    label: 'Lead → MQL rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: ['lead to mql rate', 'mql rate', 'marketing qualified rate'],
    formula: 'marketing-qualified leads ÷ leads created',
    explanation:
      'Of the new leads in the window, the share marketing qualified. Tells whether marketing and sales agree on a good lead.',
    counts: 'Leads from your CRM created in the window, and whether each became marketing-qualified.',
    // A marketing-side rate: shown on scorecards, not a race between reps.
    boardable: false,
    compute: (f, label) =>
      withSection(f, 'leads', label, (l) => ratio(l.mql, l.created, 'No leads were created in this window.')),
  }),
  kpi({
    key: 'mql_to_opportunity',
    label: 'MQL → opportunity rate',
    unit: 'percent',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: ['mql to opportunity rate', 'mql to deal', 'mql to opp', 'mql conversion'],
    formula: 'marketing-qualified leads that became a deal ÷ marketing-qualified leads',
    explanation:
      'Of the marketing-qualified leads in the window, the share that became a deal. Tells whether marketing and sales agree on a good lead.',
    counts: 'Leads from your CRM created in the window: whether each became marketing-qualified, then a deal.',
    boardable: false,
    compute: (f, label) =>
      withSection(f, 'leads', label, (l) =>
        ratio(l.mqlToDeal, l.mql, 'None of the leads created in this window became marketing-qualified.'),
      ),
  }),
];

const DEAL_ACTIVITY_KPIS: readonly KpiDefinition[] = [
  kpi({
    key: 'follow_ups_per_dropped_deal',
    label: 'Follow-ups per dropped deal',
    unit: 'count',
    direction: 'higher_is_better',
    group: 'activity',
    aliases: ['follow ups per lost deal', 'followups per dropped deal', 'persistence'],
    formula: 'follow-ups logged against deals lost ÷ deals lost',
    explanation: 'How many follow-ups a deal got, on average, before it was dropped as lost.',
    counts: 'Follow-ups logged against deals from your CRM (or `/kpi log deal`) that were lost in the window.',
    benchmark: benchmark(
      'About half of sales come after the fifth follow-up, yet 44% of sellers give up after one.',
      'salesWriting',
    ),
    minSample: { count: (f) => f.deals?.lostCount ?? 0, min: MIN_DEALS, what: 'deals lost' },
    boardable: true,
    compute: (f, label) =>
      withSection(f, 'deals', label, (d) =>
        ratio(d.lostDealFollowUps, d.lostCount, 'No CRM deals were lost in this window.'),
      ),
  }),
];

export const KPIS: readonly KpiDefinition[] = [
  ...OUTCOME_KPIS,
  ...TEAM_KPIS,
  ...ACTIVITY_KPIS,
  ...LEAD_KPIS,
  ...DEAL_ACTIVITY_KPIS,
];

// ---------------------------------------------------------------------------------------------
// Lookup

/** 'Win-Rate', ' win_rate ' and 'win  rate' all read as 'win rate'. */
function normaliseName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_\s]+/g, ' ')
    .trim();
}

const BY_NAME = new Map<string, KpiDefinition>(
  KPIS.flatMap((def) => def.aliases.map((alias) => [normaliseName(alias), def] as const)),
);
const BY_KEY = new Map<string, KpiDefinition>(KPIS.map((def) => [def.key, def]));

export function findKpi(nameOrAlias: string): KpiDefinition | undefined {
  return BY_NAME.get(normaliseName(nameOrAlias));
}

export function getKpi(key: string): KpiDefinition {
  const def = BY_KEY.get(key);
  if (!def) throw new Error(`Unknown KPI key: ${key}`);
  return def;
}

export function computeAll(facts: KpiFacts): Record<string, KpiResult> {
  return Object.fromEntries(KPIS.map((def) => [def.key, def.compute(facts)]));
}

/** Whether a subject has enough data behind a ratio to be ranked by it (always, for plain sums). */
export function meetsMinSample(def: KpiDefinition, facts: KpiFacts): boolean {
  return !def.minSample || def.minSample.count(facts) >= def.minSample.min;
}

// ---------------------------------------------------------------------------------------------
// Formatting

const MILLION = 1_000_000;

/**
 * Building an `Intl.NumberFormat` costs far more than formatting with one, and a day's nudges format
 * thousands of figures in a handful of styles: each style is built once.
 */
const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = JSON.stringify(options);
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat('en-US', options);
    formats.set(key, format);
  }
  return format;
}

function formatNumber(value: number, maxFractionDigits: number): string {
  return numberFormat({ maximumFractionDigits: maxFractionDigits }).format(value);
}

/** '35%', and '4.5%' below 10% where a decimal still matters. */
function formatPercent(fraction: number): string {
  const digits = Math.abs(fraction) < 0.1 ? 1 : 0;
  return numberFormat({ style: 'percent', maximumFractionDigits: digits }).format(fraction);
}

/** Minor units to '$12,500' (whole units) or '$1.2M'; the currency decides how many minor units make one. */
function formatMoney(minorUnits: number, currency: string): string {
  const minorDigits = numberFormat({ style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  const amount = minorUnits / 10 ** (minorDigits ?? 2);
  // Whole units are shown, so decide on the rounded amount: $999,999.99 shows as $1M, not $1,000,000.
  const whole = Math.round(amount);
  const compact = Math.abs(whole) >= MILLION;
  return numberFormat({
    style: 'currency',
    currency,
    notation: compact ? 'compact' : 'standard',
    minimumFractionDigits: 0,
    maximumFractionDigits: compact ? 1 : 0,
  }).format(whole);
}

export function formatKpiValue(def: KpiDefinition, value: number, currency = 'USD'): string {
  switch (def.unit) {
    case 'currency':
      return formatMoney(value, currency);
    case 'currency_per_day':
      return `${formatMoney(value, currency)}/day`;
    case 'percent':
      return formatPercent(value);
    case 'days': {
      const days = formatNumber(value, 1);
      return `${days} ${days === '1' ? 'day' : 'days'}`;
    }
    case 'minutes':
      return `${formatNumber(value, 0)} min`;
    case 'count':
      return formatNumber(value, 1);
  }
}

/** Rounded to a tenth, as shown: a change too small to show reads as no change. */
const toTenth = (value: number): number => Math.round(value * 10) / 10;

/**
 * '▲ 12%' (relative change), '▼ 3 pts' (percentage points, for percent units), '— no change', or
 * 'new' when there was nothing before. The arrow tells which way the number moved, not whether that
 * is good: `isImprovement` says that.
 */
export function formatChange(def: KpiDefinition, current: number, previous: number): string {
  const noChange = '— no change';
  if (current === previous) return noChange;
  const arrow = current > previous ? '▲' : '▼';
  if (def.unit === 'percent') {
    // Percentages change in points: 20% → 23% is 3 points, not 15%.
    const points = toTenth(Math.abs(current - previous) * 100);
    return points === 0 ? noChange : `${arrow} ${formatNumber(points, 1)} ${points === 1 ? 'pt' : 'pts'}`;
  }
  if (previous === 0) return 'new';
  const percent = toTenth((Math.abs(current - previous) / Math.abs(previous)) * 100);
  return percent === 0 ? noChange : `${arrow} ${formatPercent(percent / 100)}`;
}

export function isImprovement(def: KpiDefinition, current: number, previous: number): boolean | null {
  if (current === previous) return null;
  return def.direction === 'higher_is_better' ? current > previous : current < previous;
}
