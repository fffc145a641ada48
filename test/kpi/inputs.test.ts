import { describe, expect, it } from 'vitest';
import { getKpi, KPIS } from '../../src/kpi/catalogue.js';
import { inputsOf } from '../../src/kpi/inputs.js';

describe('inputsOf: what each KPI reads, from its own formula', () => {
  it.each([
    ['revenue', { kinds: ['deal_won'], deals: false, leads: false, quota: false, previous: false }],
    ['win_rate', { kinds: ['deal_lost', 'deal_won'], deals: false, leads: false, quota: false, previous: false }],
    [
      'reach_rate',
      { kinds: ['call', 'conversation', 'email'], deals: false, leads: false, quota: false, previous: false },
    ],
    ['calls', { kinds: ['call'], deals: false, leads: false, quota: false, previous: false }],
    ['pipeline_value', { kinds: [], deals: true, leads: false, quota: false, previous: false }],
    [
      'pipeline_velocity',
      { kinds: ['deal_lost', 'deal_won'], deals: true, leads: false, quota: false, previous: false },
    ],
    ['lead_response_time', { kinds: [], deals: false, leads: true, quota: false, previous: false }],
    ['sales_growth', { kinds: ['deal_won'], deals: false, leads: false, quota: false, previous: true }],
    ['quota_attainment', { kinds: ['deal_won'], deals: false, leads: false, quota: true, previous: false }],
  ])('%s', (key, expected) => {
    expect(inputsOf(getKpi(key))).toEqual(expected);
  });

  it('gives every board metric something to read', () => {
    for (const def of KPIS.filter((k) => k.boardable && k.group !== 'team')) {
      const inputs = inputsOf(def);
      const customersOnly = ['retention_rate', 'upsell_rate'].includes(def.key);
      if (!customersOnly) expect(inputs.kinds.length > 0 || inputs.deals || inputs.leads, def.key).toBe(true);
    }
  });
});
