import { describe, expect, it } from 'vitest';
import { SHARE_CAP, scorecardSchema, weightedScore } from '../../src/kpi/weighted-score.js';

describe('weightedScore', () => {
  const weights = scorecardSchema.parse([
    { metric: 'meetings', weight: 2, target: 10 },
    { metric: 'calls', weight: 1, target: 100 },
  ]);

  it('weighs each metric by its share of target, out of 100', () => {
    const { score, parts } = weightedScore(weights, (m) => ({ meetings: 5, calls: 100 })[m] ?? null);
    // meetings 50% × 2/3 + calls 100% × 1/3 = 66.7
    expect(score).toBeCloseTo(66.67, 1);
    expect(parts.map((p) => p.share)).toEqual([0.5, 1]);
  });

  it('caps a runaway metric so it cannot hide the others', () => {
    const { score, parts } = weightedScore(weights, (m) => ({ meetings: 0, calls: 1000 })[m] ?? null);
    expect(parts[1]?.share).toBe(SHARE_CAP);
    expect(score).toBeCloseTo(50, 5);
  });

  it('scores a lower-is-better metric by target over value, and a missing value as nothing', () => {
    const card = scorecardSchema.parse([{ metric: 'lead response time', weight: 1, target: 60 }]);
    expect(weightedScore(card, () => 120).score).toBeCloseTo(50, 5);
    expect(weightedScore(card, () => null).score).toBe(0);
  });

  it('refuses metrics that are not in the catalogue and non-positive weights', () => {
    expect(scorecardSchema.safeParse([{ metric: 'vibes', weight: 1, target: 1 }]).success).toBe(false);
    expect(scorecardSchema.safeParse([{ metric: 'calls', weight: 0, target: 1 }]).success).toBe(false);
    expect(scorecardSchema.safeParse([]).success).toBe(false);
  });
});
