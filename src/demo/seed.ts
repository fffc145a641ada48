import { sql } from 'drizzle-orm';
import type { PgInsertValue, PgTable } from 'drizzle-orm/pg-core';
import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import {
  activities,
  customers,
  dealStageChanges,
  deals,
  goals,
  leads,
  members,
  spend,
  workspaces,
} from '../db/schema.js';
import type { ActivityKind } from '../kpi/activity-kinds.js';
import { Random } from './random.js';
import { type DemoRep, demoTeam, drawProfile, NAMED_TEAM_SIZE, type Profile } from './team.js';

/**
 * Seeds a demo sales team with a realistic history: what the reps logged day by day, and what a CRM
 * would have sent (deals with their stages, leads with their first responses, customers), plus
 * sales and marketing spend and revenue goals, so that every KPI is computed rather than missing.
 */

/** Fixed, so the team's strengths and weaknesses are the same on every run; only the dates move. */
const SEED = 202611;
const DEFAULT_DAYS = 90;
/** Deals opened before the history starts are still closing during it, as in a real pipeline. */
const PIPELINE_WARMUP_DAYS = 60;
const BASE_CUSTOMERS_PER_AE = 8;
const MIN_DEAL_CENTS = 5_000_00;
const MAX_DEAL_CENTS = 60_000_00;
/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters at a dozen columns a row. */
const CHUNK_ROWS = 1000;
const MANAGER_ID = 'UDEMOMGR';
const CRM_SOURCE = 'demo-crm';
const LEAD_SOURCES = ['inbound', 'outbound', 'referral', 'event'] as const;

export interface SeedOptions {
  workspaceId: string;
  now: Date;
  /** Team size; the default is the named dozen. */
  reps?: number;
  /** Days of history before `now`. */
  days?: number;
  /** Told what was just stored, step by step, so a terminal shows progress while it seeds. */
  onProgress?: (rows: number, what: string) => void;
}

export interface SeededTeam {
  reps: DemoRep[];
  rows: { activities: number; deals: number; leads: number; customers: number; spend: number; goals: number };
}

interface Seat {
  rep: DemoRep;
  profile: Profile;
}

interface Seeding {
  db: Database;
  workspaceId: string;
  now: Date;
  days: number;
  rng: Random;
  log: ActivityLog;
}

/** Replaces everything stored for `workspaceId` with the demo team and its history up to `now`. */
export async function seedDemoTeam(db: Database, options: SeedOptions): Promise<SeededTeam> {
  const { workspaceId, now } = options;
  const rng = new Random(SEED);
  const team = demoTeam(options.reps ?? NAMED_TEAM_SIZE).map((rep) => ({ rep, profile: drawProfile(rep.role, rng) }));
  const s: Seeding = {
    db,
    workspaceId,
    now,
    days: options.days ?? DEFAULT_DAYS,
    rng,
    log: new ActivityLog(db, workspaceId, now),
  };
  const progress = options.onProgress ?? (() => {});

  await clearWorkspace(db, workspaceId);
  await insertTeam(s, team);
  progress(team.length, 'reps');
  const planned = team.flatMap((seat) => planDeals(s, seat));
  const customerCount = await insertCustomers(s, team, planned);
  progress(customerCount, 'customers');
  const dealIds = await insertDeals(s, planned);
  await s.log.flush();
  progress(planned.length, 'deals, with their stages, demos and proposals');
  const leadCount = await seedLeads(s, team, planned, dealIds);
  await s.log.flush();
  progress(leadCount, 'leads, with their touchpoints');
  for (const seat of team) {
    logWorkdays(s, seat);
    await s.log.flush();
  }
  progress(s.log.count, 'activity entries in all');
  const spendCount = await insertRows(db, spend, spendRows(s));
  const goalCount = await insertRows(db, goals, goalRows(s, planned));
  progress(spendCount + goalCount, 'spend entries and revenue goals');
  return {
    reps: team.map((seat) => seat.rep),
    rows: {
      activities: s.log.count,
      deals: planned.length,
      leads: leadCount,
      customers: customerCount,
      spend: spendCount,
      goals: goalCount,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Storage

async function clearWorkspace(db: Database, workspaceId: string): Promise<void> {
  for (const table of [activities, dealStageChanges, deals, leads, customers, spend, goals, members]) {
    await db.execute(sql`delete from ${table} where workspace_id = ${workspaceId}`);
  }
  await db.execute(sql`delete from ${workspaces} where id = ${workspaceId}`);
}

/** Multi-row inserts: a few dozen statements for the whole history instead of one per row. */
async function insertRows<T extends PgTable>(
  db: Database,
  table: T,
  rows: readonly PgInsertValue<T>[],
): Promise<number> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) await db.insert(table).values(rows.slice(i, i + CHUNK_ROWS));
  return rows.length;
}

/** Ids the database gave the rows just inserted, by the external id the seed chose for them. */
async function idsByExternalId(
  s: Seeding,
  table: typeof deals | typeof leads | typeof customers,
): Promise<Map<string, number>> {
  const rows = await queryRows<{ id: number; external_id: string }>(
    s.db,
    sql`select id::float8 as id, external_id from ${table} where workspace_id = ${s.workspaceId}`,
  );
  return new Map(rows.map((row) => [row.external_id, row.id]));
}

async function insertTeam(s: Seeding, team: readonly Seat[]): Promise<void> {
  await s.db.insert(workspaces).values({
    id: s.workspaceId,
    name: 'Demo Sales Team',
    defaultTimezone: 'America/New_York',
    installedAt: s.now,
  });
  // Synced "now", as the app would have done on their first command, so nothing asks Slack for them.
  const rows = team.map(({ rep }) => ({
    workspaceId: s.workspaceId,
    userId: rep.userId,
    displayName: rep.name,
    timezone: rep.timezone,
    publicOptOut: rep.optedOut,
    profileSyncedAt: s.now,
  }));
  await insertRows(s.db, members, rows);
}

// ---------------------------------------------------------------------------------------------
// Calendar: reps work weekdays, in their own timezone

// Times are plain Dates; luxon (slow per call) only finds where local working days start.

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const WORKDAY_HOURS = 9;

/** The start of the working day (08:30 local) of each weekday from `back` days ago up to today. */
function workdays(now: Date, back: number, zone: string): Date[] {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const days: Date[] = [];
  for (let d = back; d >= 0; d--) {
    const day = today.minus({ days: d });
    if (day.weekday <= 5) days.push(day.set({ hour: 8, minute: 30 }).toJSDate());
  }
  return days;
}

/** A moment of the working day that starts at `dayStart` (08:30–17:30 local). */
function duringWorkHours(dayStart: Date, rng: Random): Date {
  return new Date(dayStart.getTime() + rng.between(0, WORKDAY_HOURS * HOUR_MS));
}

function daysAfter(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}

function minutesAfter(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * 60_000);
}

/** A weekend moment moves to the Monday after; CRM dates rarely fall on a Saturday. */
function onWorkday(at: Date, zone: string, rng: Random): Date {
  const local = DateTime.fromJSDate(at, { zone });
  if (local.weekday <= 5) return at;
  const monday = local.plus({ days: 8 - local.weekday }).set({ hour: 8, minute: 30, second: 0, millisecond: 0 });
  return duringWorkHours(monday.toJSDate(), rng);
}

/**
 * The activity log as the reps would have filled it. Entries after `now` have not happened yet and
 * are dropped, so today holds only what was logged so far. Stored as it goes (`flush`), so the
 * whole history is never held in memory at once.
 */
class ActivityLog {
  private rows: PgInsertValue<typeof activities>[] = [];
  /** Entries logged so far, stored or not. */
  count = 0;

  constructor(
    private readonly db: Database,
    private readonly workspaceId: string,
    private readonly now: Date,
  ) {}

  add(
    rep: DemoRep,
    kind: ActivityKind,
    occurredAt: Date,
    fields: { quantity?: number; amountCents?: number; dealId?: number; leadId?: number; fromCrm?: boolean } = {},
  ): void {
    if (occurredAt >= this.now) return;
    this.rows.push({
      workspaceId: this.workspaceId,
      userId: rep.userId,
      kind,
      quantity: fields.quantity ?? 1,
      amountCents: fields.amountCents ?? 0,
      occurredAt,
      recordedAt: occurredAt,
      recordedBy: fields.fromCrm ? null : rep.userId,
      source: fields.fromCrm ? 'crm' : 'slack',
      idempotencyKey: `demo:${this.count++}`,
      dealId: fields.dealId ?? null,
      leadId: fields.leadId ?? null,
    });
  }

  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    await insertRows(this.db, activities, rows);
  }
}

// ---------------------------------------------------------------------------------------------
// Day-to-day logging: calls, emails, conversations, meetings, qualified leads, follow-ups

function logWorkdays(s: Seeding, { rep, profile }: Seat): void {
  const { rng } = s;
  const days = workdays(s.now, s.days, rep.timezone);
  days.forEach((day, index) => {
    // A slow trend over the period, and good days and bad days around it.
    const effort = (1 + profile.trend * (index / days.length)) * rng.between(0.75, 1.25);
    const calls = rng.poisson(profile.callsPerDay * effort);
    const emails = rng.poisson(profile.emailsPerDay * effort);
    const conversations = rng.binomial(calls + emails, profile.reach);
    const meetings = rng.binomial(conversations, profile.meetingRate);
    const totals: [ActivityKind, number][] = [
      ['call', calls],
      ['email', emails],
      ['conversation', conversations],
      ['meeting', meetings],
      ['no_show', rng.binomial(meetings, profile.noShowRate)],
      ['qualified', rng.binomial(conversations, profile.passRate)],
      ['follow_up', rng.poisson(profile.followUpsPerDay * effort)],
    ];
    for (const [kind, total] of totals) {
      for (const quantity of batches(total, rng)) s.log.add(rep, kind, duringWorkHours(day, rng), { quantity });
    }
  });
}

/** Reps log a day's work in one to three batches (`/kpi log calls 12`), not call by call. */
function batches(total: number, rng: Random): number[] {
  const parts = Math.min(total, rng.int(1, 3));
  const result: number[] = [];
  let left = total;
  for (let remaining = parts; remaining > 1; remaining--) {
    const quantity = rng.int(1, left - remaining + 1);
    result.push(quantity);
    left -= quantity;
  }
  if (left > 0) result.push(left);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Deals: opened by AEs, through demo and proposal, to won or lost (or still open)

interface PlannedDeal {
  rep: DemoRep;
  profile: Profile;
  externalId: string;
  openedAt: Date;
  demoAt: Date;
  proposalAt: Date;
  /** Null while the deal is open. */
  closedAt: Date | null;
  status: 'open' | 'won' | 'lost';
  dealType: 'new_business' | 'upsell';
  amountCents: number;
  costCents: number | null;
  customerExternalId: string | null;
}

function planDeals(s: Seeding, { rep, profile }: Seat): PlannedDeal[] {
  const { rng } = s;
  const planned: PlannedDeal[] = [];
  if (profile.dealsPerDay === 0) return planned;
  for (const day of workdays(s.now, s.days + PIPELINE_WARMUP_DAYS, rep.timezone)) {
    for (let n = rng.poisson(profile.dealsPerDay); n > 0; n--) {
      const openedAt = duringWorkHours(day, rng);
      if (openedAt >= s.now) continue;
      const cycleDays = rng.logNormal(profile.cycleDays, 0.35);
      const closeAt = onWorkday(daysAfter(openedAt, cycleDays), rep.timezone, rng);
      const closed = closeAt < s.now;
      const amount = rng.logNormal(profile.dealSizeCents, 0.5);
      const amountCents = Math.round(Math.min(MAX_DEAL_CENTS, Math.max(MIN_DEAL_CENTS, amount)) / 100_00) * 100_00;
      const upsell = rng.chance(0.15);
      const externalId = `${rep.userId}-D${planned.length + 1}`;
      const status = !closed ? 'open' : rng.chance(profile.winRate) ? 'won' : 'lost';
      planned.push({
        rep,
        profile,
        externalId,
        openedAt,
        demoAt: onWorkday(daysAfter(openedAt, cycleDays * 0.25), rep.timezone, rng),
        proposalAt: onWorkday(daysAfter(openedAt, cycleDays * 0.6), rep.timezone, rng),
        closedAt: closed ? closeAt : null,
        status,
        dealType: upsell ? 'upsell' : 'new_business',
        amountCents,
        costCents: rng.chance(0.6) ? Math.round(amountCents * rng.between(0.25, 0.45)) : null,
        // Upsells go to the existing book; a new deal won makes a new customer.
        customerExternalId: upsell
          ? baseCustomerId(rep, rng.int(1, BASE_CUSTOMERS_PER_AE))
          : status === 'won'
            ? `C-${externalId}`
            : null,
      });
    }
  }
  return planned;
}

const baseCustomerId = (owner: DemoRep, n: number) => `C-${owner.userId}-${n}`;

/** Each AE's existing book of customers (a few churned lately), plus one per new deal won. */
async function insertCustomers(s: Seeding, team: readonly Seat[], planned: readonly PlannedDeal[]): Promise<number> {
  const { rng, now } = s;
  const daysAgo = (days: number) => daysAfter(now, -days);
  const existing = team
    .filter(({ profile }) => profile.dealsPerDay > 0)
    .flatMap(({ rep }) =>
      Array.from({ length: BASE_CUSTOMERS_PER_AE }, (_, i) => ({
        externalId: baseCustomerId(rep, i + 1),
        ownerUserId: rep.userId,
        becameCustomerAt: daysAgo(rng.between(s.days + 30, 900)),
        churnedAt: rng.chance(0.3) ? daysAgo(rng.between(0, s.days)) : null,
      })),
    );
  const won = planned
    .filter((deal) => deal.status === 'won' && deal.dealType === 'new_business' && deal.closedAt)
    .map((deal) => ({
      externalId: `C-${deal.externalId}`,
      ownerUserId: deal.rep.userId,
      becameCustomerAt: deal.closedAt ?? deal.openedAt,
      churnedAt: null,
    }));
  const rows = [...existing, ...won].map((c) => ({
    ...c,
    workspaceId: s.workspaceId,
    source: CRM_SOURCE,
    name: c.externalId,
  }));
  return insertRows(s.db, customers, rows);
}

/** Stores the deals, their stage history and what the AE logged on them; returns the deals' ids. */
async function insertDeals(s: Seeding, planned: readonly PlannedDeal[]): Promise<Map<string, number>> {
  const customerIds = await idsByExternalId(s, customers);
  const rows = planned.map((deal) => ({
    workspaceId: s.workspaceId,
    source: CRM_SOURCE,
    externalId: deal.externalId,
    name: `Deal ${deal.externalId}`,
    amountCents: deal.amountCents,
    costCents: deal.costCents,
    stage: deal.status === 'open' ? stagesSoFar(s, deal).at(-1)?.[0] : `closed_${deal.status}`,
    status: deal.status,
    ownerUserId: deal.rep.userId,
    customerId: deal.customerExternalId === null ? null : (customerIds.get(deal.customerExternalId) ?? null),
    dealType: deal.dealType,
    leadSource: s.rng.pick(LEAD_SOURCES),
    openedAt: deal.openedAt,
    closedAt: deal.closedAt,
    updatedAt: s.now,
  }));
  await insertRows(s.db, deals, rows);
  const ids = await idsByExternalId(s, deals);
  const stageRows: PgInsertValue<typeof dealStageChanges>[] = [];
  for (const deal of planned) {
    const dealId = ids.get(deal.externalId);
    if (dealId === undefined) throw new Error(`deal ${deal.externalId} was not stored`);
    let fromStage: string | null = null;
    for (const [toStage, at] of stagesSoFar(s, deal)) {
      stageRows.push({ workspaceId: s.workspaceId, dealId, fromStage, toStage, changedAt: at });
      fromStage = toStage;
    }
    logDealWork(s, deal, dealId);
  }
  await insertRows(s.db, dealStageChanges, stageRows);
  return ids;
}

function stagesSoFar(s: Seeding, deal: PlannedDeal): [string, Date][] {
  const stages: [string, Date][] = [
    ['discovery', deal.openedAt],
    ['demo', deal.demoAt],
    ['proposal', deal.proposalAt],
  ];
  if (deal.closedAt) stages.push([`closed_${deal.status}`, deal.closedAt]);
  return stages.filter(([, at]) => at < s.now);
}

/** The demo and proposal the AE logged, follow-ups before giving up on a lost deal, and the CRM's close. */
function logDealWork(s: Seeding, deal: PlannedDeal, dealId: number): void {
  const { rep, closedAt } = deal;
  s.log.add(rep, 'demo', deal.demoAt, { dealId });
  s.log.add(rep, 'proposal', deal.proposalAt, { dealId });
  if (!closedAt) return;
  if (deal.status === 'lost') {
    const span = Math.max(0, closedAt.getTime() - deal.proposalAt.getTime()) / DAY_MS;
    for (let n = s.rng.poisson(deal.profile.followUpsPerLostDeal); n > 0; n--) {
      const at = onWorkday(daysAfter(deal.proposalAt, s.rng.between(0, span)), rep.timezone, s.rng);
      s.log.add(rep, 'follow_up', at, { dealId });
    }
  }
  const kind = deal.status === 'won' ? 'deal_won' : 'deal_lost';
  s.log.add(rep, kind, closedAt, { dealId, amountCents: deal.amountCents, fromCrm: true });
}

// ---------------------------------------------------------------------------------------------
// Leads: come in from the CRM, SDRs answer, qualify and hand them to AEs as deals

interface PlannedLead {
  rep: DemoRep;
  externalId: string;
  createdAt: Date;
  firstResponseAt: Date | null;
  mqlAt: Date | null;
  qualifiedAt: Date | null;
  becomesDeal: boolean;
  touches: number;
}

async function seedLeads(
  s: Seeding,
  team: readonly Seat[],
  planned: readonly PlannedDeal[],
  dealIds: ReadonlyMap<string, number>,
): Promise<number> {
  const plannedLeads = team.flatMap((seat) => planLeads(s, seat));
  const dealOf = linkLeadsToDeals(plannedLeads, planned);
  const rows = plannedLeads.map((lead) => {
    const deal = dealOf.get(lead);
    return {
      workspaceId: s.workspaceId,
      source: CRM_SOURCE,
      externalId: lead.externalId,
      ownerUserId: lead.rep.userId,
      leadSource: s.rng.pick(LEAD_SOURCES),
      createdAt: lead.createdAt,
      firstResponseAt: lead.firstResponseAt,
      mqlAt: lead.mqlAt,
      qualifiedAt: lead.qualifiedAt,
      dealId: deal ? (dealIds.get(deal.externalId) ?? null) : null,
    };
  });
  await insertRows(s.db, leads, rows);
  const ids = await idsByExternalId(s, leads);
  for (const lead of plannedLeads) {
    const leadId = ids.get(lead.externalId);
    if (leadId === undefined) throw new Error(`lead ${lead.externalId} was not stored`);
    s.log.add(lead.rep, 'lead', lead.createdAt, { leadId });
    // Touchpoints: the follow-ups an SDR makes on a lead in its first three weeks, logged in batches.
    for (const quantity of batches(lead.touches, s.rng)) {
      const at = onWorkday(daysAfter(lead.createdAt, s.rng.between(0.1, 21)), lead.rep.timezone, s.rng);
      s.log.add(lead.rep, 'follow_up', at, { leadId, quantity });
    }
  }
  return rows.length;
}

function planLeads(s: Seeding, { rep, profile }: Seat): PlannedLead[] {
  const { rng } = s;
  const inPast = (at: Date) => (at < s.now ? at : null);
  const planned: PlannedLead[] = [];
  for (const day of workdays(s.now, s.days, rep.timezone)) {
    for (let n = rng.poisson(profile.leadsPerDay); n > 0; n--) {
      const createdAt = duringWorkHours(day, rng);
      if (createdAt >= s.now) continue;
      // A few leads slip through the cracks and are never answered.
      const responded = rng.chance(0.94);
      const qualifiedAt = rng.chance(profile.qualifyRate)
        ? inPast(onWorkday(daysAfter(createdAt, rng.between(1, 10)), rep.timezone, rng))
        : null;
      planned.push({
        rep,
        externalId: `${rep.userId}-L${planned.length + 1}`,
        createdAt,
        firstResponseAt: responded
          ? inPast(minutesAfter(createdAt, rng.logNormal(profile.responseMinutes, 0.8)))
          : null,
        mqlAt: rng.chance(profile.mqlRate) ? inPast(minutesAfter(createdAt, rng.between(60, 48 * 60))) : null,
        qualifiedAt,
        becomesDeal: qualifiedAt !== null && rng.chance(profile.pipeRate),
        touches: rng.poisson(profile.touchesPerLead),
      });
    }
  }
  return planned;
}

/** Each lead that becomes a deal is handed the next deal an AE opened after it was qualified. */
function linkLeadsToDeals(
  plannedLeads: readonly PlannedLead[],
  planned: readonly PlannedDeal[],
): Map<PlannedLead, PlannedDeal> {
  const byOpening = [...planned].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
  const converting = plannedLeads
    .filter((lead) => lead.becomesDeal)
    .sort((a, b) => (a.qualifiedAt?.getTime() ?? 0) - (b.qualifiedAt?.getTime() ?? 0));
  const links = new Map<PlannedLead, PlannedDeal>();
  let next = 0;
  for (const lead of converting) {
    const qualified = lead.qualifiedAt?.getTime() ?? 0;
    while ((byOpening[next]?.openedAt.getTime() ?? Number.POSITIVE_INFINITY) < qualified) next++;
    const deal = byOpening[next++];
    if (!deal) break;
    links.set(lead, deal);
  }
  return links;
}

// ---------------------------------------------------------------------------------------------
// Spend and goals

/** Weekly sales and marketing spend, booked on Mondays: CAC divides it by new customers. */
function spendRows(s: Seeding): PgInsertValue<typeof spend>[] {
  const rows: PgInsertValue<typeof spend>[] = [];
  for (const monday of workdays(s.now, s.days, 'UTC').filter((day) => day.getUTCDay() === 1)) {
    const incurredOn = monday.toISOString().slice(0, 10);
    for (const [category, dollars] of [
      ['sales', s.rng.between(35_000, 45_000)],
      ['marketing', s.rng.between(20_000, 30_000)],
    ] as const) {
      rows.push({
        workspaceId: s.workspaceId,
        incurredOn,
        category,
        amountCents: Math.round(dollars) * 100,
        idempotencyKey: `demo:${incurredOn}:${category}`,
      });
    }
  }
  return rows;
}

/**
 * Weekly and monthly revenue goals per AE and for the team, set as the field notes advise:
 * achievable, from the rep's own history (what they won per week), with a stretch on top.
 */
function goalRows(s: Seeding, planned: readonly PlannedDeal[]): PgInsertValue<typeof goals>[] {
  const toThousand = (cents: number) => Math.round(cents / 1000_00) * 1000_00;
  const since = daysAfter(s.now, -s.days);
  const won = new Map<string, number>();
  for (const deal of planned) {
    if (deal.status === 'won' && deal.closedAt && deal.closedAt >= since) {
      won.set(deal.rep.userId, (won.get(deal.rep.userId) ?? 0) + deal.amountCents);
    }
  }
  const weeks = s.days / 7;
  const weekly = [...won].map(([userId, cents]) => ({
    userId,
    target: toThousand((cents / weeks) * s.rng.between(1, 1.15)),
  }));
  const teamWeekly = weekly.reduce((sum, goal) => sum + goal.target, 0);
  const targets: { userId: string | null; target: number }[] = [...weekly, { userId: null, target: teamWeekly }];
  return targets.flatMap(({ userId, target }) =>
    (['week', 'month'] as const).map((period) => ({
      workspaceId: s.workspaceId,
      userId,
      metric: 'revenue',
      target: period === 'week' ? target : toThousand(target * 4.33),
      period,
      setBy: MANAGER_ID,
      createdAt: s.now,
    })),
  );
}
