import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import {
  BENCHMARK_SOURCES,
  computeAll,
  findKpi,
  formatChange,
  formatKpiValue,
  getKpi,
  isImprovement,
  KPIS,
  type KpiResult,
  meetsMinSample,
} from '../../src/kpi/catalogue.js';
import type { ActivityTotals, CustomerFacts, DealFacts, KpiFacts, LeadFacts } from '../../src/kpi/facts.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: one team window with every section filled, and one with nothing ever sent.

function activities(
  counts: Partial<Record<ActivityKind, number>>,
  amounts: Partial<Record<ActivityKind, number>> = {},
) {
  const totals: ActivityTotals = {};
  for (const [kind, quantity] of Object.entries(counts) as [ActivityKind, number][]) {
    totals[kind] = { quantity, amountCents: amounts[kind] ?? 0 };
  }
  return totals;
}

const DEALS: DealFacts = {
  openCount: 10,
  openAmountCents: 5_000_000,
  wonCount: 4,
  lostCount: 6,
  wonCycleDaysSum: 120,
  wonWithCostCount: 2,
  wonWithCostAmountCents: 1_000_000,
  wonWithCostCostCents: 600_000,
  lostDealFollowUps: 12,
  stageEntries: [
    { stage: 'Discovery', deals: 40 },
    { stage: 'Demo', deals: 20 },
    { stage: 'Proposal', deals: 10 },
  ],
};

const LEADS: LeadFacts = {
  created: 20,
  responded: 16,
  respondedWithinHour: 10,
  responseMinutesMedian: 45,
  mql: 12,
  mqlToDeal: 3,
  qualified: 8,
  qualifiedToDeal: 6,
  touchpoints: 240,
};

const CUSTOMERS: CustomerFacts = {
  atStart: 50,
  retainedAtEnd: 45,
  upsold: 5,
  newCustomers: 4,
  lifetimeRevenueCents: 30_000_000,
  customersWithRevenue: 60,
};

const RICH: KpiFacts = {
  activities: activities(
    {
      call: 80,
      conversation: 30,
      email: 40,
      meeting: 12,
      no_show: 3,
      demo: 6,
      follow_up: 25,
      proposal: 5,
      lead: 20,
      qualified: 4,
      deal_won: 4,
      deal_lost: 6,
    },
    { deal_won: 2_000_000, deal_lost: 1_500_000 },
  ),
  previousRevenueCents: 1_600_000,
  deals: DEALS,
  leads: LEADS,
  customers: CUSTOMERS,
  spendCents: 1_000_000,
  quotaCents: 4_000_000,
  repCount: 4,
};

const EMPTY: KpiFacts = {
  activities: {},
  previousRevenueCents: null,
  deals: null,
  leads: null,
  customers: null,
  spendCents: null,
  quotaCents: null,
  repCount: 1,
};

const rich = (overrides: Partial<KpiFacts>): KpiFacts => ({ ...RICH, ...overrides });
const withDeals = (overrides: Partial<DealFacts>) => rich({ deals: { ...DEALS, ...overrides } });
const withLeads = (overrides: Partial<LeadFacts>) => rich({ leads: { ...LEADS, ...overrides } });
const withCustomers = (overrides: Partial<CustomerFacts>) => rich({ customers: { ...CUSTOMERS, ...overrides } });
const withActivities = (
  counts: Partial<Record<ActivityKind, number>>,
  amounts?: Partial<Record<ActivityKind, number>>,
) => rich({ activities: activities(counts, amounts) });

// ---------------------------------------------------------------------------------------------
// Expected results, computed by hand from RICH (arithmetic in the comments).

interface Expected {
  /** Value on RICH. */
  ok: number;
  /** Value when nothing was ever sent: plain sums are 0, never missing. */
  zeroOnEmpty?: true;
  missing?: [facts: KpiFacts, text: RegExp][];
  insufficient?: [facts: KpiFacts, reason: RegExp][];
}

const NO_DEALS_SENT = /needs deals from your CRM/;
const NO_LEADS_SENT = /needs leads from your CRM/;
const NO_CUSTOMERS_SENT = /needs customer records from your CRM/;
const NO_GOAL = /No revenue goal is set for this window\./;

const EXPECTED: Record<string, Expected> = {
  revenue: { ok: 2_000_000, zeroOnEmpty: true }, // sum of deal_won amounts
  deals_won: { ok: 4, zeroOnEmpty: true },
  win_rate: {
    ok: 0.4, // 4 won ÷ (4 won + 6 lost)
    insufficient: [[EMPTY, /No deals closed/]],
  },
  conversion_rate: {
    ok: 0.2, // 4 won ÷ 20 leads
    insufficient: [[EMPTY, /No leads logged/]],
  },
  avg_deal_size: {
    ok: 500_000, // 2,000,000 ÷ 4 won
    insufficient: [[withActivities({ deal_lost: 2 }), /No deals won/]],
  },
  sales_growth: {
    ok: 0.25, // (2,000,000 − 1,600,000) ÷ 1,600,000
    missing: [[EMPTY, /previous window's revenue/]],
    insufficient: [[rich({ previousRevenueCents: 0 }), /No revenue in the previous window/]],
  },
  quota_attainment: {
    ok: 0.5, // 2,000,000 ÷ 4,000,000
    missing: [[rich({ quotaCents: null }), NO_GOAL]],
    insufficient: [[rich({ quotaCents: 0 }), /goal for this window is zero/]],
  },
  pipeline_value: {
    ok: 5_000_000, // open amount
    missing: [[rich({ deals: null }), NO_DEALS_SENT]],
  },
  pipeline_coverage: {
    ok: 2.5, // 5,000,000 ÷ (4,000,000 − 2,000,000)
    missing: [
      [rich({ quotaCents: null }), NO_GOAL],
      [rich({ deals: null }), NO_DEALS_SENT],
    ],
    insufficient: [[rich({ quotaCents: 2_000_000 }), /already met/]],
  },
  pipeline_velocity: {
    ok: 200_000_000 / 3_000, // (10 open × 0.4 × 500,000) ÷ (120 days ÷ 4) = 2,000,000 ÷ 30 ≈ 66,666.67 per day
    missing: [[rich({ deals: null }), NO_DEALS_SENT]],
    insufficient: [
      [withActivities({ call: 5 }), /No deals closed/], // no win rate
      [withDeals({ wonCycleDaysSum: 0 }), /closed the day they opened/], // cycle of 0 days
    ],
  },
  sales_cycle_length: {
    ok: 30, // 120 days ÷ 4 won
    missing: [[rich({ deals: null }), NO_DEALS_SENT]],
    insufficient: [[withDeals({ wonCount: 0, wonCycleDaysSum: 0 }), /No CRM deals were won/]],
  },
  stage_conversion: {
    ok: 0.25, // 10 reached Proposal ÷ 40 entered Discovery
    missing: [[rich({ deals: null }), NO_DEALS_SENT]],
    insufficient: [
      [withDeals({ stageEntries: [{ stage: 'Only', deals: 5 }] }), /at least two stages/],
      [withDeals({ stageEntries: [] }), /at least two stages/],
      [
        withDeals({
          stageEntries: [
            { stage: 'Discovery', deals: 0 },
            { stage: 'Won', deals: 0 },
          ],
        }),
        /No deals entered the first stage \(Discovery\)/,
      ],
    ],
  },
  retention_rate: {
    ok: 0.9, // 45 retained ÷ 50 at start
    missing: [[rich({ customers: null }), NO_CUSTOMERS_SENT]],
    insufficient: [[withCustomers({ atStart: 0, retainedAtEnd: 0 }), /no customers at the start/]],
  },
  churn_rate: {
    ok: 0.1, // 1 − 0.9
    missing: [[rich({ customers: null }), NO_CUSTOMERS_SENT]],
    insufficient: [[withCustomers({ atStart: 0, retainedAtEnd: 0 }), /no customers at the start/]],
  },
  upsell_rate: {
    ok: 0.1, // 5 upsold ÷ 50 at start
    missing: [[rich({ customers: null }), NO_CUSTOMERS_SENT]],
    insufficient: [[withCustomers({ atStart: 0, upsold: 0 }), /no customers at the start/]],
  },
  cac: {
    ok: 250_000, // 1,000,000 spend ÷ 4 new customers
    missing: [
      [rich({ spendCents: null }), /CAC needs sales and marketing spend: none has been recorded yet/],
      [rich({ customers: null }), NO_CUSTOMERS_SENT],
    ],
    insufficient: [[withCustomers({ newCustomers: 0 }), /No new customers/]],
  },
  clv: {
    ok: 500_000, // 30,000,000 lifetime ÷ 60 customers with revenue
    missing: [[rich({ customers: null }), NO_CUSTOMERS_SENT]],
    insufficient: [[withCustomers({ lifetimeRevenueCents: 0, customersWithRevenue: 0 }), /No customer has any/]],
  },
  profit_margin: {
    ok: 0.4, // (1,000,000 − 600,000) ÷ 1,000,000
    missing: [[rich({ deals: null }), NO_DEALS_SENT]],
    insufficient: [
      [withDeals({ wonWithCostCount: 0, wonWithCostAmountCents: 0, wonWithCostCostCents: 0 }), /carry cost data/],
    ],
  },
  revenue_per_rep: {
    ok: 500_000, // 2,000,000 ÷ 4 reps
    zeroOnEmpty: true,
    insufficient: [[rich({ repCount: 0 }), /No reps/]],
  },
  calls: { ok: 80, zeroOnEmpty: true },
  conversations: { ok: 30, zeroOnEmpty: true },
  emails: { ok: 40, zeroOnEmpty: true },
  meetings: { ok: 12, zeroOnEmpty: true },
  demos: { ok: 6, zeroOnEmpty: true },
  follow_ups: { ok: 25, zeroOnEmpty: true },
  proposals: { ok: 5, zeroOnEmpty: true },
  leads: { ok: 20, zeroOnEmpty: true },
  qualified: { ok: 4, zeroOnEmpty: true },
  connect_rate: { ok: 0.375, insufficient: [[EMPTY, /No calls logged/]] }, // 30 ÷ 80
  meeting_rate: { ok: 0.4, insufficient: [[EMPTY, /No conversations logged/]] }, // 12 ÷ 30
  qualification_rate: { ok: 4 / 12, insufficient: [[EMPTY, /No meetings logged/]] }, // 4 ÷ 12
  reach_rate: { ok: 0.25, insufficient: [[EMPTY, /No calls or emails logged/]] }, // 30 ÷ (80 + 40)
  pass_rate: { ok: 4 / 30, insufficient: [[EMPTY, /No conversations logged/]] }, // 4 ÷ 30
  no_show_rate: { ok: 0.25, insufficient: [[EMPTY, /No meetings logged/]] }, // 3 ÷ 12
  pipe_rate: {
    ok: 0.75, // 6 became a deal ÷ 8 qualified
    missing: [[EMPTY, NO_LEADS_SENT]],
    insufficient: [[withLeads({ qualified: 0, qualifiedToDeal: 0 }), /was qualified/]],
  },
  lead_response_time: {
    ok: 45, // median as given
    missing: [[EMPTY, NO_LEADS_SENT]],
    insufficient: [
      [withLeads({ responded: 0, respondedWithinHour: 0, responseMinutesMedian: null }), /first response/],
    ],
  },
  responded_within_hour: {
    ok: 0.5, // 10 within the hour ÷ 20 created (unanswered leads count as late)
    missing: [[EMPTY, NO_LEADS_SENT]],
    insufficient: [[withLeads({ created: 0 }), /No leads were created/]],
  },
  touchpoints_per_prospect: {
    ok: 12, // 240 touchpoints ÷ 20 leads
    missing: [[EMPTY, NO_LEADS_SENT]],
    insufficient: [[withLeads({ created: 0 }), /No leads were created/]],
  },
  lead_to_mql: {
    ok: 0.6, // 12 MQL ÷ 20 created
    missing: [[EMPTY, NO_LEADS_SENT]],
    insufficient: [[withLeads({ created: 0 }), /No leads were created/]],
  },
  mql_to_opportunity: {
    ok: 0.25, // 3 became a deal ÷ 12 MQL
    missing: [[EMPTY, NO_LEADS_SENT]],
    insufficient: [[withLeads({ mql: 0, mqlToDeal: 0 }), /marketing-qualified/]],
  },
  follow_ups_per_dropped_deal: {
    ok: 2, // 12 follow-ups ÷ 6 lost
    missing: [[EMPTY, NO_DEALS_SENT]],
    insufficient: [[withDeals({ lostCount: 0, lostDealFollowUps: 0 }), /No CRM deals were lost/]],
  },
};

const KEYS = KPIS.map((def) => def.key);

function expectOk(result: KpiResult | undefined): number {
  if (result?.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.value;
}

describe('catalogue coverage', () => {
  it('has an expectation for every KPI, and no expectation for a KPI that does not exist', () => {
    expect([...KEYS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('holds every KPI of the field notes', () => {
    const fromFieldNotes = [
      'revenue',
      'deals_won',
      'win_rate',
      'conversion_rate',
      'avg_deal_size',
      'sales_growth',
      'quota_attainment',
      'pipeline_value',
      'pipeline_coverage',
      'pipeline_velocity',
      'sales_cycle_length',
      'stage_conversion',
      'retention_rate',
      'churn_rate',
      'upsell_rate',
      'cac',
      'clv',
      'profit_margin',
      'revenue_per_rep',
      'calls',
      'conversations',
      'emails',
      'meetings',
      'demos',
      'follow_ups',
      'proposals',
      'leads',
      'qualified',
      'connect_rate',
      'meeting_rate',
      'qualification_rate',
      'reach_rate',
      'pass_rate',
      'pipe_rate',
      'no_show_rate',
      'lead_response_time',
      'responded_within_hour',
      'touchpoints_per_prospect',
      'follow_ups_per_dropped_deal',
      'lead_to_mql',
      'mql_to_opportunity',
    ];
    expect(KEYS).toEqual(expect.arrayContaining(fromFieldNotes));
    expect(new Set(KEYS).size).toBe(KEYS.length);
  });

  it('describes every KPI in words: label, formula, explanation, what it counts', () => {
    for (const def of KPIS) {
      expect(def.key).toMatch(/^[a-z]+(_[a-z]+)*$/);
      for (const text of [def.label, def.formula, def.explanation, def.counts])
        expect(text.trim().length).toBeGreaterThan(3);
    }
  });
});

describe.each(KEYS)('%s', (key) => {
  const def = getKpi(key);
  const expected = EXPECTED[key] as Expected;

  it('computes the hand-computed value', () => {
    expect(expectOk(def.compute(RICH))).toBeCloseTo(expected.ok, 9);
  });

  it('is never NaN or infinite, even with no data at all', () => {
    const result = def.compute(EMPTY);
    if (result.status === 'ok') expect(Number.isFinite(result.value)).toBe(true);
  });

  if (expected.zeroOnEmpty) {
    it('is 0, not missing, when nothing was logged', () => {
      expect(def.compute(EMPTY)).toEqual({ status: 'ok', value: 0 });
    });
  }

  for (const [facts, text] of expected.missing ?? []) {
    it(`is missing: ${text.source}`, () => {
      const result = def.compute(facts);
      expect(result.status).toBe('missing');
      expect(result.status === 'missing' && result.missing).toMatch(text);
    });
  }

  for (const [facts, reason] of expected.insufficient ?? []) {
    it(`is insufficient: ${reason.source}`, () => {
      const result = def.compute(facts);
      expect(result.status).toBe('insufficient');
      expect(result.status === 'insufficient' && result.reason).toMatch(reason);
    });
  }
});

describe('results that mix sources', () => {
  it('sales growth can be negative', () => {
    // (2,000,000 − 4,000,000) ÷ 4,000,000 = −0.5
    expect(getKpi('sales_growth').compute(rich({ previousRevenueCents: 4_000_000 }))).toEqual({
      status: 'ok',
      value: -0.5,
    });
  });

  it('pipeline coverage asks for the goal before the deals when both are missing', () => {
    const result = getKpi('pipeline_coverage').compute(rich({ quotaCents: null, deals: null }));
    expect(result.status === 'missing' && result.missing).toMatch(NO_GOAL);
  });

  it('win rate and revenue read logged activities, not the CRM deals table', () => {
    // The deals table says 4 won / 6 lost; the activities say 1 won / 1 lost → 1 ÷ 2.
    const facts = withActivities({ deal_won: 1, deal_lost: 1 }, { deal_won: 700_000 });
    expect(expectOk(getKpi('win_rate').compute(facts))).toBe(0.5);
    expect(expectOk(getKpi('revenue').compute(facts))).toBe(700_000);
  });

  it('computeAll returns one result per KPI, equal to its own compute', () => {
    const all = computeAll(RICH);
    expect(Object.keys(all)).toEqual(KEYS);
    for (const def of KPIS) expect(all[def.key]).toEqual(def.compute(RICH));
  });

  it('a missing result names what is needed and where it comes from', () => {
    for (const [key, result] of Object.entries(computeAll(EMPTY))) {
      if (result.status !== 'missing') continue;
      expect(result.missing, key).toMatch(/CRM|goal|spend|webhook|\/kpi log/);
    }
  });
});

describe('aliases and lookup', () => {
  const allAliases = KPIS.flatMap((def) => def.aliases);

  it('are lower-case and include the key and the key with spaces', () => {
    for (const def of KPIS) {
      for (const alias of def.aliases) expect(alias).toBe(alias.toLowerCase());
      expect(def.aliases).toContain(def.key);
      expect(def.aliases).toContain(def.key.replaceAll('_', ' '));
    }
  });

  it('are unique across the catalogue', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const def of KPIS) {
      for (const alias of def.aliases) {
        if (seen.has(alias)) duplicates.push(`${alias} (${seen.get(alias)} and ${def.key})`);
        seen.set(alias, def.key);
      }
    }
    expect(duplicates).toEqual([]);
  });

  it('each alias finds its own KPI, so none collides once "-", "_" and spaces are alike', () => {
    for (const def of KPIS) for (const alias of def.aliases) expect(findKpi(alias)?.key, alias).toBe(def.key);
    expect(allAliases.length).toBeGreaterThan(KPIS.length * 2);
  });

  it.each([
    ['win rate', 'win_rate'],
    ['  Win-Rate ', 'win_rate'],
    ['WIN_RATE', 'win_rate'],
    ['win    rate', 'win_rate'],
    ['close rate', 'win_rate'],
    ['winrate', 'win_rate'],
    ['revenue', 'revenue'],
    ['sales', 'revenue'],
    ['Sales Volume', 'revenue'],
    ['dials', 'calls'],
    ['follow-ups', 'follow_ups'],
    ['follow ups', 'follow_ups'],
    ['speed to lead', 'lead_response_time'],
    ['no-show rate', 'no_show_rate'],
    ['CAC', 'cac'],
    ['ltv', 'clv'],
  ])('findKpi(%j) is %s', (name, key) => {
    expect(findKpi(name)?.key).toBe(key);
  });

  it('findKpi returns undefined for an unknown name', () => {
    expect(findKpi('happiness')).toBeUndefined();
    expect(findKpi('')).toBeUndefined();
    expect(findKpi('win rat')).toBeUndefined();
  });

  it('getKpi returns by key and throws for an unknown key', () => {
    expect(getKpi('win_rate').label).toBe('Win rate');
    expect(() => getKpi('win rate')).toThrow(/Unknown KPI key/);
  });
});

describe('average deal size', () => {
  const wins = (withoutAmount: number) =>
    rich({ activities: { deal_won: { quantity: 3, amountCents: 2_000_000, withoutAmount } } });

  it('averages over the wins that have an amount, and says how many had none', () => {
    expect(computeAll(wins(2)).avg_deal_size).toEqual({
      status: 'ok',
      value: 2_000_000,
      note: '2 of 3 deals won have no amount, so they are left out of the average.',
    });
    expect(computeAll(wins(0)).avg_deal_size).toEqual({ status: 'ok', value: 2_000_000 / 3 });
  });

  it('has no figure when no win has an amount, rather than 0', () => {
    const none = rich({ activities: { deal_won: { quantity: 2, amountCents: 0, withoutAmount: 2 } } });
    expect(computeAll(none).avg_deal_size).toEqual({
      status: 'insufficient',
      reason: 'None of the 2 deals won in this window has an amount: log them with one, e.g. `/kpi log deal won $5k`.',
    });
  });

  it('ranks on a board only by wins with an amount', () => {
    expect(meetsMinSample(getKpi('avg_deal_size'), wins(1))).toBe(false);
    expect(meetsMinSample(getKpi('avg_deal_size'), wins(0))).toBe(true);
  });
});

describe('benchmarks and fair ranking', () => {
  it('only the KPIs with a figure in the field notes carry a benchmark, citing its original source', () => {
    const figures: Record<string, RegExp[]> = {
      reach_rate: [/at least 35/, /40/, /per 100/],
      pass_rate: [/11 of every 100/],
      pipe_rate: [/73%/],
      no_show_rate: [/4 in 5/],
      lead_response_time: [/one hour/, /7×/],
      responded_within_hour: [/one hour/, /7×/],
      touchpoints_per_prospect: [/16 touchpoints/, /2–4 weeks/],
      follow_ups_per_dropped_deal: [/fifth follow-up/, /44%/],
    };
    const withBenchmark = KPIS.filter((def) => def.benchmark).map((def) => def.key);
    expect(withBenchmark.sort()).toEqual(Object.keys(figures).sort());
    for (const [key, patterns] of Object.entries(figures)) {
      const bench = getKpi(key).benchmark;
      for (const pattern of patterns) expect(bench?.text).toMatch(pattern);
    }
    const hbr =
      /Oldroyd, McElheran and Elkington, "The Short Life of Online Sales Leads", Harvard Business Review, March 2011/;
    const hubspot = /as quoted in .*"The Sales KPIs Every Rep Needs to Monitor".*HubSpot Sales Blog/;
    const unnamed = /widely repeated in sales writing; primary source not named/;
    const sources: Record<string, RegExp> = {
      reach_rate: hubspot,
      pass_rate: hubspot,
      pipe_rate: hubspot,
      no_show_rate: hubspot,
      lead_response_time: hbr,
      responded_within_hour: hbr,
      touchpoints_per_prospect: unnamed,
      follow_ups_per_dropped_deal: unnamed,
    };
    for (const [key, source] of Object.entries(sources)) expect(getKpi(key).benchmark?.source, key).toMatch(source);
  });

  it('cites only sources the field notes in docs/ name, word for word', () => {
    const notes = readFileSync(new URL('../../docs/kpi-field-notes.md', import.meta.url), 'utf8');
    for (const source of Object.values(BENCHMARK_SOURCES)) expect(notes).toContain(source);
    for (const def of KPIS) if (def.benchmark) expect(def.benchmark.source).toContain('docs/kpi-field-notes.md');
  });

  it('every ranked rate needs a minimum sample (the goal is the only denominator that is not a count)', () => {
    const rankedRates = KPIS.filter((def) => def.boardable && def.unit === 'percent' && def.key !== 'quota_attainment');
    for (const def of rankedRates) expect(def.minSample, def.key).toBeDefined();
  });

  it('meetsMinSample: win rate needs 3 closed deals; plain sums always qualify', () => {
    const winRate = getKpi('win_rate');
    expect(winRate.minSample?.count(RICH)).toBe(10); // 4 won + 6 lost
    expect(meetsMinSample(winRate, withActivities({ deal_won: 1, deal_lost: 1 }))).toBe(false);
    expect(meetsMinSample(winRate, withActivities({ deal_won: 1, deal_lost: 2 }))).toBe(true);
    expect(meetsMinSample(getKpi('revenue'), EMPTY)).toBe(true);
  });

  it('min samples count 0 when the section was never sent', () => {
    for (const def of KPIS) if (def.minSample) expect(def.minSample.count(EMPTY), def.key).toBe(0);
  });

  it('keeps a public board away from KPIs that are not a fair race between reps', () => {
    const notBoardable = KPIS.filter((def) => !def.boardable).map((def) => def.key);
    expect(notBoardable.sort()).toEqual(
      [
        'cac',
        'churn_rate',
        'clv',
        'lead_to_mql',
        'mql_to_opportunity',
        'no_show_rate',
        'pipeline_coverage',
        'revenue_per_rep',
        'sales_growth',
      ].sort(),
    );
  });
});

describe('formatKpiValue', () => {
  it.each([
    ['revenue', 1_250_000, undefined, '$12,500'],
    ['revenue', 123_456_789, undefined, '$1.2M'],
    ['revenue', 99_999_999, undefined, '$1M'], // $999,999.99 rounds to a million
    ['revenue', 0, undefined, '$0'],
    ['revenue', 1_250_000, 'EUR', '€12,500'],
    ['revenue', 123_456, 'JPY', '¥123,456'], // yen have no minor unit
    ['win_rate', 0.35, undefined, '35%'],
    ['win_rate', 0.045, undefined, '4.5%'],
    ['sales_growth', -0.25, undefined, '-25%'],
    ['sales_cycle_length', 4.5, undefined, '4.5 days'],
    ['sales_cycle_length', 1, undefined, '1 day'],
    ['lead_response_time', 42, undefined, '42 min'],
    ['calls', 12, undefined, '12'],
    ['calls', 1234, undefined, '1,234'],
    ['touchpoints_per_prospect', 16.44, undefined, '16.4'],
    ['pipeline_velocity', 83_000, undefined, '$830/day'],
  ])('%s %d %s → %s', (key, value, currency, text) => {
    expect(formatKpiValue(getKpi(key), value, currency)).toBe(text);
  });
});

describe('formatChange and isImprovement', () => {
  it.each([
    ['revenue', 112, 100, '▲ 12%'], // (112 − 100) ÷ 100
    ['revenue', 97, 100, '▼ 3%'],
    ['revenue', 100, 100, '— no change'],
    ['revenue', 100.01, 100, '— no change'], // 0.01% rounds away
    ['revenue', 500, 0, 'new'],
    ['win_rate', 0.32, 0.35, '▼ 3 pts'], // percentage points, not −8.6%
    ['win_rate', 0.21, 0.2, '▲ 1 pt'],
    ['win_rate', 0.2, 0, '▲ 20 pts'], // a rate from 0% is still a change in points
    ['win_rate', 0.4, 0.4, '— no change'],
    ['lead_response_time', 30, 60, '▼ 50%'], // the arrow follows the number, though it is better
  ])('%s %d vs %d → %s', (key, current, previous, text) => {
    expect(formatChange(getKpi(key), current, previous)).toBe(text);
  });

  it.each([
    ['revenue', 5, 3, true],
    ['revenue', 3, 5, false],
    ['revenue', 3, 3, null],
    ['lead_response_time', 30, 60, true],
    ['lead_response_time', 60, 30, false],
    ['churn_rate', 0.1, 0.1, null],
  ])('isImprovement(%s, %d, %d) is %s', (key, current, previous, improved) => {
    expect(isImprovement(getKpi(key), current, previous)).toBe(improved);
  });
});
