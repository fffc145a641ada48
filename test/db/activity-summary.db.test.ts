import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Activity,
  appendReversal,
  findActivity,
  recordActivity,
} from '../../src/activities/activities.repository.js';
import { rebuildActivitySummary } from '../../src/db/activity-summary.js';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { loadGameProfiles } from '../../src/game/game.queries.js';
import { type DayTotals, gameProfile, STREAK_KINDS } from '../../src/game/profile.js';
import { parseSettings, pointsFor, type WorkspaceSettings } from '../../src/game/settings.js';
import { periodHistory } from '../../src/goals/goal-history.js';
import { ACTIVITY_KINDS, type ActivityKind } from '../../src/kpi/activity-kinds.js';
import { getKpi } from '../../src/kpi/catalogue.js';
import type { ActivityTotals } from '../../src/kpi/facts.js';
import { loadFactsByUser } from '../../src/kpi/kpi.queries.js';
import { windowPair } from '../../src/kpi/scope.js';
import type { TimeWindow } from '../../src/kpi/windows.js';
import { forgetMember } from '../../src/privacy/forget.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

/**
 * The summary and the per-day roll-up are only faster ways to read the log: over random logs,
 * undos, CRM corrections, forgotten reps, reps changing zone and quality gates, every figure read
 * through them (window totals, game profiles in a rep's old and new zone, goal history) equals the
 * same figure recomputed here from the log rows, and what is stored equals its rebuild.
 */

let handle: DatabaseHandle;
let db: Database;

const USERS = ['U1', 'U2', 'U3'] as const;
const KINDS: readonly ActivityKind[] = ['call', 'conversation', 'deal_won'];
const ZONES = ['UTC', 'America/New_York', 'Asia/Kathmandu', 'Australia/Eucla'] as const;
/** Mon 2 Mar 2026 00:00 UTC; entries fall in the 20 days after, across New York's clock change on 8 Mar. */
const BASE = Date.parse('2026-03-02T00:00:00Z');
const DAY = 24 * 3600 * 1000;
const SPAN_MS = 20 * DAY;
const QUARTER = 15 * 60 * 1000;
/** A rolling window's length, like the nudges' seven days: off any quarter-hour. */
const ROLLING_MS = 3 * DAY + 12_345;

type Op =
  | { op: 'log'; user: number; kind: number; quantity: number; amount: number; at: number; note: string | null }
  | { op: 'undo'; pick: number }
  | { op: 'correct'; pick: number; amount: number }
  | { op: 'forget'; user: number; mode: 'anonymise' | 'delete' }
  | { op: 'zone'; user: number; zone: (typeof ZONES)[number] | null };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: logArb() },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('undo' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('correct' as const),
      pick: fc.nat(),
      amount: fc.integer({ min: 0, max: 9 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('forget' as const),
      user: fc.nat(USERS.length - 1),
      mode: fc.constantFrom('anonymise' as const, 'delete' as const),
    }),
  },
  // A rep moving zone (or their zone becoming unknown) between entries: their days are rebuilt.
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('zone' as const),
      user: fc.nat(USERS.length - 1),
      zone: fc.option(fc.constantFrom(...ZONES)),
    }),
  },
);

function logArb() {
  return fc.record({
    op: fc.constant('log' as const),
    user: fc.nat(USERS.length - 1),
    kind: fc.nat(KINDS.length - 1),
    quantity: fc.integer({ min: 1, max: 5 }),
    amount: fc.integer({ min: 0, max: 9 }),
    // Milliseconds, so entries land inside quarter-hours and on their edges.
    at: fc.oneof(
      fc.nat(SPAN_MS),
      fc.nat(SPAN_MS / 900_000).map((q) => q * 900_000),
    ),
    note: fc.option(fc.string({ unit: fc.constantFrom('a', 'b', ' '), maxLength: 10 })),
  });
}

/** What is asked: gates, the moment, each rep's zone before and after a change, and a rolling window. */
const askArb = fc.record({
  // Longer than an undo's own note (4 characters) too, so a reversal is credited by its original's.
  gate: fc.option(fc.integer({ min: 1, max: 8 }), { freq: 4 }),
  // Any millisecond in the span's second half: the entries are placed around it.
  now: fc.integer({ min: SPAN_MS / 2, max: SPAN_MS }),
  zone: fc.constantFrom(...ZONES),
  newZone: fc.constantFrom(...ZONES),
  period: fc.constantFrom('today' as const, 'week' as const, 'last_week' as const, 'month' as const),
});

describeDb('activity summary', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
  });
  afterAll(async () => handle.close());

  it('gives the same figures as the log, and equals its rebuild', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), askArb, async (ops, ask) => {
        const ws = newWorkspaceId();
        await setZones(ws, ask.zone);
        await apply(ws, ops, BASE + ask.now);
        await expectSummaryEqualsLog(ws);

        const log = await logRows(ws);
        const settings = parseSettings(
          ask.gate === null ? {} : { qualityGates: { conversation: { minNoteChars: ask.gate } } },
        );
        const now = new Date(BASE + ask.now);
        const rolling = rollingPair(now);
        for (const pair of [windowPair({ kind: ask.period }, now, ask.zone), rolling]) {
          const scope = { workspaceId: ws, userId: null, credit: settings.qualityGates, ...pair, quotaPeriod: null };
          const facts = await loadFactsByUser(db, scope);
          const got = Object.fromEntries(
            [...facts].map(([u, f]) => [u, { current: f.current.activities, previous: f.previous.activities }]),
          );
          expect(got).toEqual(expectedTotals(log, pair.window, pair.previous, settings));
        }
        // Every rep in one zone, then all moving to another: the summary serves both, and the days
        // are rebuilt in the new zone; a rep asked in a zone their days are not kept in (a Home
        // showing another zone) is read from the summary.
        for (const zone of [ask.zone, ask.newZone]) {
          await setZones(ws, zone);
          await expectSummaryEqualsLog(ws);
          const kept = await queryRows<{ zone: string }>(
            db,
            sql`select distinct zone from activity_day_zones where workspace_id = ${ws} and user_id in (${sql.join(
              USERS.map((u) => sql`${u}`),
              sql`, `,
            )})`,
          );
          expect(kept.map((k) => k.zone)).toEqual(kept.length === 0 ? [] : [zone]);
          const people = USERS.map((userId) => ({ userId, timezone: zone }));
          const profiles = await loadGameProfiles(db, { workspaceId: ws, now, settings }, people);
          for (const { userId } of people) {
            const days = expectedDays(log, userId, zone, now, settings);
            expect(profiles.get(userId)).toEqual(gameProfile({ days, settings, now, timezone: zone, quotaGoals: [] }));
          }
          const elsewhere = zone === 'UTC' ? 'Asia/Kathmandu' : 'UTC';
          const other = await loadGameProfiles(db, { workspaceId: ws, now, settings }, [
            { userId: 'U1', timezone: elsewhere },
          ]);
          expect(other.get('U1')).toEqual(
            gameProfile({
              days: expectedDays(log, 'U1', elsewhere, now, settings),
              settings,
              now,
              timezone: elsewhere,
              quotaGoals: [],
            }),
          );
          const history = await periodHistory(db, {
            workspaceId: ws,
            userId: 'U1',
            def: getKpi('calls'),
            base: 'week',
            now,
            timezone: zone,
          });
          expect(history).toEqual(expectedWeeks(log, 'U1', zone, now));
        }
      }),
      {
        numRuns: 40,
        examples: [
          // A gated conversation undone a minute before now, in the quarter-hour "today" ends in: the
          // undo's own note is too short, its original's is long enough, so it takes the credit back.
          [
            [
              { op: 'log', user: 0, kind: 1, quantity: 2, amount: 0, at: -60_000, note: 'aaaaaaaa' },
              { op: 'undo', pick: 0 },
            ],
            { gate: 6, now: SPAN_MS / 2 + 600_007, zone: 'UTC', newZone: 'Asia/Kathmandu', period: 'today' },
          ],
          // Entries exactly at now count for the game (up to and including now), not for windows.
          [
            [
              { op: 'log', user: 0, kind: 0, quantity: 3, amount: 0, at: 0, note: null },
              { op: 'log', user: 0, kind: 0, quantity: 1, amount: 0, at: -QUARTER, note: null },
            ],
            { gate: null, now: SPAN_MS / 2 + 3 * QUARTER, zone: 'Australia/Eucla', newZone: 'UTC', period: 'week' },
          ],
          // A rep logs in Kathmandu, moves to New York, logs again, is undone: days follow each move.
          [
            [
              { op: 'log', user: 0, kind: 0, quantity: 2, amount: 0, at: -DAY - 3 * QUARTER, note: null },
              { op: 'zone', user: 0, zone: 'America/New_York' },
              { op: 'log', user: 0, kind: 2, quantity: 1, amount: 4, at: -2 * DAY, note: null },
              { op: 'undo', pick: 0 },
              { op: 'zone', user: 0, zone: null },
            ],
            { gate: null, now: SPAN_MS / 2, zone: 'Asia/Kathmandu', newZone: 'Asia/Kathmandu', period: 'week' },
          ],
        ],
      },
    );
  }, 180_000);

  it('keeps every increment of concurrent writers to the same quarter-hour', async () => {
    const ws = newWorkspaceId();
    const at = new Date('2026-03-03T10:05:00Z');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordActivity(db, {
          workspaceId: ws,
          userId: 'U1',
          kind: 'call',
          quantity: i + 1,
          amountCents: 0,
          occurredAt: new Date(at.getTime() + i * 1000),
          source: 'slack',
          idempotencyKey: `c${i}`,
        }),
      ),
    );
    const rows = await queryRows<{ entries: number; quantity: number }>(
      db,
      sql`select entries, quantity::int as quantity from activity_summary where workspace_id = ${ws}`,
    );
    expect(rows).toEqual([{ entries: 20, quantity: 210 }]);
  });

  it('can be rebuilt while reps log: nothing counted twice, nothing lost', async () => {
    const ws = newWorkspaceId();
    const entry = (i: number) =>
      recordActivity(db, {
        workspaceId: ws,
        userId: USERS[i % USERS.length] ?? 'U1',
        kind: 'call',
        quantity: 1 + (i % 4),
        amountCents: 0,
        occurredAt: new Date(BASE + (i % 7) * QUARTER + i),
        source: 'slack',
        idempotencyKey: `r${i}`,
      });
    await Promise.all(Array.from({ length: 40 }, (_, i) => entry(i)));
    await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => entry(40 + i)),
      rebuildActivitySummary(db, ws),
      rebuildActivitySummary(db, ws),
    ]);
    const [total] = await queryRows<{ q: number }>(
      db,
      sql`select sum(quantity)::int as q from activity_summary where workspace_id = ${ws}`,
    );
    expect(total?.q).toBe(sum(Array.from({ length: 100 }, (_, i) => 1 + (i % 4))));
    await expectSummaryEqualsLog(ws);
  });

  it('mends a summary gone wrong (rows changed, lost and extra, or all lost) and leaves other workspaces alone', async () => {
    const [ws, other] = [newWorkspaceId(), newWorkspaceId()];
    for (const workspaceId of [ws, other]) {
      for (let i = 0; i < 12; i++) {
        await recordActivity(db, {
          workspaceId,
          userId: USERS[i % USERS.length] ?? 'U1',
          kind: KINDS[i % KINDS.length] ?? 'call',
          quantity: 1 + (i % 3),
          amountCents: i % 3 === 2 ? 50_000 : 0,
          occurredAt: new Date(BASE + i * 5 * QUARTER),
          source: 'slack',
          idempotencyKey: `m${i}`,
        });
      }
    }
    const untouched = async () =>
      queryRows(
        db,
        sql`select (select count(*) from activity_summary where workspace_id = ${other})::int as summary,
          (select sum(quantity) from activity_days where workspace_id = ${other})::int as days`,
      );
    const before = await untouched();
    for (const table of ['activity_summary', 'activity_days']) {
      const t = sql.identifier(table);
      await db.execute(sql`update ${t} set quantity = quantity + 7
        where (workspace_id, user_id) = (${ws}, 'U1') and kind = 'call'`);
      await db.execute(sql`delete from ${t} where (workspace_id, user_id, kind) = (${ws}, 'U2', 'conversation')`);
      await db.execute(sql`update ${t} set user_id = 'U9' where workspace_id = ${ws} and user_id = 'U3'
        and kind = 'deal_won'`);
    }
    const rows = await rebuildActivitySummary(db, ws);
    await expectSummaryEqualsLog(ws);
    const [count] = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from activity_summary where workspace_id = ${ws}`,
    );
    expect(rows).toBe(count?.n);
    // Lost altogether, it is filled again from the log.
    for (const table of ['activity_summary', 'activity_days'])
      await db.execute(sql`delete from ${sql.identifier(table)} where workspace_id = ${ws}`);
    expect(await rebuildActivitySummary(db, ws)).toBe(rows);
    await expectSummaryEqualsLog(ws);
    expect(await untouched()).toEqual(before);
  });
});

async function apply(ws: string, ops: readonly Op[], asked: number): Promise<void> {
  let seq = 0;
  const now = new Date(BASE + SPAN_MS);
  const standing = async () =>
    queryRows<{ id: number }>(
      db,
      sql`select a.id::int as id from activities a where a.workspace_id = ${ws} and a.reverses_id is null
            and not exists (select 1 from activities r where r.reverses_id = a.id) order by a.id`,
    );
  const pick = async (n: number): Promise<Activity | undefined> => {
    const rows = await standing();
    const id = rows[n % Math.max(rows.length, 1)]?.id;
    return id === undefined ? undefined : findActivity(db, ws, id);
  };
  for (const op of ops) {
    if (op.op === 'log') {
      const kind = KINDS[op.kind] ?? 'call';
      await recordActivity(db, {
        workspaceId: ws,
        userId: USERS[op.user] ?? 'U1',
        kind,
        quantity: op.quantity,
        amountCents: ACTIVITY_KINDS[kind].money ? op.amount * 100_000 : 0,
        occurredAt: new Date(asked + op.at),
        source: 'slack',
        idempotencyKey: `k${++seq}`,
        note: op.note,
      });
    } else if (op.op === 'undo') {
      const original = await pick(op.pick);
      if (original) await appendReversal(db, original, now, original.userId);
    } else if (op.op === 'correct') {
      // A CRM correction: the entry is reversed and replaced by one with the new amount.
      const original = await pick(op.pick);
      if (!original) continue;
      await appendReversal(db, original, now, null);
      await recordActivity(db, {
        workspaceId: ws,
        userId: original.userId,
        kind: original.kind as ActivityKind,
        quantity: original.quantity,
        amountCents: ACTIVITY_KINDS[original.kind as ActivityKind].money ? op.amount * 100_000 : 0,
        occurredAt: original.occurredAt,
        source: 'hubspot',
        idempotencyKey: `k${++seq}`,
        note: original.note,
      });
    } else if (op.op === 'zone') {
      await db.execute(
        sql`update members set timezone = ${op.zone} where workspace_id = ${ws} and user_id = ${USERS[op.user] ?? 'U1'}`,
      );
    } else {
      await forgetMember(db, {
        workspaceId: ws,
        userId: USERS[op.user] ?? 'U1',
        actorId: 'UADMIN',
        mode: op.mode,
        at: now,
      });
    }
  }
}

/** Every rep of the workspace a member in `zone` (inserted, or moved there). */
async function setZones(ws: string, zone: string): Promise<void> {
  for (const userId of USERS) {
    await db.execute(sql`insert into members (workspace_id, user_id, display_name, timezone)
      values (${ws}, ${userId}, ${userId}, ${zone})
      on conflict (workspace_id, user_id) do update set timezone = excluded.timezone`);
  }
}

async function expectSummaryEqualsLog(ws: string): Promise<void> {
  const read = (from: string) =>
    queryRows(
      db,
      sql`select user_id, bucket::text as bucket, kind, note_chars, entries, quantity::float8 as quantity,
            amount_cents::float8 as amount_cents, unpriced_quantity::float8 as unpriced_quantity
          from ${sql.raw(from)} where workspace_id = ${ws} order by 1, 2, 3, 4`,
    );
  // Each rep's days in the zone they are kept in, and that zone the rep's own (or UTC).
  const days = (from: string) =>
    queryRows(
      db,
      sql`select user_id, day::text as day, kind, note_chars, entries, quantity::float8 as quantity,
            amount_cents::float8 as amount_cents
          from ${sql.raw(from)} where workspace_id = ${ws} order by 1, 2, 3, 4`,
    );
  const zones = () =>
    queryRows(
      db,
      sql`select user_id, zone, activity_rep_zone(workspace_id, user_id) as own from activity_day_zones
          where workspace_id = ${ws} order by 1`,
    );
  const kept = await read('activity_summary');
  expect(kept).toEqual(await read('activity_summary_from_log'));
  const keptDays = await days('activity_days');
  expect(keptDays).toEqual(await days('activity_days_from_log'));
  const keptZones = await zones();
  for (const z of keptZones) expect(z.zone).toBe(z.own);
  const logged = await queryRows<{ user_id: string }>(
    db,
    sql`select distinct user_id from activities where workspace_id = ${ws} order by 1`,
  );
  expect(keptZones.map((z) => z.user_id)).toEqual(logged.map((r) => r.user_id));
  await rebuildActivitySummary(db, ws);
  expect(await read('activity_summary')).toEqual(kept);
  expect(await days('activity_days')).toEqual(keptDays);
  expect(await zones()).toEqual(keptZones);
}

interface LogRow {
  userId: string;
  kind: ActivityKind;
  quantity: number;
  amountCents: number;
  at: number;
  /** The note a gate reads: the longer of its own and, for a reversal, its original's. */
  noteChars: number;
}

async function logRows(ws: string): Promise<LogRow[]> {
  const rows = await queryRows<{
    u: string;
    k: string;
    q: number;
    a: number;
    at: string;
    n: string | null;
    o: string | null;
  }>(
    db,
    sql`select a.user_id as u, a.kind as k, a.quantity as q, a.amount_cents::float8 as a,
          to_char(a.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, a.note as n, o.note as o
        from activities a left join activities o on o.id = a.reverses_id where a.workspace_id = ${ws}`,
  );
  return rows.map((r) => ({
    userId: r.u,
    kind: r.k as ActivityKind,
    quantity: r.q,
    amountCents: r.a,
    at: Date.parse(r.at),
    noteChars: Math.max((r.n ?? '').length, (r.o ?? '').length),
  }));
}

function credited(row: LogRow, settings: WorkspaceSettings): boolean {
  const gate = settings.qualityGates[row.kind];
  return gate === undefined || row.noteChars >= gate.minNoteChars;
}

function rollingPair(now: Date) {
  const range = (start: number, end: number): TimeWindow => ({
    spec: { kind: 'range', from: '2026-01-01', to: '2026-01-01' },
    start: new Date(start),
    end: new Date(end),
    timezone: 'UTC',
    label: 'rolling',
  });
  const start = now.getTime() - ROLLING_MS;
  return { window: range(start, now.getTime()), previous: range(start - ROLLING_MS, start), quotaPeriod: null };
}

function expectedTotals(log: readonly LogRow[], w: TimeWindow, p: TimeWindow, settings: WorkspaceSettings) {
  const inside = (row: LogRow, t: TimeWindow) => row.at >= t.start.getTime() && row.at < t.end.getTime();
  const result: Record<string, { current: ActivityTotals; previous: ActivityTotals }> = {};
  for (const row of log) {
    if (!credited(row, settings)) continue;
    const which = inside(row, w) ? 'current' : inside(row, p) ? 'previous' : null;
    if (which === null) continue;
    result[row.userId] ??= { current: {}, previous: {} };
  }
  for (const [userId, pair] of Object.entries(result)) {
    for (const [which, t] of [
      ['current', w],
      ['previous', p],
    ] as const) {
      for (const kind of KINDS) {
        const rows = log.filter((r) => r.userId === userId && r.kind === kind && inside(r, t) && credited(r, settings));
        const quantity = sum(rows.map((r) => r.quantity));
        const amountCents = sum(rows.map((r) => r.amountCents));
        const withoutAmount = sum(rows.filter((r) => r.amountCents === 0).map((r) => r.quantity));
        if (quantity === 0 && amountCents === 0) continue;
        pair[which][kind] =
          withoutAmount === 0 || !ACTIVITY_KINDS[kind].money
            ? { quantity, amountCents }
            : { quantity, amountCents, withoutAmount };
      }
    }
  }
  return result;
}

function expectedDays(log: readonly LogRow[], userId: string, zone: string, now: Date, settings: WorkspaceSettings) {
  const days = new Map<string, DayTotals>();
  for (const row of log) {
    if (row.userId !== userId || row.at > now.getTime()) continue;
    const day = DateTime.fromMillis(row.at, { zone }).toISODate() ?? '';
    const t = days.get(day) ?? { day, points: 0, activities: 0, dealsWon: 0, revenueCents: 0 };
    if (credited(row, settings)) {
      t.points += row.quantity * pointsFor(settings, row.kind);
      if (STREAK_KINDS.includes(row.kind)) t.activities += row.quantity;
    }
    if (row.kind === 'deal_won') {
      t.dealsWon += row.quantity;
      t.revenueCents += row.amountCents;
    }
    days.set(day, t);
  }
  return [...days.values()];
}

function expectedWeeks(log: readonly LogRow[], userId: string, zone: string, now: Date): number[] {
  const mine = log.filter((r) => r.userId === userId);
  if (mine.length === 0) return [];
  const week = (at: number) => DateTime.fromMillis(at, { zone }).startOf('week');
  const first = week(Math.min(...mine.map((r) => r.at)));
  const current = DateTime.fromJSDate(now, { zone }).startOf('week');
  const weeks: number[] = [];
  for (let w = current.minus({ weeks: 8 }); w < current; w = w.plus({ weeks: 1 })) {
    if (w < first) continue;
    const start = w.toMillis();
    const end = w.plus({ weeks: 1 }).toMillis();
    weeks.push(sum(mine.filter((r) => r.kind === 'call' && r.at >= start && r.at < end).map((r) => r.quantity)));
  }
  return weeks;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
