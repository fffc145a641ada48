import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  competitionRank,
  type Direction,
  improvements,
  mostImproved,
  rankCompetition,
  topWithTies,
} from '../../src/kpi/ranking.js';

interface Row {
  name: string;
  value: number;
}

const byValue = (direction: Direction) => ({ value: (row: Row) => row.value, name: (row: Row) => row.name, direction });
const names = (ranked: { row: Row }[]) => ranked.map((entry) => entry.row.name);

describe('rankCompetition', () => {
  it('ranks best first with "1, 2, 2, 4" ranks', () => {
    const rows = [
      { name: 'Ana', value: 10 },
      { name: 'Cy', value: 20 },
      { name: 'Bo', value: 20 },
      { name: 'Di', value: 5 },
    ];
    const ranked = rankCompetition(rows, byValue('higher_is_better'));
    // Bo and Cy tie on 20 (shown by name), Ana is third best but ranked 3, Di 4.
    expect(ranked.map((entry) => [entry.row.name, entry.rank])).toEqual([
      ['Bo', 1],
      ['Cy', 1],
      ['Ana', 3],
      ['Di', 4],
    ]);
  });

  it('ranks lower values first when lower is better', () => {
    const rows = [
      { name: 'slow', value: 90 },
      { name: 'fast', value: 5 },
      { name: 'mid', value: 30 },
    ];
    expect(rankCompetition(rows, byValue('lower_is_better')).map((entry) => [entry.row.name, entry.rank])).toEqual([
      ['fast', 1],
      ['mid', 2],
      ['slow', 3],
    ]);
  });

  it('shows a tie by name, case-insensitively, then by original order; ranks stay equal', () => {
    const rows = [
      { name: 'carol', value: 1 },
      { name: 'Bob', value: 1 },
      { name: 'alice', value: 1 },
      { name: 'bob', value: 1 },
    ];
    const ranked = rankCompetition(rows, byValue('higher_is_better'));
    // 'Bob' and 'bob' are the same name case-insensitively: original order decides (index 1 before 3).
    expect(names(ranked)).toEqual(['alice', 'Bob', 'bob', 'carol']);
    expect(ranked.map((entry) => entry.rank)).toEqual([1, 1, 1, 1]);
  });

  it('does not change its input and handles an empty board', () => {
    const rows = [
      { name: 'b', value: 1 },
      { name: 'a', value: 2 },
    ];
    rankCompetition(rows, byValue('higher_is_better'));
    expect(rows.map((row) => row.name)).toEqual(['b', 'a']);
    expect(rankCompetition([], byValue('higher_is_better'))).toEqual([]);
  });

  it('refuses a NaN value rather than ranking it somewhere arbitrary', () => {
    expect(() => rankCompetition([{ name: 'x', value: Number.NaN }], byValue('higher_is_better'))).toThrow(RangeError);
  });

  describe('properties', () => {
    // Small integer values so ties are common; names from a small alphabet so name ties happen too.
    const rowsArb = fc.array(
      fc.record({
        name: fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', 'é'), maxLength: 3 }),
        value: fc.integer({ min: -3, max: 3 }),
      }),
      { maxLength: 30 },
    );
    const directionArb = fc.constantFrom<Direction>('higher_is_better', 'lower_is_better');
    const isBetter = (direction: Direction, a: number, b: number) => (direction === 'higher_is_better' ? a > b : a < b);

    it('rank = 1 + the number of rows strictly better', () => {
      fc.assert(
        fc.property(rowsArb, directionArb, (rows, direction) => {
          for (const { row, rank } of rankCompetition(rows, byValue(direction))) {
            const better = rows.filter((other) => isBetter(direction, other.value, row.value)).length;
            expect(rank).toBe(1 + better);
          }
        }),
      );
    });

    it('ranks never decrease down the board, and equal values share a rank', () => {
      fc.assert(
        fc.property(rowsArb, directionArb, (rows, direction) => {
          const ranked = rankCompetition(rows, byValue(direction));
          ranked.forEach((entry, i) => {
            const before = ranked[i - 1];
            if (!before) return;
            expect(entry.rank).toBeGreaterThanOrEqual(before.rank);
            expect(isBetter(direction, entry.row.value, before.row.value)).toBe(false);
          });
          for (const a of ranked) {
            for (const b of ranked) if (a.row.value === b.row.value) expect(a.rank).toBe(b.rank);
          }
        }),
      );
    });

    it('shows every row exactly once', () => {
      fc.assert(
        fc.property(rowsArb, directionArb, (rows, direction) => {
          const shown = rankCompetition(rows, byValue(direction)).map((entry) => entry.row);
          expect(shown).toHaveLength(rows.length);
          expect(new Set(shown)).toEqual(new Set(rows));
        }),
      );
    });

    it('display order does not depend on the input order, except among rows with the same value and name', () => {
      fc.assert(
        fc.property(rowsArb, directionArb, fc.integer(), (rows, direction, seed) => {
          const shuffled = [...rows].sort((a, b) => ((a.value * 31 + seed) % 7) - ((b.value * 31 + seed) % 7));
          const key = (entry: { row: Row; rank: number }) =>
            `${entry.rank}:${entry.row.value}:${entry.row.name.toLowerCase()}`;
          expect(rankCompetition(shuffled, byValue(direction)).map(key)).toEqual(
            rankCompetition(rows, byValue(direction)).map(key),
          );
        }),
      );
    });
  });
});

describe('mostImproved', () => {
  interface Rep {
    name: string;
    now: number;
    before: number;
  }
  const reps: Rep[] = [
    { name: 'ana', now: 15, before: 10 }, // +5
    { name: 'bo', now: 8, before: 10 }, // −2: got worse, left out
    { name: 'cy', now: 7, before: 0 }, // +7 from nothing
    { name: 'Di', now: 8, before: 3 }, // +5, ties with ana: by name
    { name: 'ed', now: 4, before: 4 }, // no change, left out
  ];
  const opts = {
    current: (rep: Rep) => rep.now,
    previous: (rep: Rep) => rep.before,
    name: (rep: Rep) => rep.name,
  };

  it('lists only improvements, biggest absolute move first, ties by name', () => {
    const improved = mostImproved(reps, { ...opts, direction: 'higher_is_better' });
    expect(improved.map((entry) => [entry.row.name, entry.delta])).toEqual([
      ['cy', 7],
      ['ana', 5],
      ['Di', 5],
    ]);
  });

  it('counts a fall as the improvement when lower is better', () => {
    const improved = mostImproved(reps, { ...opts, direction: 'lower_is_better' });
    expect(improved.map((entry) => [entry.row.name, entry.delta])).toEqual([['bo', 2]]); // 10 → 8
  });

  it('leaves out rows whose previous value is below minPrevious', () => {
    const improved = mostImproved(reps, { ...opts, direction: 'higher_is_better', minPrevious: 1 });
    expect(improved.map((entry) => entry.row.name)).toEqual(['ana', 'Di']); // cy had 0 before
  });

  it('leaves out rows with no value (NaN)', () => {
    const rows: Rep[] = [{ name: 'x', now: Number.NaN, before: 1 }];
    expect(mostImproved(rows, { ...opts, direction: 'higher_is_better' })).toEqual([]);
  });

  it('property: deltas are positive, exact, and never increase down the list', () => {
    const repsArb = fc.array(
      fc.record({
        name: fc.string({ maxLength: 3 }),
        now: fc.integer({ min: 0, max: 20 }),
        before: fc.integer({ min: 0, max: 20 }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(repsArb, fc.constantFrom<Direction>('higher_is_better', 'lower_is_better'), (rows, direction) => {
        const improved = mostImproved(rows, { ...opts, direction });
        const sign = direction === 'higher_is_better' ? 1 : -1;
        improved.forEach((entry, i) => {
          expect(entry.delta).toBeGreaterThan(0);
          expect(entry.delta).toBe(sign * (entry.row.now - entry.row.before));
          const before = improved[i - 1];
          if (before) expect(entry.delta).toBeLessThanOrEqual(before.delta);
        });
        expect(improved).toHaveLength(rows.filter((row) => sign * (row.now - row.before) > 0).length);
      }),
    );
  });
});

describe('ranking only what is shown', () => {
  // As in rankCompetition's properties: small values and a small alphabet, so ties are common.
  const rowsArb = fc.array(
    fc.record({
      name: fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'é'), maxLength: 2 }),
      value: fc.integer({ min: -3, max: 3 }),
      before: fc.integer({ min: -3, max: 3 }),
    }),
    { maxLength: 30 },
  );
  type Rep = { name: string; value: number; before: number };
  const directionArb = fc.constantFrom<Direction>('higher_is_better', 'lower_is_better');
  const nArb = fc.integer({ min: 0, max: 12 });
  const ranking = (direction: Direction) => ({ value: (r: Rep) => r.value, name: (r: Rep) => r.name, direction });
  const moves = (direction: Direction) => ({
    current: (r: Rep) => r.value,
    previous: (r: Rep) => r.before,
    name: (r: Rep) => r.name,
    direction,
  });
  const scoreOf = (direction: Direction) => (r: Rep) => (direction === 'higher_is_better' ? r.value : -r.value);

  it('competitionRank is the rank rankCompetition gives a row among the others', () => {
    fc.assert(
      fc.property(rowsArb, directionArb, (rows, direction) => {
        for (const { row, rank } of rankCompetition(rows, ranking(direction))) {
          const others = rows.filter((r) => r !== row).map((r) => r.value);
          expect(competitionRank(row.value, others, direction)).toBe(rank);
        }
      }),
    );
  });

  it('competitionRank refuses a NaN value', () => {
    expect(() => competitionRank(Number.NaN, [1], 'higher_is_better')).toThrow(RangeError);
  });

  it('topWithTies keeps exactly the rows ranked n or better, and ranking them alone shows the top of the whole board', () => {
    fc.assert(
      fc.property(rowsArb, directionArb, nArb, (rows, direction, n) => {
        const whole = rankCompetition(rows, ranking(direction)).filter((e) => e.rank <= n);
        const top = topWithTies(rows, scoreOf(direction), n);
        expect(new Set(top)).toEqual(new Set(whole.map((e) => e.row)));
        expect(rankCompetition(top, ranking(direction))).toEqual(whole);
      }),
    );
  });

  it('the most improved among the top improvements with ties are the most improved of all', () => {
    fc.assert(
      fc.property(rowsArb, directionArb, nArb, (rows, direction, n) => {
        const candidates = topWithTies(improvements(rows, moves(direction)), (g) => g.delta, n).map((g) => g.row);
        expect(mostImproved(candidates, moves(direction)).slice(0, n)).toEqual(
          mostImproved(rows, moves(direction)).slice(0, n),
        );
      }),
    );
  });
});
