import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { loadFactsByUser } from '../kpi/kpi.queries.js';
import type { TimeWindow } from '../kpi/windows.js';
import { FOLLOW_UP_AFTER_DAYS, LEAD_WAIT_MINUTES, NO_SIGNALS, PROSPECT_DAYS, type RepSignals } from './nudge-rules.js';

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** A member whose scheduled DM is due, with the zone and local date it was decided in. */
export interface DueMember {
  workspaceId: string;
  userId: string;
  displayName: string;
  timezone: string;
  /** yyyy-mm-dd in `timezone`. */
  localDate: string;
  currency: string;
  settings: unknown;
}

/**
 * The members of installed workspaces (not bots, not deleted) with each one's local time at `now`:
 * their own zone, else the workspace's, else UTC; a zone PostgreSQL does not know falls back the
 * same way rather than failing the whole query.
 */
function localClock(now: Date, workspaceId: string | undefined, where: SQL): SQL {
  return sql`with zones as (select name from pg_timezone_names),
    people as (
      select m.workspace_id, m.user_id, m.display_name, m.nudge_time, m.role, m.is_slack_admin,
        w.currency, w.settings,
        case when m.timezone in (select name from zones) then m.timezone
             when w.default_timezone in (select name from zones) then w.default_timezone
             else 'UTC' end as tz
      from members m join workspaces w on w.id = m.workspace_id
      where not m.is_bot and not m.is_deleted and w.uninstalled_at is null
        and ${workspaceId === undefined ? sql`true` : sql`w.id = ${workspaceId}`} and ${where}
    ),
    clocks as (select people.*, (${ts(now)} at time zone tz) as local from people)`;
}

const toDueMember = (r: Record<string, unknown>): DueMember => ({
  workspaceId: String(r.workspace_id),
  userId: String(r.user_id),
  displayName: String(r.display_name),
  timezone: String(r.tz),
  localDate: String(r.local_date),
  currency: String(r.currency),
  settings: r.settings,
});

/**
 * Members whose nudge is due at `now`: nudges on, a working day in their zone (Monday to Friday,
 * not one of the workspace's holidays), their nudge time reached, and today's nudge not decided yet.
 * Today only: a day the bot was down all morning still gets its nudge later, yesterday's does not.
 */
export async function dueNudges(db: Database, now: Date, workspaceId?: string): Promise<DueMember[]> {
  const rows = await queryRows(
    db,
    sql`${localClock(now, workspaceId, sql`m.nudges_enabled`)},
      dated as (select clocks.*, to_char(local, 'YYYY-MM-DD') as local_date from clocks)
      select workspace_id, user_id, display_name, tz, currency, settings, local_date from dated
      where extract(isodow from local) <= 5
        and to_char(local, 'HH24:MI') >= nudge_time
        and not (coalesce(settings -> 'holidays', '[]'::jsonb) @> jsonb_build_array(local_date))
        and not exists (select 1 from outbox o
          where o.workspace_id = dated.workspace_id and o.key = 'nudge:' || dated.user_id || ':' || local_date)
      order by workspace_id, user_id`,
  );
  return rows.map(toDueMember);
}

export interface DueManager extends DueMember {
  /** ISO week in the manager's zone, e.g. `2026-W48`. */
  isoWeek: string;
  isAdmin: boolean;
}

/**
 * Managers and admins whose weekly digest is due: the workspace's digest weekday and time in their
 * zone reached, and this ISO week's digest not decided yet. Unlike a daily nudge, a digest missed
 * while the bot was down goes out later that week rather than not at all.
 */
export async function dueDigests(db: Database, now: Date, workspaceId?: string): Promise<DueManager[]> {
  const rows = await queryRows(
    db,
    sql`${localClock(now, workspaceId, sql`(m.role in ('manager', 'admin') or m.is_slack_admin)`)},
      dated as (select clocks.*, to_char(local, 'YYYY-MM-DD') as local_date, to_char(local, 'IYYY-"W"IW') as iso_week,
          -- Read defensively: one workspace's odd settings must not fail every workspace's digests.
          case when settings -> 'digest' ->> 'dayOfWeek' ~ '^[1-7]$'
            then (settings -> 'digest' ->> 'dayOfWeek')::int else 1 end as digest_day,
          case when settings -> 'digest' ->> 'timeOfDay' ~ '^[0-9]{1,2}:[0-9]{2}$'
            then lpad(settings -> 'digest' ->> 'timeOfDay', 5, '0') else '08:00' end as digest_time
        from clocks)
      select workspace_id, user_id, display_name, tz, currency, settings, local_date, iso_week,
        (role = 'admin' or is_slack_admin) as is_admin
      from dated
      where (extract(isodow from local) > digest_day
          or (extract(isodow from local) = digest_day and to_char(local, 'HH24:MI') >= digest_time))
        and not exists (select 1 from outbox o
          where o.workspace_id = dated.workspace_id and o.key = 'digest:' || dated.user_id || ':' || iso_week)
      order by workspace_id, user_id`,
  );
  return rows.map((r) => ({ ...toDueMember(r), isoWeek: String(r.iso_week), isAdmin: r.is_admin === true }));
}

/**
 * The live coaching signals of every rep of a workspace, in three grouped queries whatever the
 * number of reps: leads waiting for a first reply, prospects touched once, open pipeline. Returns
 * each rep's signals (pipeline 0 rather than unknown once the workspace has any deal data).
 */
export async function loadSignals(
  db: Database,
  workspaceId: string,
  now: Date,
): Promise<(userId: string) => RepSignals> {
  const waitedSince = new Date(now.getTime() - LEAD_WAIT_MINUTES * 60 * 1000);
  const prospectsSince = new Date(now.getTime() - PROSPECT_DAYS * DAY);
  const quietSince = new Date(now.getTime() - FOLLOW_UP_AFTER_DAYS * DAY);
  const [waiting, singleTouch, pipeline] = await Promise.all([
    // A lead that became a deal or was qualified was answered, whatever the CRM says about its reply.
    queryRows<{ u: string; n: number; oldest: number }>(
      db,
      sql`select owner_user_id as u, count(*)::int as n,
            (extract(epoch from ${ts(now)} - min(created_at)) / 60)::float8 as oldest
          from leads
          where workspace_id = ${workspaceId} and owner_user_id is not null
            and first_response_at is null and qualified_at is null and deal_id is null
            and created_at >= ${ts(prospectsSince)} and created_at < ${ts(waitedSince)}
          group by 1`,
    ),
    queryRows<{ u: string; n: number }>(
      db,
      sql`select l.owner_user_id as u, count(*)::int as n
          from leads l join (
            select lead_id, sum(quantity) as touches, max(occurred_at) as last_touch
            from activities
            where workspace_id = ${workspaceId} and lead_id is not null and occurred_at >= ${ts(prospectsSince)}
            group by lead_id
          ) t on t.lead_id = l.id
          where l.workspace_id = ${workspaceId} and l.owner_user_id is not null
            and l.created_at >= ${ts(prospectsSince)} and l.qualified_at is null and l.deal_id is null
            and t.touches = 1 and t.last_touch < ${ts(quietSince)}
          group by 1`,
    ),
    queryRows<{ u: string | null; open: number }>(
      db,
      sql`select owner_user_id as u,
            coalesce(sum(amount_cents) filter (where status = 'open'), 0)::float8 as open
          from deals where workspace_id = ${workspaceId} and deleted_at is null
          group by 1`,
    ),
  ]);
  const hasDeals = pipeline.length > 0;
  const waitingBy = new Map(waiting.map((r) => [r.u, { count: r.n, oldestMinutes: r.oldest }]));
  const singleTouchBy = new Map(singleTouch.map((r) => [r.u, r.n]));
  const pipelineBy = new Map(pipeline.map((r) => [r.u, r.open]));
  return (userId) => ({
    leadsWaiting: waitingBy.get(userId) ?? NO_SIGNALS.leadsWaiting,
    singleTouchProspects: singleTouchBy.get(userId) ?? 0,
    openPipelineCents: hasDeals ? (pipelineBy.get(userId) ?? 0) : null,
  });
}

/** Everyone's facts for the seven days before `now` and the seven before those, in one pass. */
export function loadRecentFacts(db: Database, workspaceId: string, now: Date) {
  const window = rollingWindow(new Date(now.getTime() - 7 * DAY), now);
  const previous = rollingWindow(new Date(now.getTime() - 14 * DAY), window.start);
  return loadFactsByUser(db, { workspaceId, userId: null, window, previous, quotaPeriod: null });
}

function rollingWindow(start: Date, end: Date): TimeWindow {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return { spec: { kind: 'range', from: day(start), to: day(end) }, start, end, timezone: 'UTC', label: 'Last 7 days' };
}

/** Rules each rep marked "Not helpful" since `since`. */
export async function unhelpfulRules(
  db: Database,
  workspaceId: string,
  since: Date,
): Promise<Map<string, Set<string>>> {
  const rows = await queryRows<{ u: string; rule: string }>(
    db,
    sql`select distinct user_id as u, rule from coaching_feedback
        where workspace_id = ${workspaceId} and not helpful and answered_at >= ${ts(since)}`,
  );
  const result = new Map<string, Set<string>>();
  for (const r of rows) result.set(r.u, (result.get(r.u) ?? new Set()).add(r.rule));
  return result;
}
