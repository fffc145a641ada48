import type { ActivityKind } from './activity-kinds.js';

/**
 * Everything the KPI maths needs about one subject (a rep or a team) in one window, gathered from
 * the database by `kpi.queries.ts`. The maths in `catalogue.ts` are pure functions of this.
 * A `null` section means the workspace has never sent that kind of data (no CRM deals, no spend),
 * which the KPIs report as missing rather than as zero.
 */
export interface ActivityTotal {
  quantity: number;
  amountCents: number;
  /** Of `quantity`, the entries logged without an amount (a deal won with no value); absent: none. */
  withoutAmount?: number;
}

export type ActivityTotals = Partial<Record<ActivityKind, ActivityTotal>>;

export interface DealFacts {
  /** Deals open at the end of the window. */
  openCount: number;
  openAmountCents: number;
  /** Deals closed (won or lost) in the window, from the deals table. */
  wonCount: number;
  lostCount: number;
  /** Sum and count of days from opened to closed, over deals won in the window. */
  wonCycleDaysSum: number;
  /** Won deals in the window that carry cost data, and their amounts and costs. */
  wonWithCostCount: number;
  wonWithCostAmountCents: number;
  wonWithCostCostCents: number;
  /** Follow-up activities logged against the deals lost in the window ("dropped"). */
  lostDealFollowUps: number;
  /** Distinct deals that entered each stage in the window, ordered as a funnel: most entries first. */
  stageEntries: { stage: string; deals: number }[];
}

export interface LeadFacts {
  /** Leads created in the window. */
  created: number;
  /** Of those, how many got a first response, and within one hour. */
  responded: number;
  respondedWithinHour: number;
  /** Median minutes from creation to first response over responded leads; null when none. */
  responseMinutesMedian: number | null;
  /** Of the leads created in the window: marketing-qualified, sales-qualified, became a deal. */
  mql: number;
  mqlToDeal: number;
  qualified: number;
  qualifiedToDeal: number;
  /** Activities logged against the window's leads within 28 days of their creation. */
  touchpoints: number;
}

export interface CustomerFacts {
  /** Customers at the start of the window, and how many of them are still customers at its end. */
  atStart: number;
  retainedAtEnd: number;
  /** Customers at the start who bought more (an upsell or cross-sell deal won) in the window. */
  upsold: number;
  /** Customers won in the window. */
  newCustomers: number;
  /** Revenue ever won from customers, over how many customers had any. */
  lifetimeRevenueCents: number;
  customersWithRevenue: number;
}

export interface KpiFacts {
  activities: ActivityTotals;
  /** Revenue (won amount) of the previous window of equal length, for sales growth. */
  previousRevenueCents: number | null;
  deals: DealFacts | null;
  leads: LeadFacts | null;
  customers: CustomerFacts | null;
  /** Sales and marketing spend in the window; null when no spend was ever recorded. */
  spendCents: number | null;
  /** Revenue target for the window; null when no goal is set. */
  quotaCents: number | null;
  /** People the figures cover (1 for a rep). */
  repCount: number;
}

/** Facts that hold only activity counts (no deals, leads or customers sent): a scratch team or a rep with no data. */
export function activityFacts(activities: ActivityTotals, extra: Partial<KpiFacts> = {}): KpiFacts {
  return {
    activities,
    previousRevenueCents: null,
    deals: null,
    leads: null,
    customers: null,
    spendCents: null,
    quotaCents: null,
    repCount: 1,
    ...extra,
  };
}
