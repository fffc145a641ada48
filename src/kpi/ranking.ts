/**
 * Ranking for boards. Ranks use standard competition ranking ("1, 2, 2, 4"): equal values share a
 * rank and the next rank skips the tied places, so a rank is always 1 + the number of rows strictly
 * better. Within a tie, rows are displayed by name (case-insensitive, 'en' collation), then by
 * their original order; that display order never changes a rank.
 */

export type Direction = 'higher_is_better' | 'lower_is_better';

// Case-insensitive but accent-aware, so 'anna' and 'Anna' sort together and 'Ána' stays distinct.
const byName = new Intl.Collator('en', { sensitivity: 'accent' }).compare;

/** The sign that makes a move in the good direction positive. */
function goodSign(direction: Direction): 1 | -1 {
  return direction === 'higher_is_better' ? 1 : -1;
}

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
  const sign = -goodSign(opts.direction);
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
 * A row's rank without ranking the others: 1 + the number of `others` strictly better, the rank
 * `rankCompetition` gives it among them. A person's own place needs no sort and no names.
 */
export function competitionRank(value: number, others: Iterable<number>, direction: Direction): number {
  if (Number.isNaN(value)) throw new RangeError('Cannot rank a row with no value');
  const sign = goodSign(direction);
  let rank = 1;
  for (const other of others) if (sign * (other - value) > 0) rank++;
  return rank;
}

/**
 * The rows that can be among the first `n` of an order by `score`, highest first, whatever breaks
 * its ties: all those scoring at least the n-th best score, in their given order. Ties are broken by
 * name, and names are read only for these rows. With competition ranking (score = value, negated
 * when lower is better) they are exactly the rows ranked n or better.
 */
export function topWithTies<T>(rows: readonly T[], score: (row: T) => number, n: number): T[] {
  if (rows.length <= n) return [...rows];
  if (n <= 0) return [];
  const scores = Float64Array.from(rows, score).sort();
  const nth = scores[scores.length - n] ?? Number.NEGATIVE_INFINITY;
  return rows.filter((row) => score(row) >= nth);
}

interface ImprovementOpts<T> {
  current: (row: T) => number;
  previous: (row: T) => number;
  direction: Direction;
  minPrevious?: number;
}

/**
 * Rows whose value moved in the good direction, with the size of the move, in their given order.
 * `minPrevious` leaves out rows whose previous value is below it (for instance, no baseline yet).
 */
export function improvements<T>(rows: readonly T[], opts: ImprovementOpts<T>): { row: T; delta: number }[] {
  const sign = goodSign(opts.direction);
  const minPrevious = opts.minPrevious ?? Number.NEGATIVE_INFINITY;
  return rows
    .map((row) => {
      const previous = opts.previous(row);
      return { row, delta: previous >= minPrevious ? sign * (opts.current(row) - previous) : Number.NaN };
    })
    .filter((entry) => entry.delta > 0); // also drops NaN: no baseline, or no value
}

/**
 * For a "most improved" board: the `improvements`, biggest absolute move first, ties by name then
 * original order. Rows that did not improve are left out, so nobody is shown at the bottom.
 */
export function mostImproved<T>(
  rows: readonly T[],
  opts: ImprovementOpts<T> & { name: (row: T) => string },
): { row: T; delta: number }[] {
  return improvements(rows, opts)
    .map(({ row, delta }, index) => ({ row, index, name: opts.name(row), delta }))
    .sort((a, b) => b.delta - a.delta || compareTie(a, b))
    .map(({ row, delta }) => ({ row, delta }));
}
