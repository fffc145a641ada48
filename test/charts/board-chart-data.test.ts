import { describe, expect, it } from 'vitest';
import { boardChartInput } from '../../src/charts/board-chart-data.js';
import { getKpi } from '../../src/kpi/catalogue.js';
import type { Leaderboard } from '../../src/kpi/leaderboard.js';
import { windowPair } from '../../src/kpi/scope.js';

const pair = windowPair({ kind: 'last_week' }, new Date('2026-11-18T17:00:00Z'), 'America/New_York');

function board(overrides: Partial<Leaderboard> = {}): Leaderboard {
  return {
    ...pair,
    metric: getKpi('revenue'),
    // Revenue is stored in cents.
    entries: [
      { userId: 'U1', name: 'Maya', value: 400_000, previous: 100_000, rank: 1 },
      { userId: 'U2', name: 'Noah', value: 250_000, previous: 250_000, rank: 2 },
      { userId: 'U3', name: 'Ava', value: 250_000, previous: 0, rank: 2 },
    ],
    improved: [{ userId: 'U3', name: 'Ava', delta: 250_000 }],
    notEnoughData: 0,
    ...overrides,
  };
}

describe('boardChartInput', () => {
  it('labels bars with the shared rank and formats values as the catalogue does', () => {
    const input = boardChartInput(board(), [], 'EUR');
    expect(input.bars.map((b) => [b.label, b.display])).toEqual([
      ['1. Maya', '€4,000'],
      ['2. Noah', '€2,500'],
      ['2. Ava', '€2,500'],
    ]);
    expect(input.title).toBe('Revenue: Last week (Mon 9 Nov – Sun 15 Nov)');
  });

  it('highlights the most improved and says so', () => {
    const input = boardChartInput(board(), [], 'USD');
    expect(input.bars.map((b) => b.highlight)).toEqual([false, false, true]);
    expect(input.subtitle).toBe('Highlighted: most improved vs the week before (Mon 2 Nov – Sun 8 Nov)');
  });

  it('highlights nobody when nobody improved', () => {
    const input = boardChartInput(board({ improved: [] }), [], 'USD');
    expect(input.bars.some((b) => b.highlight)).toBe(false);
    expect(input.subtitle).toBe('Times in America/New_York');
  });
});
