import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { activityRows, creditedByNote, type NoteGates } from '../db/activity-summary.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { oneOf } from '../db/sql-lists.js';
import { ACTIVITY_KINDS, type ActivityKind, isActivityKind } from './activity-kinds.js';
import type { ActivityTotal, ActivityTotals, CustomerFacts, DealFacts, KpiFacts, LeadFacts } from './facts.js';
import type { KpiInputs } from './inputs.js';
import type { TimeWindow } from './windows.js';

/**
 * Gathers `KpiFacts` from the stored log for every rep of a workspace (or one rep), for a window and
 * the window before it. Each section is one grouped query whatever the number of reps, so a board
 * of a thousand reps costs the same handful of round trips as a scorecard.
 */

export interface FactsPair {
  current: KpiFacts;
  previous: KpiFacts;
}

/** Facts per rep; reps with nothing in either window are absent. */
export type FactsByUser = Map<string, FactsPair>;

interface Scope {
  workspaceId: string;
  /** One rep, or everyone in the workspace. */
  userId: string | null;
  /** With `userId` null: only these reps (a manager's team), not the whole workspace. */
  among?: readonly string[];
  window: TimeWindow;
  previous: TimeWindow;
  /** The goal period whose revenue target is the quota of this window, if any. */
  quotaPeriod: string | null;
  /** Only activity rows passing these quality gates count (see game/settings.ts); all rows when absent. */
  credit?: NoteGates;
  /** Which kinds of data the workspace has, when already read (see `dataSourcesColumns`). */
  sources?: DataSources;
}

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** The reps a scope covers: one, a team, or everyone (null). */
function repsOf(scope: Scope): readonly string[] | null {
  return scope.userId !== null ? [scope.userId] : (scope.among ?? null);
}

function userFilter(column: SQL, reps: readonly string[] | null): SQL {
  return reps === null ? sql`true` : oneOf(column, reps);
}

const NO_DEALS: Sectioned<never> = { any: false, byKey: new Map() };

/**
 * Facts per rep, grouped by rep. With `inputs` (what one KPI reads, see inputs.ts) only that is
 * loaded: a revenue board reads the deal-won entries, not every call and email of the window.
 */
export async function loadFactsByUser(db: Database, scope: Scope, inputs?: KpiInputs): Promise<FactsByUser> {
  const sources = knownOr(scope.sources, () => dataSources(db, scope.workspaceId));
  const [activity, deals, leads, quotas] = await Promise.all([
    activityTotals(db, scope, true, inputs?.kinds),
    inputs && !inputs.deals ? NO_DEALS : sources().then((src) => dealFacts(db, scope, true, src)),
    inputs && !inputs.leads ? NO_DEALS : sources().then((src) => leadFacts(db, scope, true, src)),
    // A revenue board needs no one's quota: every rep's goal would be read for nothing.
    inputs?.quota === false ? new Map<string, number>() : quotaTargets(db, scope),
  ]);
  // Anyone with entries, deals or leads in either window is on the board.
  const users = new Set([...activity.keys(), ...deals.byKey.keys(), ...leads.byKey.keys()]);
  const result: FactsByUser = new Map();
  for (const userId of users) {
    const a = activity.get(userId) ?? emptyPair();
    const quotaCents = quotas.get(userId) ?? null;
    result.set(userId, {
      current: {
        activities: a.current,
        previousRevenueCents: revenue(a.previous),
        deals: deals.any ? (deals.byKey.get(userId)?.current ?? emptyDealFacts()) : null,
        leads: leads.any ? (leads.byKey.get(userId)?.current ?? emptyLeadFacts()) : null,
        customers: null,
        spendCents: null,
        quotaCents,
        repCount: 1,
      },
      previous: {
        activities: a.previous,
        previousRevenueCents: null,
        deals: deals.any ? (deals.byKey.get(userId)?.previous ?? emptyDealFacts()) : null,
        leads: leads.any ? (leads.byKey.get(userId)?.previous ?? emptyLeadFacts()) : null,
        customers: null,
        spendCents: null,
        quotaCents,
        repCount: 1,
      },
    });
  }
  return result;
}

/** Facts for one subject as a whole: a rep (`userId`) or the team (`userId: null`). */
export async function loadFacts(db: Database, scope: Scope): Promise<FactsPair> {
  const sources = knownOr(scope.sources, () => dataSources(db, scope.workspaceId));
  const [activity, deals, leads, customers, spend, quotas, reps] = await Promise.all([
    activityTotals(db, scope, false),
    sources().then((src) => dealFacts(db, scope, false, src)),
    sources().then((src) => leadFacts(db, scope, false, src)),
    sources().then((src) => customerFacts(db, scope, src)),
    sources().then((src) => spendTotals(db, scope, src)),
    quotaTargets(db, scope),
    scope.userId === null ? activeRepCount(db, scope) : Promise.resolve(1),
  ]);
  const a = activity.get(ALL) ?? emptyPair();
  const quotaCents = quotas.get(scope.userId ?? ALL) ?? null;
  const build = (which: 'current' | 'previous'): KpiFacts => ({
    activities: a[which],
    previousRevenueCents: which === 'current' ? revenue(a.previous) : null,
    deals: deals.any ? (deals.byKey.get(ALL)?.[which] ?? emptyDealFacts()) : null,
    leads: leads.any ? (leads.byKey.get(ALL)?.[which] ?? emptyLeadFacts()) : null,
    customers: customers?.[which] ?? null,
    spendCents: spend === null ? null : spend[which],
    quotaCents,
    repCount: reps,
  });
  return { current: build('current'), previous: build('previous') };
}

const ALL = '*';

function knownOr(known: DataSources | undefined, read: () => Promise<DataSources>): () => Promise<DataSources> {
  return known ? () => Promise.resolve(known) : once(read);
}

/** Runs `fn` the first time it is asked for, and shares that promise after. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= fn();
    return promise;
  };
}

function revenue(totals: ActivityTotals): number {
  return totals.deal_won?.amountCents ?? 0;
}

function emptyPair(): { current: ActivityTotals; previous: ActivityTotals } {
  return { current: {}, previous: {} };
}

/** Sums quantity and amount per rep and kind over both windows in one pass of a covering index. */
async function activityTotals(db: Database, scope: Scope, byUser: boolean, kinds?: readonly ActivityKind[]) {
  const { window: w, previous: p } = scope;
  const key = byUser ? sql`user_id` : sql`${ALL}::text`;
  // A read with nothing before (a rank, most goals) leaves the window before's sums out: on a
  // workspace's board that is three columns fewer to parse for every rep.
  const before = p.start.getTime() < p.end.getTime();
  const previousSums = before
    ? sql`,
          coalesce(sum(quantity) filter (where occurred_at < ${ts(p.end)}), 0)::float8 as pq,
          coalesce(sum(amount_cents) filter (where occurred_at < ${ts(p.end)}), 0)::float8 as pa,
          coalesce(sum(unpriced_quantity) filter (where occurred_at < ${ts(p.end)}), 0)::float8 as pu`
    : sql``;
  const rows = await queryRows<{
    k: string;
    kind: string;
    q: number;
    a: number;
    u: number;
    pq?: number;
    pa?: number;
    pu?: number;
  }>(
    db,
    // u, pu: entries without an amount (a reversal carries the amount it reverses, so it nets out).
    sql`select ${key} as k, kind,
          coalesce(sum(quantity) filter (where occurred_at >= ${ts(w.start)}), 0)::float8 as q,
          coalesce(sum(amount_cents) filter (where occurred_at >= ${ts(w.start)}), 0)::float8 as a,
          coalesce(sum(unpriced_quantity) filter (where occurred_at >= ${ts(w.start)}), 0)::float8 as u${previousSums}
        from (${sql.join(
          spans(scope).map((span) =>
            activityRows({ workspaceId: scope.workspaceId, userIds: repsOf(scope), kinds, ...span }),
          ),
          sql` union all `,
        )}) a
        where ${scope.credit === undefined ? sql`true` : creditedByNote(scope.credit, 'a')}
          and (occurred_at >= ${ts(w.start)} or occurred_at < ${ts(p.end)})
        group by 1, 2`,
  );
  const result = new Map<string, { current: ActivityTotals; previous: ActivityTotals }>();
  for (const row of rows) {
    if (!isActivityKind(row.kind)) continue;
    const pair = result.get(row.k) ?? emptyPair();
    addTotal(pair.current, row.kind, { quantity: row.q, amountCents: row.a, withoutAmount: row.u });
    if (before)
      addTotal(pair.previous, row.kind, {
        quantity: row.pq ?? 0,
        amountCents: row.pa ?? 0,
        withoutAmount: row.pu ?? 0,
      });
    result.set(row.k, pair);
  }
  return result;
}

/**
 * What to read for both windows: one span when they meet, else each window alone, so the days
 * between a to-date window and the same point of the last period (Wednesday noon to Monday) are not
 * read only to be filtered out.
 */
function spans({ window: w, previous: p }: Scope): { from: Date; to: Date; edges?: Date[] }[] {
  if (p.end < w.start && p.start < p.end)
    return [
      { from: p.start, to: p.end },
      { from: w.start, to: w.end },
    ];
  return [{ from: p.start, to: w.end, edges: [p.end, w.start] }];
}

function addTotal(totals: ActivityTotals, kind: ActivityKind, { withoutAmount, ...total }: Required<ActivityTotal>) {
  if (total.quantity === 0 && total.amountCents === 0) return;
  // Only a kind that carries money can lack an amount; a call never has one.
  totals[kind] = withoutAmount === 0 || !ACTIVITY_KINDS[kind].money ? total : { ...total, withoutAmount };
}

interface Sectioned<T> {
  /** Whether the workspace has ever had this kind of data; if not the KPIs say it is missing. */
  any: boolean;
  byKey: Map<string, { current: T; previous: T }>;
}

/** Which kinds of data the workspace has ever had, in one round trip; absent ones are "missing". */
export interface DataSources {
  deals: boolean;
  leads: boolean;
  customers: boolean;
  spend: boolean;
}

/**
 * The columns that say which kinds of data a workspace has ever had, for a query of its own or for
 * another read that comes first anyway (the actor's, see slack/actor.ts).
 */
export function dataSourcesColumns(workspaceId: SQLWrapper | string): { [K in keyof DataSources]: SQL<boolean> } {
  const has = (table: SQL) => sql<boolean>`exists (select 1 from ${table} where workspace_id = ${workspaceId})`;
  return { deals: has(sql`deals`), leads: has(sql`leads`), customers: has(sql`customers`), spend: has(sql`spend`) };
}

async function dataSources(db: Database, workspaceId: string): Promise<DataSources> {
  const c = dataSourcesColumns(workspaceId);
  const rows = await queryRows<{ deals: boolean; leads: boolean; customers: boolean; spend: boolean }>(
    db,
    sql`select ${c.deals} as deals, ${c.leads} as leads, ${c.customers} as customers, ${c.spend} as spend`,
  );
  const r = rows[0];
  return {
    deals: r?.deals === true,
    leads: r?.leads === true,
    customers: r?.customers === true,
    spend: r?.spend === true,
  };
}

/** Runs a per-window grouped query for the current and the previous window and pairs the results. */
async function perWindow<T>(
  scope: Scope,
  empty: () => T,
  run: (w: TimeWindow) => Promise<Map<string, T>>,
): Promise<Map<string, { current: T; previous: T }>> {
  const [current, previous] = await Promise.all([run(scope.window), run(scope.previous)]);
  const pairs = new Map<string, { current: T; previous: T }>();
  for (const key of new Set([...current.keys(), ...previous.keys()])) {
    pairs.set(key, { current: current.get(key) ?? empty(), previous: previous.get(key) ?? empty() });
  }
  return pairs;
}

async function dealFacts(
  db: Database,
  scope: Scope,
  byUser: boolean,
  sources: DataSources,
): Promise<Sectioned<DealFacts>> {
  if (!sources.deals) return { any: false, byKey: new Map() };
  const key = byUser ? sql`owner_user_id` : sql`${ALL}::text`;
  const byKey = await perWindow(scope, emptyDealFacts, async (w) => {
    const rows = await queryRows<{
      k: string | null;
      open_count: number;
      open_amount: number;
      won: number;
      lost: number;
      cycle_days: number;
      cost_count: number;
      cost_amount: number;
      cost_cost: number;
      lost_follow_ups: number;
    }>(
      db,
      sql`select ${key} as k,
            count(*) filter (where opened_at < ${ts(w.end)} and (closed_at is null or closed_at >= ${ts(w.end)}))::int as open_count,
            coalesce(sum(amount_cents) filter (where opened_at < ${ts(w.end)} and (closed_at is null or closed_at >= ${ts(w.end)})), 0)::float8 as open_amount,
            count(*) filter (where status = 'won' and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)})::int as won,
            count(*) filter (where status = 'lost' and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)})::int as lost,
            coalesce(sum(extract(epoch from closed_at - opened_at) / 86400) filter (where status = 'won' and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)}), 0)::float8 as cycle_days,
            count(*) filter (where status = 'won' and cost_cents is not null and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)})::int as cost_count,
            coalesce(sum(amount_cents) filter (where status = 'won' and cost_cents is not null and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)}), 0)::float8 as cost_amount,
            coalesce(sum(cost_cents) filter (where status = 'won' and cost_cents is not null and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)}), 0)::float8 as cost_cost,
            coalesce(sum((select coalesce(sum(a.quantity), 0) from activities a
               where a.workspace_id = deals.workspace_id and a.deal_id = deals.id and a.kind = 'follow_up'))
               filter (where status = 'lost' and closed_at >= ${ts(w.start)} and closed_at < ${ts(w.end)}), 0)::float8 as lost_follow_ups
          from deals
          where workspace_id = ${scope.workspaceId} and deleted_at is null
            and ${userFilter(sql`owner_user_id`, repsOf(scope))}
          group by 1`,
    );
    const stages = await queryRows<{ k: string | null; stage: string; deals: number }>(
      db,
      sql`select ${byUser ? sql`d.owner_user_id` : sql`${ALL}::text`} as k, c.to_stage as stage,
            count(distinct c.deal_id)::int as deals
          from deal_stage_changes c join deals d on d.id = c.deal_id and d.workspace_id = c.workspace_id
          where c.workspace_id = ${scope.workspaceId} and d.deleted_at is null
            and ${userFilter(sql`d.owner_user_id`, repsOf(scope))}
            and c.changed_at >= ${ts(w.start)} and c.changed_at < ${ts(w.end)}
          group by 1, 2
          order by 3 desc, 2`,
    );
    const map = new Map<string, DealFacts>();
    for (const r of rows) {
      if (r.k === null) continue;
      map.set(r.k, {
        openCount: r.open_count,
        openAmountCents: r.open_amount,
        wonCount: r.won,
        lostCount: r.lost,
        wonCycleDaysSum: r.cycle_days,
        wonWithCostCount: r.cost_count,
        wonWithCostAmountCents: r.cost_amount,
        wonWithCostCostCents: r.cost_cost,
        lostDealFollowUps: r.lost_follow_ups,
        stageEntries: [],
      });
    }
    for (const s of stages) {
      if (s.k === null) continue;
      const facts = map.get(s.k) ?? emptyDealFacts();
      facts.stageEntries.push({ stage: s.stage, deals: s.deals });
      map.set(s.k, facts);
    }
    return map;
  });
  return { any: true, byKey };
}

export function emptyDealFacts(): DealFacts {
  return {
    openCount: 0,
    openAmountCents: 0,
    wonCount: 0,
    lostCount: 0,
    wonCycleDaysSum: 0,
    wonWithCostCount: 0,
    wonWithCostAmountCents: 0,
    wonWithCostCostCents: 0,
    lostDealFollowUps: 0,
    stageEntries: [],
  };
}

async function leadFacts(
  db: Database,
  scope: Scope,
  byUser: boolean,
  sources: DataSources,
): Promise<Sectioned<LeadFacts>> {
  if (!sources.leads) return { any: false, byKey: new Map() };
  const key = byUser ? sql`owner_user_id` : sql`${ALL}::text`;
  const byKey = await perWindow(scope, emptyLeadFacts, async (w) => {
    const rows = await queryRows<{
      k: string | null;
      created: number;
      responded: number;
      within_hour: number;
      median: number | null;
      mql: number;
      mql_deal: number;
      qualified: number;
      qualified_deal: number;
      touchpoints: number;
    }>(
      db,
      sql`select ${key} as k,
            count(*)::int as created,
            count(first_response_at)::int as responded,
            count(*) filter (where first_response_at - created_at <= interval '1 hour')::int as within_hour,
            (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at) / 60))::float8 as median,
            count(mql_at)::int as mql,
            count(*) filter (where mql_at is not null and deal_id is not null)::int as mql_deal,
            count(qualified_at)::int as qualified,
            count(*) filter (where qualified_at is not null and deal_id is not null)::int as qualified_deal,
            coalesce(sum((select coalesce(sum(a.quantity), 0) from activities a
              where a.workspace_id = leads.workspace_id and a.lead_id = leads.id
                and a.occurred_at < leads.created_at + interval '28 days')), 0)::float8 as touchpoints
          from leads
          where workspace_id = ${scope.workspaceId} and ${userFilter(sql`owner_user_id`, repsOf(scope))}
            and created_at >= ${ts(w.start)} and created_at < ${ts(w.end)}
          group by 1`,
    );
    const map = new Map<string, LeadFacts>();
    for (const r of rows) {
      if (r.k === null) continue;
      map.set(r.k, {
        created: r.created,
        responded: r.responded,
        respondedWithinHour: r.within_hour,
        responseMinutesMedian: r.median,
        mql: r.mql,
        mqlToDeal: r.mql_deal,
        qualified: r.qualified,
        qualifiedToDeal: r.qualified_deal,
        touchpoints: r.touchpoints,
      });
    }
    return map;
  });
  return { any: true, byKey };
}

export function emptyLeadFacts(): LeadFacts {
  return {
    created: 0,
    responded: 0,
    respondedWithinHour: 0,
    responseMinutesMedian: null,
    mql: 0,
    mqlToDeal: 0,
    qualified: 0,
    qualifiedToDeal: 0,
    touchpoints: 0,
  };
}

async function customerFacts(
  db: Database,
  scope: Scope,
  sources: DataSources,
): Promise<{ current: CustomerFacts; previous: CustomerFacts } | null> {
  if (!sources.customers) return null;
  const one = async (w: TimeWindow): Promise<CustomerFacts> => {
    const rows = await queryRows<{
      at_start: number;
      retained: number;
      upsold: number;
      new_customers: number;
      lifetime: number;
      with_revenue: number;
    }>(
      db,
      sql`with c as (
            select * from customers
            where workspace_id = ${scope.workspaceId} and ${userFilter(sql`owner_user_id`, repsOf(scope))}
          ), won as (
            select customer_id, deal_type, amount_cents, closed_at from deals
            where workspace_id = ${scope.workspaceId} and status = 'won' and deleted_at is null and customer_id is not null
          )
          select
            count(*) filter (where became_customer_at < ${ts(w.start)} and (churned_at is null or churned_at >= ${ts(w.start)}))::int as at_start,
            count(*) filter (where became_customer_at < ${ts(w.start)} and (churned_at is null or churned_at >= ${ts(w.end)}))::int as retained,
            count(*) filter (where became_customer_at < ${ts(w.start)} and (churned_at is null or churned_at >= ${ts(w.start)})
              and exists (select 1 from won where won.customer_id = c.id and won.deal_type = 'upsell'
                and won.closed_at >= ${ts(w.start)} and won.closed_at < ${ts(w.end)}))::int as upsold,
            count(*) filter (where became_customer_at >= ${ts(w.start)} and became_customer_at < ${ts(w.end)})::int as new_customers,
            coalesce((select sum(amount_cents) from won where won.customer_id in (select id from c) and won.closed_at < ${ts(w.end)}), 0)::float8 as lifetime,
            (select count(distinct customer_id) from won where won.customer_id in (select id from c) and won.closed_at < ${ts(w.end)})::int as with_revenue
          from c`,
    );
    const r = rows[0];
    return {
      atStart: r?.at_start ?? 0,
      retainedAtEnd: r?.retained ?? 0,
      upsold: r?.upsold ?? 0,
      newCustomers: r?.new_customers ?? 0,
      lifetimeRevenueCents: r?.lifetime ?? 0,
      customersWithRevenue: r?.with_revenue ?? 0,
    };
  };
  const [current, previous] = await Promise.all([one(scope.window), one(scope.previous)]);
  return { current, previous };
}

/** Spend is a team figure; a rep's facts have none. Days are placed in the window's timezone. */
async function spendTotals(
  db: Database,
  scope: Scope,
  sources: DataSources,
): Promise<{ current: number; previous: number } | null> {
  if (scope.userId !== null || !sources.spend) return null;
  // A day is in the window when its local midnight is, so the day a to-date window is still in counts.
  const sum = (w: TimeWindow) => {
    const midnight = sql`(incurred_on::timestamp at time zone ${w.timezone})`;
    return sql`coalesce(sum(amount_cents) filter (where ${midnight} >= ${ts(w.start)}
          and ${midnight} < ${ts(w.end)}), 0)::float8`;
  };
  const rows = await queryRows<{ current: number; previous: number }>(
    db,
    sql`select ${sum(scope.window)} as current, ${sum(scope.previous)} as previous
        from spend where workspace_id = ${scope.workspaceId}`,
  );
  return { current: rows[0]?.current ?? 0, previous: rows[0]?.previous ?? 0 };
}

/** The newest revenue goal of the window's period, per rep (and `*` for the team goal). */
async function quotaTargets(db: Database, scope: Scope): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  if (scope.quotaPeriod === null) return result;
  // DISTINCT ON must repeat the ORDER BY expression exactly, so the key is a literal, not a parameter.
  const key = sql.raw(`coalesce(user_id, '${ALL}')`);
  const rows = await queryRows<{ k: string; target: number }>(
    db,
    sql`select distinct on (${key}) ${key} as k, target::float8 as target
        from goals
        where workspace_id = ${scope.workspaceId} and metric = 'revenue' and period = ${scope.quotaPeriod}
          and archived_at is null and channel_id is null
          and ${userFilter(sql`user_id`, repsOf(scope))}
        order by ${key}, created_at desc, id desc`,
  );
  for (const r of rows) result.set(r.k, r.target);
  return result;
}

async function activeRepCount(db: Database, scope: Scope): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    // A rep whose only entries were undone has nothing left in the window and does not count.
    sql`select count(*)::int as n from (
          select user_id from activities
          where workspace_id = ${scope.workspaceId} and occurred_at >= ${ts(scope.window.start)} and occurred_at < ${ts(scope.window.end)}
          group by user_id having sum(abs(quantity)) filter (where reverses_id is null) > coalesce(sum(abs(quantity)) filter (where reverses_id is not null), 0)
        ) active`,
  );
  return rows[0]?.n ?? 0;
}
