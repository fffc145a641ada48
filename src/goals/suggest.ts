/**
 * An achievable target from a rep's own history: the 75th percentile of their recent complete
 * periods (a good period of theirs, not their best, and not the team's). Pure.
 */

export const SUGGESTION_PERCENTILE = 0.75;
/** How many complete past periods are read for each kind of goal. */
export const HISTORY_PERIODS = { week: 8, month: 6, quarter: 4 } as const;
/** Fewer periods than this say too little about a rep to suggest anything. */
export const MIN_HISTORY_PERIODS = 3;

/** The p-th quantile by linear interpolation between closest ranks (what spreadsheets call PERCENTILE.INC). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] ?? 0;
  const b = sorted[high] ?? a;
  return a + (b - a) * (rank - low);
}

/** Counts round up to a whole number; money to whole units, or to the hundred from 1,000 up. */
export function roundTarget(value: number, unit: 'count' | 'currency'): number {
  if (unit === 'count') return Math.ceil(value - 1e-9);
  const step = value >= 1000_00 ? 100_00 : 100;
  return Math.ceil(value / step - 1e-9) * step;
}

export interface Suggestion {
  target: number;
  /** The complete periods it was worked out from, oldest first. */
  periods: number;
  /** Base period of the history and how the target was scaled from it (1 when none). */
  base: 'week' | 'month' | 'quarter';
  scale: number;
}

/**
 * From the values of the rep's recent complete base periods (zeros included, but only from their
 * first entry on), a target for a goal `scale` base periods long; null without enough history.
 */
export function suggestTarget(
  history: readonly number[],
  unit: 'count' | 'currency',
  base: Suggestion['base'],
  scale = 1,
): Suggestion | null {
  if (history.length < MIN_HISTORY_PERIODS) return null;
  const p75 = percentile(history, SUGGESTION_PERCENTILE) ?? 0;
  const target = roundTarget(p75 * scale, unit);
  return target > 0 ? { target, periods: history.length, base, scale } : null;
}
