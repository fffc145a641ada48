import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { DateTime, IANAZone } from 'luxon';
import { activityRows, creditedByNote } from '../db/activity-summary.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { goals } from '../db/schema.js';
import { ACTIVITY_KIND_KEYS } from '../kpi/activity-kinds.js';
import type { QuotaGoal } from './badges.js';
import { type DayTotals, type GameProfile, gameProfile, STREAK_KINDS } from './profile.js';
import { getSettings, pointsFor, type WorkspaceSettings } from './settings.js';

/**
 * Game profiles (points, level, streak, badges) of many reps in one query round: one grouped query
 * over the log sums every rep's credited points and activities per local date (each rep in their
 * own zone), one reads their revenue goals for the quota badge (plus one for the settings unless the caller has
 * them); the rest is pure (profile.ts).
 */

export interface GamePerson {
  userId: string;
  timezone: string;
}

function zoneOf(timezone: string): string {
  // An unknown zone would fail the whole query; such a rep is bucketed in UTC, as windows are.
  return IANAZone.isValidZone(timezone) ? timezone : 'UTC';
}

export async function loadGameProfiles(
  db: Database,
  ctx: { workspaceId: string; now: Date; settings?: WorkspaceSettings },
  people: readonly GamePerson[],
): Promise<Map<string, GameProfile>> {
  const result = new Map<string, GameProfile>();
  if (people.length === 0) return result;
  const zones = new Map(people.map((p) => [p.userId, zoneOf(p.timezone)]));
  const userIds = [...zones.keys()];
  const reps = sql.join(
    [...zones].map(([userId, zone]) => sql`(${userId}, ${zone})`),
    sql`, `,
  );
  const settings = ctx.settings ?? (await getSettings(db, ctx.workspaceId));
  const [rows, revenueGoals] = await Promise.all([
    dayRows(db, ctx, reps, userIds, settings),
    db
      .select()
      .from(goals)
      .where(and(eq(goals.workspaceId, ctx.workspaceId), eq(goals.metric, 'revenue'), inArray(goals.userId, userIds))),
  ]);
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

/** Each rep's totals per local day: one row per rep and active day, whatever the number of entries. */
async function dayRows(
  db: Database,
  ctx: { workspaceId: string; now: Date },
  reps: SQL,
  userIds: readonly string[],
  settings: WorkspaceSettings,
): Promise<UserDayRow[]> {
  const credited = creditedByNote(settings.qualityGates, 'a');
  const streakKinds = sql.join(
    STREAK_KINDS.map((k) => sql`${k}`),
    sql`, `,
  );
  return queryRows<UserDayRow>(
    db,
    // Grouped by the local date, formatted once per day rather than once per entry. A quarter-hour of
    // the summary lies within one local day in any zone.
    sql`
      select "userId", to_char(day, 'YYYY-MM-DD') as day, points, activities, "dealsWon", "revenueCents" from (
      select a.user_id as "userId",
             (a.occurred_at at time zone r.zone)::date as day,
             coalesce(sum(case when ${credited} then a.quantity * ${pointsSql(settings)} else 0 end), 0)::float8 as points,
             coalesce(sum(case when ${credited} and a.kind in (${streakKinds}) then a.quantity else 0 end), 0)::int as activities,
             coalesce(sum(case when a.kind = 'deal_won' then a.quantity else 0 end), 0)::int as "dealsWon",
             coalesce(sum(case when a.kind = 'deal_won' then a.amount_cents else 0 end), 0)::float8 as "revenueCents"
      from ${activityRows({ workspaceId: ctx.workspaceId, userIds, from: null, to: ctx.now, through: true })} a
      join (values ${reps}) as r(user_id, zone) on r.user_id = a.user_id
      group by 1, 2) per_day`,
  );
}
