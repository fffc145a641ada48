import { and, eq, inArray, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { activityRows, creditedByNote } from '../db/activity-summary.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { goals } from '../db/schema.js';
import type { Goal } from '../goals/goals.repository.js';
import { ACTIVITY_KIND_KEYS } from '../kpi/activity-kinds.js';
import { zoneOrUtc } from '../lib/zone.js';
import type { QuotaGoal } from './badges.js';
import { type DayTotals, type GameProfile, gameProfile, STREAK_KINDS } from './profile.js';
import { getSettings, pointsFor, type WorkspaceSettings } from './settings.js';

/**
 * Game profiles (points, level, streak, badges) of many reps in one query round: the zones their
 * per-day roll-up is kept in, their revenue goals (for the quota badge), and one grouped query
 * summing every rep's credited points and activities per local date (each rep in their own zone),
 * from the roll-up before today; a second round only for reps asked in another zone than their
 * roll-up's. The rest is pure (profile.ts).
 */

export interface GamePerson {
  userId: string;
  timezone: string;
  /** The zone their days are kept in (null: none yet), when already read (see `keptZoneColumn`). */
  keptZone?: string | null;
}

/** The zone a rep's `activity_days` are kept in, as a column of another read (the actor's). */
export function keptZoneColumn(workspaceId: SQLWrapper | string, userId: SQLWrapper | string): SQL<string | null> {
  return sql<
    string | null
  >`(select zone from activity_day_zones where workspace_id = ${workspaceId} and user_id = ${userId})`;
}

export async function loadGameProfiles(
  db: Database,
  ctx: { workspaceId: string; now: Date; settings?: WorkspaceSettings },
  people: readonly GamePerson[],
  /** These people's goals, live and archived, when the caller reads them anyway (see `goalHistory`). */
  goalsRead?: Promise<readonly Goal[]>,
): Promise<Map<string, GameProfile>> {
  const result = new Map<string, GameProfile>();
  if (people.length === 0) return result;
  const zones = new Map(people.map((p) => [p.userId, zoneOrUtc(p.timezone)]));
  const userIds = [...zones.keys()];
  const settings = ctx.settings ?? (await getSettings(db, ctx.workspaceId));
  // Nearly every rep's days are kept in the zone asked: they are read so alongside the kept zones,
  // in one round trip, and only reps kept in another zone are read again, from the log.
  const [kept, revenueGoals, asKept] = await Promise.all([
    people.every((p) => p.keptZone !== undefined)
      ? new Map(people.flatMap((p) => (p.keptZone ? [[p.userId, p.keptZone] as const] : [])))
      : keptZones(db, ctx.workspaceId, userIds),
    goalsRead
      ? goalsRead.then((rows) => rows.filter((g) => g.metric === 'revenue'))
      : db
          .select()
          .from(goals)
          .where(
            and(eq(goals.workspaceId, ctx.workspaceId), eq(goals.metric, 'revenue'), inArray(goals.userId, userIds)),
          ),
    dayRows(db, ctx, { rolled: [...zones], fromLog: [] }, settings),
  ]);
  // A rep without a kept zone has no entries yet: the zone row comes with the first one.
  const elsewhere = [...zones].filter(([userId, zone]) => kept.has(userId) && kept.get(userId) !== zone);
  const moved = new Set(elsewhere.map(([userId]) => userId));
  const rows =
    moved.size === 0
      ? asKept
      : [
          ...asKept.filter((r) => !moved.has(r.userId)),
          ...(await dayRows(db, ctx, { rolled: [], fromLog: elsewhere }, settings)),
        ];
  const rowsByUser = new Map<string, DayTotals[]>();
  for (const { userId, ...row } of rows) {
    const list = rowsByUser.get(userId);
    if (list) list.push(row);
    else rowsByUser.set(userId, [row]);
  }
  for (const [userId, zone] of zones) {
    const localDate = (d: Date) => DateTime.fromJSDate(d, { zone }).toISODate() ?? '';
    const quotaGoals: QuotaGoal[] = revenueGoals
      .filter((g) => g.userId === userId)
      .map((g) => ({
        period: g.period,
        target: g.target,
        startsOn: g.startsOn,
        endsOn: g.endsOn,
        createdOn: localDate(g.createdAt),
        liveUntil: localDate(g.archivedAt ?? ctx.now),
      }));
    result.set(
      userId,
      gameProfile({ days: rowsByUser.get(userId) ?? [], settings, now: ctx.now, timezone: zone, quotaGoals }),
    );
  }
  return result;
}

type UserDayRow = DayTotals & { userId: string };

/** Points of one entry: its kind's weight from the settings, when it passes the quality gates. */
function pointsSql(settings: WorkspaceSettings): SQL {
  const weights = sql.join(
    ACTIVITY_KIND_KEYS.map((k) => sql`when ${k} then ${pointsFor(settings, k)}::float8`),
    sql` `,
  );
  return sql`(case a.kind ${weights} else 0 end)`;
}

/** The zone each rep's `activity_days` are kept in (see the migration `read_rollups`). */
async function keptZones(db: Database, workspaceId: string, userIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await queryRows<{ userId: string; zone: string }>(
    db,
    sql`select user_id as "userId", zone from activity_day_zones
        where workspace_id = ${workspaceId} and user_id in (${sql.join(
          userIds.map((u) => sql`${u}`),
          sql`, `,
        )})`,
  );
  return new Map(rows.map((r) => [r.userId, r.zone]));
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/**
 * Each rep's totals per local day: one row per rep and active day, whatever the number of entries.
 * `rolled`: reps whose days before today come from the per-day roll-up, kept in the zone asked,
 * and today (up to and including now) from the summary and the log; `fromLog`: reps asked in
 * another zone than their roll-up's, read wholly from the summary and the log.
 */
async function dayRows(
  db: Database,
  ctx: { workspaceId: string; now: Date },
  reps: { rolled: readonly (readonly [string, string])[]; fromLog: readonly (readonly [string, string])[] },
  settings: WorkspaceSettings,
): Promise<UserDayRow[]> {
  const { rolled, fromLog: others } = reps;
  const today = rolled.map(([userId, zone]) => {
    const midnight = DateTime.fromJSDate(ctx.now, { zone }).startOf('day');
    return { userId, zone, day: midnight.toISODate() ?? '', start: midnight.toJSDate() };
  });
  const fromLog = (reps: readonly { userId: string; zone: string; start?: Date }[], from: Date | null) => {
    const values = sql.join(
      reps.map((r) => sql`(${r.userId}, ${r.zone}, ${r.start ? ts(r.start) : sql`null::timestamptz`})`),
      sql`, `,
    );
    const rows = activityRows({
      workspaceId: ctx.workspaceId,
      userIds: reps.map((r) => r.userId),
      from,
      to: ctx.now,
      through: true,
    });
    return sql`select a.user_id, (a.occurred_at at time zone r.zone)::date as day, a.kind, a.note_chars, a.quantity, a.amount_cents
      from ${rows} a join (values ${values}) as r(user_id, zone, start) on r.user_id = a.user_id
      where r.start is null or a.occurred_at >= r.start`;
  };
  const parts: SQL[] = [];
  if (today.length > 0) {
    const values = sql.join(
      today.map((r) => sql`(${r.userId}, ${r.day}::date)`),
      sql`, `,
    );
    parts.push(sql`select d.user_id, d.day, d.kind, d.note_chars, d.quantity, d.amount_cents
      from activity_days d join (values ${values}) as r(user_id, today) on r.user_id = d.user_id
      where d.workspace_id = ${ctx.workspaceId} and d.user_id in (${sql.join(
        today.map((r) => sql`${r.userId}`),
        sql`, `,
      )}) and d.day < r.today`);
    const earliest = new Date(Math.min(...today.map((r) => r.start.getTime())));
    parts.push(fromLog(today, earliest));
  }
  if (others.length > 0)
    parts.push(
      fromLog(
        others.map(([userId, zone]) => ({ userId, zone })),
        null,
      ),
    );
  const credited = creditedByNote(settings.qualityGates, 'a');
  const streakKinds = sql.join(
    STREAK_KINDS.map((k) => sql`${k}`),
    sql`, `,
  );
  return queryRows<UserDayRow>(
    db,
    // Grouped by the local date, formatted once per day rather than once per row.
    sql`
      select "userId", to_char(day, 'YYYY-MM-DD') as day, points, activities, "dealsWon", "revenueCents" from (
      select a.user_id as "userId", a.day,
             coalesce(sum(case when ${credited} then a.quantity * ${pointsSql(settings)} else 0 end), 0)::float8 as points,
             coalesce(sum(case when ${credited} and a.kind in (${streakKinds}) then a.quantity else 0 end), 0)::int as activities,
             coalesce(sum(case when a.kind = 'deal_won' then a.quantity else 0 end), 0)::int as "dealsWon",
             coalesce(sum(case when a.kind = 'deal_won' then a.amount_cents else 0 end), 0)::float8 as "revenueCents"
      from (${sql.join(parts, sql` union all `)}) a
      group by 1, 2) per_day`,
  );
}
