import { type SQL, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { queryRows } from './rows.js';
import { oneOf } from './sql-lists.js';

/**
 * Reading the activity log through its summary (`activity_summary`: sums per rep, kind and
 * quarter-hour of UTC, kept by a trigger in the writing transaction; see the migration
 * `activity_summary`). Every quarter-hour that lies wholly inside what is asked is read from the
 * summary; a quarter-hour cut by an edge (a rolling window ending now) is read from the log, so the
 * figures are exactly the log's.
 */

const QUARTER_HOUR_MS = 15 * 60 * 1000;

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

function floorQuarter(d: Date): Date {
  return new Date(Math.floor(d.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
}

function ceilQuarter(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS);
}

export interface ActivityRowsQuery {
  workspaceId: string;
  /** One rep, some reps, or everyone (null). */
  userIds: readonly string[] | null;
  /** Only these kinds; all when absent. */
  kinds?: readonly string[];
  /** From this instant on; the whole history when null. */
  from: Date | null;
  /** Up to this instant: before it, or at it too when `through`. */
  to: Date;
  through?: boolean;
  /** Every other instant the caller compares `occurred_at` with (a window's start inside the range). */
  edges?: readonly Date[];
}

/**
 * A derived table of the rows in the range, with the columns of the log the figures need:
 * `user_id`, `kind`, `occurred_at` (a quarter-hour's start for summed rows), `note_chars` (see
 * `creditedByNote`), `quantity`, `amount_cents` and `unpriced_quantity` (quantity of rows without
 * an amount). Sum them; a summed row stands for many entries.
 */
export function activityRows(q: ActivityRowsQuery): SQL {
  const summedFrom = q.from === null ? null : ceilQuarter(q.from);
  // With `through`, entries at `to` itself are in: the quarter-hour starting at `to` is the log's.
  const summedTo = floorQuarter(q.to);
  // Quarter-hours cut by an inner edge come from the log.
  const cut = [...new Set((q.edges ?? []).filter(isCut).map((e) => floorQuarter(e).getTime()))]
    .map((ms) => new Date(ms))
    .filter((b) => (summedFrom === null || b >= summedFrom) && b < summedTo);
  const scope = (alias: string) => {
    const a = sql.raw(alias);
    return sql.join(
      [
        sql`${a}.workspace_id = ${q.workspaceId}`,
        ...(q.userIds === null ? [] : [oneOf(sql`${a}.user_id`, q.userIds)]),
        ...(q.kinds === undefined ? [] : [sql`${a}.kind in (${list(q.kinds)})`]),
      ],
      sql` and `,
    );
  };
  const notCut = cut.map((b) => sql` and s.bucket <> ${ts(b)}`);
  const summed = sql`select s.user_id, s.kind, s.bucket as occurred_at, s.note_chars,
      s.quantity, s.amount_cents, s.unpriced_quantity
    from activity_summary s
    where ${scope('s')} ${summedFrom === null ? sql`` : sql`and s.bucket >= ${ts(summedFrom)}`}
      and s.bucket < ${ts(summedTo)}${sql.join(notCut, sql``)}`;
  const logRanges = [
    ...(q.from === null || summedFrom === null || summedFrom.getTime() === q.from.getTime()
      ? []
      : [sql`(a.occurred_at >= ${ts(q.from)} and a.occurred_at < ${ts(summedFrom)})`]),
    sql`(a.occurred_at >= ${ts(summedTo)} and a.occurred_at ${q.through ? sql`<=` : sql`<`} ${ts(q.to)})`,
    ...cut.map(
      (b) => sql`(a.occurred_at >= ${ts(b)} and a.occurred_at < ${ts(new Date(b.getTime() + QUARTER_HOUR_MS))})`,
    ),
  ];
  const logged = sql`select a.user_id, a.kind, a.occurred_at,
      activity_note_chars(a.note, (select o.note from activities o where o.id = a.reverses_id)) as note_chars,
      a.quantity::bigint as quantity, a.amount_cents,
      (case when a.amount_cents = 0 then a.quantity else 0 end)::bigint as unpriced_quantity
    from activities a
    where ${scope('a')} and (${sql.join(logRanges, sql` or `)})`;
  return sql`(${summed} union all ${logged})`;
}

function isCut(edge: Date): boolean {
  return edge.getTime() % QUARTER_HOUR_MS !== 0;
}

function list(values: readonly string[]): SQL {
  return values.length === 0
    ? sql`null`
    : sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      );
}

/** Notes a quality gate asks for, per kind: `minNoteChars` characters (see game/settings.ts). */
export type NoteGates = Readonly<Record<string, { minNoteChars: number } | undefined>>;

/** True for a row of `activityRows` (alias `alias`) that earns credit under the quality gates. */
export function creditedByNote(gates: NoteGates, alias: string): SQL {
  const gated = Object.entries(gates).flatMap(([kind, gate]) => (gate === undefined ? [] : [[kind, gate] as const]));
  if (gated.length === 0) return sql`true`;
  const a = sql.raw(alias);
  return sql.join(
    gated.map(([kind, gate]) => sql`(${a}.kind <> ${kind} or ${a}.note_chars >= ${gate.minNoteChars})`),
    sql` and `,
  );
}

/** The first quarter-hour in which the rep has an entry, or null. */
export async function firstEntryBucket(db: Database, workspaceId: string, userId: string): Promise<Date | null> {
  const rows = await queryRows<{ first: Date | string | null }>(
    db,
    sql`select min(bucket) as first from activity_summary where workspace_id = ${workspaceId} and user_id = ${userId}`,
  );
  const first = rows[0]?.first;
  return first ? new Date(first) : null;
}

/**
 * Recomputes a workspace's summary and its per-day roll-up from its log. Writers of the workspace take the same lock,
 * shared, in the trigger: a rebuild waits for those in flight and they wait for it, so none is
 * counted twice or lost, and readers go on meanwhile.
 */
export async function rebuildActivitySummary(db: Database, workspaceId: string): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`activity_summary:${workspaceId}`}, 0))`);
    const rows = await replaceRows(tx, workspaceId, 'activity_summary', 'activity_summary_from_log', SUMMARY_KEY);
    // The per-day roll-up (migration `read_rollups`), each rep's days in their zone as it is now.
    await tx.execute(sql`delete from activity_day_zones where workspace_id = ${workspaceId}`);
    await tx.execute(sql`insert into activity_day_zones (workspace_id, user_id, zone)
      select workspace_id, user_id, activity_rep_zone(workspace_id, user_id)
      from (select distinct workspace_id, user_id from activities where workspace_id = ${workspaceId}) r`);
    await replaceRows(tx, workspaceId, 'activity_days', 'activity_days_from_log', DAYS_KEY);
    return rows;
  });
}

const SUMMARY_KEY = ['user_id', 'bucket', 'kind', 'note_chars'] as const;
const DAYS_KEY = ['user_id', 'day', 'kind', 'note_chars'] as const;

/**
 * Makes the workspace's rows of `table` those of the view `fresh`, writing only the rows that
 * differ: rebuilding a sound summary of 10M entries rewrites nothing (a delete and insert of every
 * row cost minutes of index upkeep and WAL), and an empty one is filled in one pass.
 * `key` is the table's unique key after `workspace_id`; both list their columns in the same order.
 * Returns how many rows the workspace has now.
 */
async function replaceRows(
  tx: Database,
  workspaceId: string,
  table: string,
  fresh: string,
  key: readonly string[],
): Promise<number> {
  const [target, view] = [sql.identifier(table), sql.identifier(fresh)];
  const [kept] = await queryRows<{ any: boolean }>(
    tx,
    sql`select exists (select 1 from ${target} where workspace_id = ${workspaceId}) as any`,
  );
  if (!kept?.any) {
    // Nothing to compare with (a bulk load, a lost summary): straight from the log.
    const rows = await queryRows<{ n: number }>(
      tx,
      sql`with inserted as (insert into ${target} select * from ${view} where workspace_id = ${workspaceId} returning 1)
        select count(*)::int as n from inserted`,
    );
    return rows[0]?.n ?? 0;
  }
  await tx.execute(sql`create temporary table fresh_rows as select * from ${view} where workspace_id = ${workspaceId}`);
  const sameKey = sql.join(
    key.map((column) => sql`t.${sql.identifier(column)} = stale.${sql.identifier(column)}`),
    sql` and `,
  );
  await tx.execute(sql`delete from ${target} t
    using (select * from ${target} where workspace_id = ${workspaceId} except all select * from fresh_rows) stale
    where t.workspace_id = ${workspaceId} and ${sameKey}`);
  await tx.execute(sql`insert into ${target}
    select * from fresh_rows except all select * from ${target} where workspace_id = ${workspaceId}`);
  const rows = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from fresh_rows`);
  await tx.execute(sql`drop table fresh_rows`);
  return rows[0]?.n ?? 0;
}

/** Every workspace with a log or a summary, for rebuilding them all. */
export async function summarizedWorkspaces(db: Database): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select distinct workspace_id as id from activities
        union select distinct workspace_id from activity_summary order by 1`,
  );
  return rows.map((r) => r.id);
}
