/**
 * Ranking for boards. Ranks use standard competition ranking ("1, 2, 2, 4"): equal values share a
 * rank and the next rank skips the tied places, so a rank is always 1 + the number of rows strictly
 * better. Within a tie, rows are displayed by name (case-insensitive, 'en' collation), then by
 * their original order; that display order never changes a rank.
 */

export type Direction = 'higher_is_better' | 'lower_is_better';

// Case-insensitive but accent-aware, so 'anna' and 'Anna' sort together and 'Ána' stays distinct.
const byName = new Intl.Collator('en', { sensitivity: 'accent' }).compare;

interface Entry<T> {
  row: T;
  index: number;
  name: string;
}

/** Name first, then original position: a stable, documented order within a tie. */
function compareTie<T>(a: Entry<T>, b: Entry<T>): number {
  return byName(a.name, b.name) || a.index - b.index;
}

export function rankCompetition<T>(
  rows: readonly T[],
  opts: { value: (row: T) => number; direction: Direction; name: (row: T) => string },
): { row: T; rank: number }[] {
  const sign = opts.direction === 'higher_is_better' ? -1 : 1;
  const entries = rows.map((row, index) => {
    const value = opts.value(row);
    // NaN compares false with everything and would scramble the sort: callers rank ok results only.
    if (Number.isNaN(value)) throw new RangeError(`Cannot rank a row with no value: ${opts.name(row)}`);
    return { row, index, name: opts.name(row), value };
  });
  entries.sort((a, b) => sign * (a.value - b.value) || compareTie(a, b));

  let rank = 0;
  return entries.map((entry, position) => {
    if (position === 0 || entry.value !== entries[position - 1]?.value) rank = position + 1;
    return { row: entry.row, rank };
  });
}

/**
 * For a "most improved" board: rows whose value moved in the good direction, biggest absolute move
 * first, ties by name then original order. Rows that did not improve are left out, so nobody is
 * shown at the bottom. `minPrevious` leaves out rows whose previous value is below it (for instance,
 * no baseline yet).
 */
export function mostImproved<T>(
  rows: readonly T[],
  opts: {
    current: (row: T) => number;
    previous: (row: T) => number;
    name: (row: T) => string;
    direction: Direction;
    minPrevious?: number;
  },
): { row: T; delta: number }[] {
  const sign = opts.direction === 'higher_is_better' ? 1 : -1;
  const minPrevious = opts.minPrevious ?? Number.NEGATIVE_INFINITY;
  return rows
    .map((row, index) => {
      const previous = opts.previous(row);
      const delta = previous >= minPrevious ? sign * (opts.current(row) - previous) : Number.NaN;
      return { row, index, name: opts.name(row), delta };
    })
    .filter((entry) => entry.delta > 0) // also drops NaN: no baseline, or no value
    .sort((a, b) => b.delta - a.delta || compareTie(a, b))
    .map(({ row, delta }) => ({ row, delta }));
}
