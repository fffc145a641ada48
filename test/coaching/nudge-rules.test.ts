import { describe, expect, it } from 'vitest';
import {
  chooseNudgePrompt,
  NO_SIGNALS,
  NUDGE_RULES,
  type NudgeRuleInput,
  quietSince,
  RULE_TOPICS,
  UNHELPFUL_QUIET_DAYS,
} from '../../src/coaching/nudge-rules.js';
import { getKpi } from '../../src/kpi/catalogue.js';
import { COACHING_RULES } from '../../src/kpi/coaching.js';
import { activityFacts, type KpiFacts } from '../../src/kpi/facts.js';

function facts(activities: KpiFacts['activities']): KpiFacts {
  return activityFacts(activities);
}

/** A rep with a little healthy activity: no window rule applies. */
const steady = facts({ call: { quantity: 8, amountCents: 0 } });

function input(change: Partial<NudgeRuleInput> = {}): NudgeRuleInput {
  return {
    signals: NO_SIGNALS,
    facts: { current: steady, previous: steady },
    remainingQuota: null,
    hasGoals: true,
    currency: 'USD',
    suppressed: new Set(),
    ...change,
  };
}

const waiting = (count: number, oldestMinutes = 90) => ({ ...NO_SIGNALS, leadsWaiting: { count, oldestMinutes } });

describe('chooseNudgePrompt: live signals first, each citing its benchmark', () => {
  it('says nothing when nothing applies', () => {
    expect(chooseNudgePrompt(input())).toBeNull();
  });

  it('leads waiting over an hour: reply within the hour, about 7× more likely to qualify', () => {
    const prompt = chooseNudgePrompt(input({ signals: waiting(1, 61) }));
    expect(prompt).toMatchObject({ rule: 'leads_waiting', kpiKey: 'lead_response_time' });
    expect(prompt?.text).toBe(
      'A new lead has waited over an hour for your first reply (the longest 61 minutes). Industry benchmark: responding within one hour makes qualifying about 7× more likely, so start the day with it.',
    );
    expect(prompt?.benchmark).toEqual(getKpi('lead_response_time').benchmark);
    expect(chooseNudgePrompt(input({ signals: waiting(3, 3 * 24 * 60) }))?.text).toContain(
      '3 new leads have waited over an hour for your first reply (the longest 3 days)',
    );
    expect(chooseNudgePrompt(input({ signals: waiting(0) }))).toBeNull();
  });

  it('prospects touched once and not since: half of sales after the fifth follow-up, 44% give up after one', () => {
    const prompt = chooseNudgePrompt(input({ signals: { ...NO_SIGNALS, singleTouchProspects: 2 } }));
    expect(prompt?.rule).toBe('no_follow_up');
    expect(prompt?.text).toContain('2 prospects have heard from you once and not since');
    expect(prompt?.text).toContain('44% of sellers give up after one');
    expect(prompt?.benchmark).toEqual(getKpi('follow_ups_per_dropped_deal').benchmark);
  });

  it('pipeline coverage: below 3× what is left of the revenue goal, and not at exactly 3×', () => {
    const remainingQuota = { cents: 1_000_000, label: 'This month' };
    const withPipeline = (cents: number) =>
      input({ signals: { ...NO_SIGNALS, openPipelineCents: cents }, remainingQuota });
    const low = chooseNudgePrompt(withPipeline(2_999_999));
    expect(low?.rule).toBe('low_pipeline_coverage');
    expect(low?.text).toContain(
      'Your open deals ($30,000) cover 2.9× the $10,000 still to win for your this month revenue goal',
    );
    expect(low?.benchmark?.text).toContain('3× the quota still to win');
    expect(chooseNudgePrompt(withPipeline(3_000_000))).toBeNull();
    expect(chooseNudgePrompt(withPipeline(0))?.text).toContain('cover 0×');
    // No deal data at all, or no revenue goal left: no coverage to speak of.
    expect(chooseNudgePrompt(input({ remainingQuota }))).toBeNull();
    expect(chooseNudgePrompt(input({ signals: { ...NO_SIGNALS, openPipelineCents: 0 } }))).toBeNull();
  });

  it('falls through to the window rules, e.g. reach under 35 per 100 outbound', () => {
    const lowReach = facts({
      call: { quantity: 60, amountCents: 0 },
      email: { quantity: 40, amountCents: 0 },
      conversation: { quantity: 34, amountCents: 0 },
    });
    const prompt = chooseNudgePrompt(input({ facts: { current: lowReach, previous: lowReach } }));
    expect(prompt).toMatchObject({ rule: 'low_reach', kpiKey: 'reach_rate' });
    expect(prompt?.benchmark).toEqual(getKpi('reach_rate').benchmark);
  });

  it('orders the live signals: waiting leads, then follow-ups, then pipeline', () => {
    const all = {
      leadsWaiting: { count: 1, oldestMinutes: 70 },
      singleTouchProspects: 1,
      openPipelineCents: 0,
    };
    const remainingQuota = { cents: 100, label: 'This month' };
    expect(chooseNudgePrompt(input({ signals: all, remainingQuota }))?.rule).toBe('leads_waiting');
    const suppressed = new Set(['leads_waiting']);
    expect(chooseNudgePrompt(input({ signals: all, remainingQuota, suppressed }))?.rule).toBe('no_follow_up');
    suppressed.add('no_follow_up');
    expect(chooseNudgePrompt(input({ signals: all, remainingQuota, suppressed }))?.rule).toBe('low_pipeline_coverage');
  });

  it('says "nothing logged" only to a rep with goals, and nothing at all to a rep with no goals and no data', () => {
    expect(chooseNudgePrompt(input({ facts: null }))?.rule).toBe('no_activity');
    expect(chooseNudgePrompt(input({ facts: null, hasGoals: false }))).toBeNull();
    const idle = { current: facts({}), previous: steady };
    expect(chooseNudgePrompt(input({ facts: idle, hasGoals: false }))).toBeNull();
  });

  it('passes over a rule the rep marked unhelpful, for the quiet period', () => {
    expect(chooseNudgePrompt(input({ signals: waiting(2), suppressed: new Set(['leads_waiting']) }))).toBeNull();
    expect(quietSince(new Date('2026-11-30T09:00:00Z'))).toEqual(new Date('2026-11-16T09:00:00Z'));
    expect(UNHELPFUL_QUIET_DAYS).toBe(14);
  });

  it('names every rule once, with a 1:1 topic for each', () => {
    expect(new Set(NUDGE_RULES).size).toBe(NUDGE_RULES.length);
    expect(NUDGE_RULES).toEqual(expect.arrayContaining([...COACHING_RULES]));
    expect(Object.keys(RULE_TOPICS).sort()).toEqual([...NUDGE_RULES].sort());
  });
});
