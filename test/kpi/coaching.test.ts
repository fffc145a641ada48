import { describe, expect, it } from 'vitest';
import type { ActivityKind } from '../../src/kpi/activity-kinds.js';
import { getKpi } from '../../src/kpi/catalogue.js';
import { COACHING_RULES, type CoachingTip, chooseCoaching } from '../../src/kpi/coaching.js';
import type { ActivityTotals, DealFacts, KpiFacts, LeadFacts } from '../../src/kpi/facts.js';

// ---------------------------------------------------------------------------------------------
// A healthy rep: every rule's figure is on the good side of its threshold, so no tip applies.

type Counts = Partial<Record<ActivityKind, number>>;

const HEALTHY_COUNTS: Counts = {
  call: 60,
  email: 40, // outbound 100
  conversation: 40, // reach 40 ÷ 100 = 40 per 100 (benchmark ≥ 35)
  meeting: 10,
  no_show: 1, // 1 ÷ 10 = 10% (tip at ≥ 20%)
  qualified: 5, // pass 5 ÷ 40 = 12.5% (benchmark 11%)
  deal_won: 3,
  deal_lost: 2, // win rate 3 ÷ 5 = 60%
};
const HEALTHY_WON_CENTS = 3_000_000; // average deal 3,000,000 ÷ 3 = $10,000

const HEALTHY_DEALS: DealFacts = {
  openCount: 5,
  openAmountCents: 5_000_000,
  wonCount: 3,
  lostCount: 3,
  wonCycleDaysSum: 60,
  wonWithCostCount: 0,
  wonWithCostAmountCents: 0,
  wonWithCostCostCents: 0,
  lostDealFollowUps: 18, // 18 ÷ 3 = 6 per dropped deal (benchmark: the fifth follow-up)
  stageEntries: [],
};

const HEALTHY_LEADS: LeadFacts = {
  created: 8,
  responded: 6,
  respondedWithinHour: 5,
  responseMinutesMedian: 30, // within the hour
  mql: 0,
  mqlToDeal: 0,
  qualified: 0,
  qualifiedToDeal: 0,
  touchpoints: 0,
};

interface RepChanges {
  counts?: Counts;
  wonCents?: number;
  deals?: Partial<DealFacts>;
  leads?: Partial<LeadFacts>;
}

function rep(changes: RepChanges = {}): KpiFacts {
  const counts = { ...HEALTHY_COUNTS, ...changes.counts };
  const activities: ActivityTotals = {};
  for (const [kind, quantity] of Object.entries(counts) as [ActivityKind, number][]) {
    activities[kind] = { quantity, amountCents: kind === 'deal_won' ? (changes.wonCents ?? HEALTHY_WON_CENTS) : 0 };
  }
  return {
    activities,
    previousRevenueCents: null,
    deals: { ...HEALTHY_DEALS, ...changes.deals },
    leads: { ...HEALTHY_LEADS, ...changes.leads },
    customers: null,
    spendCents: null,
    quotaCents: null,
    repCount: 1,
  };
}

function expectTip(chosen: CoachingTip | null, kpiKey: string): CoachingTip {
  expect(chosen?.kpiKey).toBe(kpiKey);
  if (!chosen) throw new Error('expected a tip');
  return chosen;
}

// ---------------------------------------------------------------------------------------------

describe('chooseCoaching: when nothing is wrong', () => {
  it('says nothing without a previous window to compare with', () => {
    expect(chooseCoaching(rep(), null)).toBeNull();
  });

  it('says nothing when nothing improved', () => {
    expect(chooseCoaching(rep(), rep())).toBeNull();
  });

  it("names the rep's biggest improvement on the previous window", () => {
    // Calls 40 → 60 is +50%; the extra dials lowered reach and connect rate, so calls is the best.
    const tip = expectTip(chooseCoaching(rep(), rep({ counts: { call: 40 } })), 'calls');
    expect(tip.text).toBe('Nice work: *Calls* went from 40 to 60 compared with the previous window.');
  });

  it('ranks improvements relatively, across units', () => {
    // Revenue and average deal size $7,500 → $10,000 is +33%; calls 50 → 60 is +20%.
    const previous = rep({ counts: { call: 50 }, wonCents: 2_250_000 });
    const tip = expectTip(chooseCoaching(rep(), previous), 'revenue');
    expect(tip.text).toContain('from $22,500 to $30,000');
  });
});

describe('chooseCoaching: each rule', () => {
  it('no activity at all → a friendly prompt to log', () => {
    const nothing = { ...rep(), activities: {} };
    const tip = expectTip(chooseCoaching(nothing, rep()), 'calls');
    expect(tip.text).toContain('/kpi log');
  });

  it('slow lead response → answer within the hour, with the median and the 7× benchmark', () => {
    const tip = expectTip(chooseCoaching(rep({ leads: { responseMinutesMedian: 95 } }), null), 'lead_response_time');
    expect(tip.text).toContain('95 min');
    expect(tip.text).toMatch(/industry benchmark/i);
    expect(tip.text).toContain('7×');
    expect(tip.benchmark).toEqual(getKpi('lead_response_time').benchmark);
  });

  it('slow lead response needs more than an hour, and at least 5 answered leads', () => {
    expect(chooseCoaching(rep({ leads: { responseMinutesMedian: 60 } }), null)).toBeNull();
    expect(chooseCoaching(rep({ leads: { responseMinutesMedian: 95, responded: 4 } }), null)).toBeNull();
  });

  it('win rate dropped → pitch and follow-up, with both rates', () => {
    // Before 3 ÷ (3 + 1) = 75%, now 3 ÷ (3 + 2) = 60%: 15 points down.
    const tip = expectTip(chooseCoaching(rep(), rep({ counts: { deal_lost: 1 } })), 'win_rate');
    expect(tip.text).toContain('from 75% to 60%');
    expect(tip.text).toMatch(/pitch/);
    expect(tip.text).toMatch(/follow-up/);
  });

  it('win rate: a small drop, or too few closed deals before, is not a trend', () => {
    // 3 ÷ 5 = 60% now vs 8 ÷ 13 ≈ 61.5% before: 1.5 points.
    expect(chooseCoaching(rep(), rep({ counts: { deal_won: 8, deal_lost: 5 }, wonCents: 8_000_000 }))?.kpiKey).not.toBe(
      'win_rate',
    );
    // Before 2 ÷ 2 = 100% over only 2 closed deals.
    expect(chooseCoaching(rep(), rep({ counts: { deal_won: 2, deal_lost: 0 } }))?.kpiKey).not.toBe('win_rate');
  });

  it('many no-shows → confirm meetings, citing the count and the 4 in 5 benchmark', () => {
    // 2 ÷ 10 = 20%
    const tip = expectTip(chooseCoaching(rep({ counts: { no_show: 2 } }), null), 'no_show_rate');
    expect(tip.text).toContain('2 of your 10 booked meetings');
    expect(tip.text).toMatch(/industry benchmark/i);
    expect(tip.text).toContain('4 in 5');
  });

  it('no-shows need at least 5 meetings', () => {
    // 2 ÷ 4 = 50%, but over only 4 meetings.
    expect(chooseCoaching(rep({ counts: { meeting: 4, no_show: 2 } }), null)).toBeNull();
  });

  it('low reach → reach decision-makers, citing the rate per 100 and the 35 benchmark', () => {
    // 30 ÷ (60 + 40) = 30 per 100; pass 5 ÷ 30 ≈ 16.7% stays healthy.
    const tip = expectTip(chooseCoaching(rep({ counts: { conversation: 30 } }), null), 'reach_rate');
    expect(tip.text).toContain('30 decision-makers per 100 calls and emails');
    expect(tip.text).toMatch(/industry benchmark/i);
    expect(tip.text).toContain('at least 35');
  });

  it('low reach needs at least 20 calls and emails', () => {
    // 3 ÷ (10 + 9) ≈ 16 per 100 over 19 outbound; pass 2 ÷ 3 stays healthy, with too few conversations anyway.
    expect(chooseCoaching(rep({ counts: { call: 10, email: 9, conversation: 3, qualified: 2 } }), null)).toBeNull();
  });

  it('low pass rate → qualify more deeply, citing the rate per 100 and the 11 benchmark', () => {
    // 4 ÷ 40 = 10 per 100
    const tip = expectTip(chooseCoaching(rep({ counts: { qualified: 4 } }), null), 'pass_rate');
    expect(tip.text).toContain('10 of every 100 conversations');
    expect(tip.text).toMatch(/industry benchmark/i);
    expect(tip.text).toContain('about 11');
  });

  it('low pass rate needs at least 10 conversations', () => {
    // 0 ÷ 9 over 9 conversations; reach 9 ÷ 20 = 45 per 100 stays healthy.
    expect(chooseCoaching(rep({ counts: { call: 12, email: 8, conversation: 9, qualified: 0 } }), null)).toBeNull();
  });

  it('few follow-ups before dropping a deal → one more nudge, citing the fifth follow-up', () => {
    // 6 ÷ 3 = 2 per dropped deal
    const tip = expectTip(
      chooseCoaching(rep({ deals: { lostDealFollowUps: 6 } }), null),
      'follow_ups_per_dropped_deal',
    );
    expect(tip.text).toContain('2 follow-ups on average');
    expect(tip.text).toMatch(/industry benchmark/i);
    expect(tip.text).toContain('fifth follow-up');
    expect(tip.text).toContain('44%');
  });

  it('follow-ups need at least 3 lost deals', () => {
    expect(chooseCoaching(rep({ deals: { lostDealFollowUps: 2, lostCount: 2 } }), null)).toBeNull();
  });

  it('average deal size dropped → upsell or cross-sell, with both sizes', () => {
    // Before 3,600,000 ÷ 3 = $12,000, now $10,000: down 16.7%.
    const tip = expectTip(chooseCoaching(rep(), rep({ wonCents: 3_600_000 })), 'avg_deal_size');
    expect(tip.text).toContain('from $12,000 to $10,000');
    expect(tip.text).toMatch(/upsell or cross-sell/);
  });

  it('a deal size dip under 10% is not coached', () => {
    // Before 3,150,000 ÷ 3 = $10,500, now $10,000: down 4.8%.
    expect(chooseCoaching(rep(), rep({ wonCents: 3_150_000 }))).toBeNull();
  });
});

describe('chooseCoaching: order and tone', () => {
  it('applies the rules in the documented order, most impactful first', () => {
    // Start with every problem at once, then fix them one by one.
    const fixes: RepChanges[] = [
      { leads: { responseMinutesMedian: 95 } },
      {},
      { counts: { no_show: 3 } },
      { counts: { conversation: 30 } },
      { counts: { qualified: 3 } },
      { deals: { lostDealFollowUps: 3 } },
    ];
    const problems = (fixed: number): KpiFacts => {
      const all = fixes.slice(fixed);
      return rep({
        counts: Object.assign({}, ...all.map((change) => change.counts)),
        deals: Object.assign({}, ...all.map((change) => change.deals)),
        leads: Object.assign({}, ...all.map((change) => change.leads)),
      });
    };
    // Previous window: win rate 3 ÷ 4 = 75% and deals of $12,000; the win-rate drop is fixed at
    // step 2 by comparing with a previous window that had the same win rate.
    const dropped = rep({ counts: { deal_lost: 1 }, wonCents: 3_600_000 });
    const sameWinRate = rep({ wonCents: 3_600_000 });
    const order = fixes.map((_, fixed) => chooseCoaching(problems(fixed), fixed < 2 ? dropped : sameWinRate)?.kpiKey);
    order.push(chooseCoaching(problems(fixes.length), sameWinRate)?.kpiKey);
    expect(order).toEqual([
      'lead_response_time',
      'win_rate',
      'no_show_rate',
      'reach_rate',
      'pass_rate',
      'follow_ups_per_dropped_deal',
      'avg_deal_size',
    ]);
  });

  it('no activity comes before everything else', () => {
    const nothing = { ...rep({ leads: { responseMinutesMedian: 300 } }), activities: {} };
    expect(chooseCoaching(nothing, null)?.kpiKey).toBe('calls');
  });

  it('is deterministic', () => {
    const current = rep({ counts: { qualified: 4 } });
    expect(chooseCoaching(current, rep())).toEqual(chooseCoaching(current, rep()));
  });

  it('keeps every tip to one or two short, friendly sentences', () => {
    const tips = [
      chooseCoaching({ ...rep(), activities: {} }, null),
      chooseCoaching(rep({ leads: { responseMinutesMedian: 95 } }), null),
      chooseCoaching(rep(), rep({ counts: { deal_lost: 1 } })),
      chooseCoaching(rep({ counts: { no_show: 2 } }), null),
      chooseCoaching(rep({ counts: { conversation: 30 } }), null),
      chooseCoaching(rep({ counts: { qualified: 4 } }), null),
      chooseCoaching(rep({ deals: { lostDealFollowUps: 6 } }), null),
      chooseCoaching(rep(), rep({ wonCents: 3_600_000 })),
      chooseCoaching(rep(), rep({ counts: { call: 40 } })),
    ];
    expect(tips.every((chosen) => chosen !== null)).toBe(true);
    for (const chosen of tips) {
      const text = chosen?.text ?? '';
      const sentences = text.split(/[.!?](?:\s|$)/).filter((part) => part.trim() !== '');
      expect(sentences.length, text).toBeGreaterThanOrEqual(1);
      expect(sentences.length, text).toBeLessThanOrEqual(2);
      expect(text.length, text).toBeLessThanOrEqual(260);
      expect(text, text).not.toMatch(/\b(bad|poor|worst|fail|lazy|bottom|behind your team)/i);
    }
  });

  it('names the rule that chose each tip, and passes over the rules it is told to skip', () => {
    const current = rep({ counts: { conversation: 30, qualified: 2 } });
    expect(chooseCoaching(current, null)).toMatchObject({ rule: 'low_reach', kpiKey: 'reach_rate' });
    expect(chooseCoaching(current, null, 'USD', new Set(['low_reach']))).toMatchObject({
      rule: 'low_pass',
      kpiKey: 'pass_rate',
    });
    expect(COACHING_RULES[0]).toBe('no_activity');
  });

  it('uses the workspace currency', () => {
    const tip = chooseCoaching(rep(), rep({ wonCents: 3_600_000 }), 'EUR');
    expect(tip?.text).toContain('from €12,000 to €10,000');
  });
});
