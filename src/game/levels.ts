/**
 * Levels from points. Each level costs 100 points more than the one before it: level 2 at 100
 * points, level 3 at 300, level 4 at 600, level 5 at 1,000, level 10 at 4,500 — points for level n
 * are 50·n·(n−1). Early levels come in days, later ones take months, so a level still means something.
 */

export const POINTS_STEP = 100;

export interface Level {
  level: number;
  /** Points at which this level started. */
  floor: number;
  /** Points at which the next level starts. */
  next: number;
  /** How far through this level, 0 to 1. */
  fraction: number;
}

/** Points needed to reach `level` (level 1 needs none). */
export function pointsForLevel(level: number): number {
  return (POINTS_STEP / 2) * level * (level - 1);
}

export function levelFor(points: number): Level {
  const p = Math.max(0, points);
  // Solve 50·n·(n−1) ≤ p for n, then correct for floating-point rounding at the boundaries.
  let level = Math.max(1, Math.floor((1 + Math.sqrt(1 + (8 * p) / POINTS_STEP)) / 2));
  while (pointsForLevel(level + 1) <= p) level++;
  while (level > 1 && pointsForLevel(level) > p) level--;
  const floor = pointsForLevel(level);
  const next = pointsForLevel(level + 1);
  return { level, floor, next, fraction: (p - floor) / (next - floor) };
}
