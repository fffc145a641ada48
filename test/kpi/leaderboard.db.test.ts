import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { activities, members } from '../../src/db/schema.js';
import { getKpi, type KpiDefinition, meetsMinSample } from '../../src/kpi/catalogue.js';
import { inputsOf } from '../../src/kpi/inputs.js';
import { type FactsPair, loadFactsByUser } from '../../src/kpi/kpi.queries.js';
import { type BoardScope, buildLeaderboard, leaderboardPosition } from '../../src/kpi/leaderboard.js';
import { mostImproved, rankCompetition } from '../../src/kpi/ranking.js';
import { windowPair } from '../../src/kpi/scope.js';
import { boardMembers } from '../../src/members/members.repository.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

/** Wednesday 18 Nov 2026: this week from Mon 16 Nov, last week's same span from Mon 9 Nov. */
const NOW = new Date('2026-11-18T15:00:00Z');
const THIS_WEEK = new Date('2026-11-17T10:00:00Z');
const LAST_WEEK = new Date('2026-11-10T10:00:00Z');
const REPS = 80;

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The board as it was first built: every member read, everyone named and sorted, the top cut from
 * the whole ranking. The board that reads only what it shows must match it exactly.
 */
async function wholeRanking(database: DatabaseHandle, scope: BoardScope, metric: KpiDefinition, limit: number) {
  const [facts, people] = await Promise.all([
    loadFactsByUser(database.db, { ...scope, userId: null }, inputsOf(metric)),
    boardMembers(database.db, scope.workspaceId),
  ]);
  const valueOf = (pair: FactsPair, which: 'current' | 'previous') => {
    if (!meetsMinSample(metric, pair[which])) return null;
    const result = metric.compute(pair[which]);
    return result.status === 'ok' ? result.value : null;
  };
  const ranked: { userId: string; name: string; value: number; previous: number | null; isPublic: boolean }[] = [];
  let notEnoughData = 0;
  for (const [userId, pair] of facts) {
    const member = people.get(userId);
    if (member?.isBot || member?.isDeleted || (scope.team && !scope.team.has(userId))) continue;
    const value = valueOf(pair, 'current');
    if (value === null) {
      notEnoughData++;
      continue;
    }
    const isPublic = !member?.publicOptOut && !(metric.direction === 'higher_is_better' && value === 0);
    ranked.push({ userId, name: member?.displayName ?? userId, value, previous: valueOf(pair, 'previous'), isPublic });
  }
  const rank = (rows: typeof ranked) =>
    rankCompetition(rows, { value: (r) => r.value, direction: metric.direction, name: (r) => r.name });
  const publicRows = ranked.filter((r) => r.isPublic);
  const entries = rank(publicRows)
    .filter((e) => e.rank <= limit)
    .map(({ row: { userId, name, value, previous }, rank }) => ({ userId, name, value, previous, rank }));
  const improved = mostImproved(
    publicRows.filter((r) => r.previous !== null),
    { current: (r) => r.value, previous: (r) => r.previous ?? 0, name: (r) => r.name, direction: metric.direction },
  )
    .slice(0, 3)
    .map(({ row, delta }) => ({ userId: row.userId, name: row.name, delta }));
  const viewer = (viewerId: string) => {
    const me = ranked.find((r) => r.userId === viewerId);
    const field = [...publicRows.filter((r) => r.userId !== viewerId), ...(me ? [me] : [])];
    const mine = rank(field).find((e) => e.row.userId === viewerId);
    // At zero on a board of a count or a sum there is no place, even privately.
    const placed = me && !(metric.direction === 'higher_is_better' && me.value === 0);
    return placed && mine ? { metric, rank: mine.rank, of: field.length, value: me.value } : null;
  };
  return { entries, improved, notEnoughData, viewer };
}

describeDb('leaderboards read only what they show, and show what ranking everyone would', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database.close());

  /** Reps with few distinct figures and names that tie case-insensitively; some opted out, gone or unknown. */
  async function seed(next: () => number): Promise<string> {
    const workspaceId = newWorkspaceId();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const reps = Array.from({ length: REPS }, (_, i) => `U${String(i).padStart(3, '0')}`);
    const known = reps.filter(() => next() < 0.9);
    await database.db.insert(members).values(
      known.map((userId) => ({
        workspaceId,
        userId,
        displayName: pick(['ana', 'Ana', 'Bo', 'bo', 'Cy', 'Ána']),
        publicOptOut: next() < 0.15,
        isBot: next() < 0.04,
        isDeleted: next() < 0.04,
      })),
    );
    const rows = reps.flatMap((userId) =>
      [THIS_WEEK, LAST_WEEK].flatMap((occurredAt) => {
        const calls = pick([0, 5, 10, 12]);
        const entries = [
          { kind: 'deal_won', quantity: pick([0, 1, 2]), amountCents: pick([0, 100_000, 500_000]) },
          { kind: 'demo', quantity: pick([0, 1, 2, 3]), amountCents: 0 },
          { kind: 'call', quantity: calls, amountCents: 0 },
          { kind: 'conversation', quantity: Math.floor(calls * next()), amountCents: 0 },
        ];
        return entries
          .filter((e) => e.quantity > 0)
          .map((e) => ({
            workspaceId,
            userId,
            ...e,
            occurredAt,
            source: 'slack',
            idempotencyKey: `${userId}:${e.kind}:${occurredAt.toISOString()}`,
          }));
      }),
    );
    await database.db.insert(activities).values(rows);
    return workspaceId;
  }

  it.each([1, 2])('seed %i: the top, the most improved and everyone’s own place', async (s) => {
    const next = random(s);
    const workspaceId = await seed(next);
    const everyone = Array.from({ length: REPS }, (_, i) => `U${String(i).padStart(3, '0')}`);
    const team = new Set(everyone.filter(() => next() < 0.5));
    for (const key of ['revenue', 'demos', 'connect_rate']) {
      const metric = getKpi(key);
      for (const scope of [
        { workspaceId, ...windowPair({ kind: 'week' }, NOW, 'UTC') },
        { workspaceId, team, ...windowPair({ kind: 'week' }, NOW, 'UTC') },
      ]) {
        for (const limit of [1, 3, 10]) {
          const viewerId = pickViewer(everyone, next);
          const expected = await wholeRanking(database, scope, metric, limit);
          const { board, viewer } = await buildLeaderboard(database.db, scope, metric, viewerId, limit);
          expect({ entries: board.entries, improved: board.improved, notEnoughData: board.notEnoughData }).toEqual({
            entries: expected.entries,
            improved: expected.improved,
            notEnoughData: expected.notEnoughData,
          });
          expect(viewer).toEqual(expected.viewer(viewerId));
        }
        const expected = await wholeRanking(database, scope, metric, 10);
        for (const userId of everyone.filter(() => next() < 0.2)) {
          expect(await leaderboardPosition(database.db, scope, metric, userId)).toEqual(expected.viewer(userId));
        }
      }
    }
  });
});

function pickViewer(everyone: readonly string[], next: () => number): string {
  return everyone[Math.floor(next() * everyone.length)] ?? 'U000';
}
