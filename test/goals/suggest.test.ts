import { describe, expect, it } from 'vitest';
import { percentile, roundTarget, suggestTarget } from '../../src/goals/suggest.js';

describe('suggested targets', () => {
  it('takes the 75th percentile by linear interpolation', () => {
    expect(percentile([1, 2, 3, 4, 5], 0.75)).toBe(4);
    expect(percentile([10, 0, 20, 30], 0.75)).toBe(22.5);
    expect(percentile([], 0.75)).toBeNull();
  });

  it('rounds counts up to whole numbers and money to whole units, or hundreds from 1,000 up', () => {
    expect(roundTarget(22.5, 'count')).toBe(23);
    expect(roundTarget(22, 'count')).toBe(22);
    expect(roundTarget(512_34, 'currency')).toBe(513_00);
    expect(roundTarget(12_340_00, 'currency')).toBe(12_400_00);
  });

  it('needs three periods of history and scales to the goal’s length', () => {
    expect(suggestTarget([5, 9], 'count', 'week')).toBeNull();
    expect(suggestTarget([0, 0, 0], 'count', 'week')).toBeNull();
    expect(suggestTarget([8, 4, 12, 10, 6, 9, 11, 7], 'count', 'week')).toEqual({
      target: 11,
      periods: 8,
      base: 'week',
      scale: 1,
    });
    // A quarter's p75 of 30,000 for a year goal: four quarters.
    expect(suggestTarget([10_000_00, 30_000_00, 30_000_00, 20_000_00], 'currency', 'quarter', 4)?.target).toBe(
      120_000_00,
    );
  });
});
