import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

// Every table but `installations` carries `workspace_id` (the Slack team id) and every query filters
// on it: one database serves many workspaces and none may see another's rows.

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => tz('created_at').notNull().defaultNow();
/** Money is stored in minor units (cents) so sums are exact; 2^53 cents is far beyond any deal. */
const cents = (name: string) => bigint(name, { mode: 'number' });

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name'),
  enterpriseId: text('enterprise_id'),
  /** Fallback when a member's own Slack timezone is unknown. */
  defaultTimezone: text('default_timezone').notNull().default('UTC'),
  currency: text('currency').notNull().default('USD'),
  installedAt: tz('installed_at'),
  uninstalledAt: tz('uninstalled_at'),
  /**
   * Game and recognition settings a manager can change (points weights, quality gates, holidays,
   * recognition channel, kudos cap …), validated by zod where they are read; defaults fill gaps.
   */
  settings: jsonb('settings').notNull().default({}),
  createdAt: createdAt(),
});

/** Bolt's OAuth installation store (many-workspace mode). Keyed by enterprise and team. */
export const installations = pgTable('installations', {
  key: text('key').primaryKey(),
  teamId: text('team_id'),
  enterpriseId: text('enterprise_id'),
  isEnterpriseInstall: boolean('is_enterprise_install').notNull().default(false),
  botUserId: text('bot_user_id'),
  /** The whole Installation object as Bolt hands it over; it holds the tokens. */
  data: jsonb('data').notNull(),
  installedAt: createdAt(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const members = pgTable(
  'members',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    /** What boards show: a plain name, never an @-mention. */
    displayName: text('display_name').notNull(),
    email: text('email'),
    /** IANA zone from `users.info`; windows are computed in it. */
    timezone: text('timezone'),
    isBot: boolean('is_bot').notNull().default(false),
    isDeleted: boolean('is_deleted').notNull().default(false),
    /** Slack workspace admins and owners are the bot's admins. */
    isSlackAdmin: boolean('is_slack_admin').notNull().default(false),
    role: text('role', { enum: ['rep', 'manager', 'admin'] })
      .notNull()
      .default('rep'),
    /** The manager whose team this rep is on: a manager sees (and sets goals for) their own reps. */
    managerId: text('manager_id'),
    /** Hidden from every public board and post; the member keeps their private view. */
    publicOptOut: boolean('public_opt_out').notNull().default(false),
    nudgesEnabled: boolean('nudges_enabled').notNull().default(true),
    nudgeTime: text('nudge_time').notNull().default('09:00'),
    profileSyncedAt: tz('profile_synced_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/**
 * The append-only activity log. Nothing is updated or deleted: an undo or a correction is a new row
 * with negated quantity and amount that points at the row it reverses, so every figure can be
 * traced back to the entries that made it.
 */
export const activities = pgTable(
  'activities',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    kind: text('kind').notNull(),
    quantity: integer('quantity').notNull(),
    amountCents: cents('amount_cents').notNull().default(0),
    occurredAt: tz('occurred_at').notNull(),
    recordedAt: tz('recorded_at').notNull().defaultNow(),
    /** Who typed it (a manager may log for a rep); for CRM rows, null. */
    recordedBy: text('recorded_by'),
    source: text('source').notNull(),
    /** Retries and double clicks carry the same key and are stored once. */
    idempotencyKey: text('idempotency_key').notNull(),
    reversesId: bigint('reverses_id', { mode: 'number' }),
    dealId: bigint('deal_id', { mode: 'number' }),
    leadId: bigint('lead_id', { mode: 'number' }),
    note: text('note'),
    /** The CRM's id of the activity record (call, meeting…) this entry stands for: an edit or delete finds it. */
    externalId: text('external_id'),
  },
  (t) => [
    uniqueIndex('activities_idempotency').on(t.workspaceId, t.idempotencyKey),
    // An entry can be reversed once; a second undo finds the first.
    uniqueIndex('activities_reverses').on(t.reversesId),
    // Covering index: window aggregates for a whole workspace are index-only scans.
    index('activities_window').on(t.workspaceId, t.occurredAt, t.userId, t.kind, t.quantity, t.amountCents),
    // Covering too: one rep's whole history (points, streaks, badges for /kpi me) is read from the
    // index alone, not from heap pages scattered by every other rep's inserts.
    index('activities_user_window').on(t.workspaceId, t.userId, t.occurredAt, t.kind, t.quantity, t.amountCents),
    // Boards of one metric read only its kinds (a revenue board: deal-won entries).
    index('activities_kind_window').on(t.workspaceId, t.kind, t.occurredAt, t.userId, t.quantity, t.amountCents),
    // A deal's or a lead's entries (follow-ups before a deal was dropped, touchpoints per lead).
    index('activities_deal').on(t.workspaceId, t.dealId).where(sql`${t.dealId} is not null`),
    index('activities_lead').on(t.workspaceId, t.leadId).where(sql`${t.leadId} is not null`),
    index('activities_external').on(t.workspaceId, t.source, t.externalId).where(sql`${t.externalId} is not null`),
  ],
);

/**
 * Sums of the activity log per rep, kind and quarter-hour of UTC, which the hot reads (scorecard,
 * boards, goals, game, Home, nudges) use instead of the log. A quarter-hour serves every timezone in
 * use (offsets are whole quarter-hours), so a rep changing zone changes nothing here; a window edge
 * inside a quarter-hour is read from the log (src/db/activity-summary.ts). Kept by a statement
 * trigger on `activities` in the writing transaction (see the migration `activity_summary`), and
 * rebuilt from the log by `kpi-bot db rebuild-summaries`.
 */
export const activitySummary = pgTable(
  'activity_summary',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    bucket: tz('bucket').notNull(),
    kind: text('kind').notNull(),
    /**
     * The note length quality gates compare with, capped at the gates' maximum (280): a reversal
     * carries the longer of its own note and its original's, as the quality gates credit it.
     */
    noteChars: integer('note_chars').notNull(),
    /** Log rows summed here; a row at zero is deleted, so the earliest bucket is the first entry's. */
    entries: integer('entries').notNull(),
    quantity: bigint('quantity', { mode: 'number' }).notNull(),
    amountCents: cents('amount_cents').notNull(),
    /** Quantity of the rows without an amount (a deal won with no value yet). */
    unpricedQuantity: bigint('unpriced_quantity', { mode: 'number' }).notNull(),
  },
  (t) => [
    // The upsert's target, and one rep's history (game, goals, scorecard); the migration makes it
    // cover the sums too, so those reads touch the index alone.
    uniqueIndex('activity_summary_key').on(t.workspaceId, t.userId, t.bucket, t.kind, t.noteChars),
    // Whole-workspace windows (boards, nudges), and one metric's kinds (a revenue board).
    index('activity_summary_window').on(t.workspaceId, t.bucket, t.userId, t.kind),
    index('activity_summary_kind_window').on(t.workspaceId, t.kind, t.bucket, t.userId),
  ],
);

/**
 * Sums of the activity log per rep, local day (in the rep's zone, `activity_day_zones`), kind and
 * note length: what the game reads for a rep's whole history (points, streaks, badges), a row per
 * kind and active day however many entries and quarter-hours the day had. Kept by the same
 * statement trigger as `activity_summary`, rebuilt for a rep whose zone changes (a trigger on
 * `members`), and by `kpi-bot db rebuild-summaries` (see the migration `read_rollups`).
 */
export const activityDays = pgTable(
  'activity_days',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    kind: text('kind').notNull(),
    /** As in `activity_summary`: what quality gates compare with. */
    noteChars: integer('note_chars').notNull(),
    /** Log rows summed here; a row at zero is deleted. */
    entries: integer('entries').notNull(),
    quantity: bigint('quantity', { mode: 'number' }).notNull(),
    amountCents: cents('amount_cents').notNull(),
  },
  // The upsert's target and one rep's history; the migration makes it cover the sums.
  (t) => [uniqueIndex('activity_days_key').on(t.workspaceId, t.userId, t.day, t.kind, t.noteChars)],
);

/**
 * The zone a rep's `activity_days` are kept in: their own, else the workspace's default, else UTC
 * (the function `activity_rep_zone`). A reader asking in another zone reads the summary instead.
 */
export const activityDayZones = pgTable(
  'activity_day_zones',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    zone: text('zone').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
);

/** Deal state kept from CRM events (and from `/kpi log deal` when no CRM is connected). */
export const deals = pgTable(
  'deals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    amountCents: cents('amount_cents'),
    /** Cost of goods and discounts, where the CRM has them: profit margin needs it. */
    costCents: cents('cost_cents'),
    stage: text('stage'),
    status: text('status', { enum: ['open', 'won', 'lost'] })
      .notNull()
      .default('open'),
    ownerUserId: text('owner_user_id'),
    crmOwnerId: text('crm_owner_id'),
    customerId: bigint('customer_id', { mode: 'number' }),
    dealType: text('deal_type', { enum: ['new_business', 'upsell', 'renewal'] }),
    leadSource: text('lead_source'),
    openedAt: tz('opened_at').notNull(),
    closedAt: tz('closed_at'),
    deletedAt: tz('deleted_at'),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('deals_external').on(t.workspaceId, t.source, t.externalId),
    index('deals_owner').on(t.workspaceId, t.ownerUserId, t.status),
  ],
);

/** Every stage a deal passed through, for stage conversion and cycle length. */
export const dealStageChanges = pgTable(
  'deal_stage_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    dealId: bigint('deal_id', { mode: 'number' }).notNull(),
    fromStage: text('from_stage'),
    toStage: text('to_stage').notNull(),
    changedAt: tz('changed_at').notNull(),
  },
  (t) => [index('deal_stage_changes_deal').on(t.workspaceId, t.dealId, t.changedAt)],
);

/** Leads and their first response, qualification and conversion: response time and funnel KPIs. */
export const leads = pgTable(
  'leads',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    ownerUserId: text('owner_user_id'),
    leadSource: text('lead_source'),
    createdAt: tz('created_at').notNull(),
    firstResponseAt: tz('first_response_at'),
    mqlAt: tz('mql_at'),
    qualifiedAt: tz('qualified_at'),
    dealId: bigint('deal_id', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('leads_external').on(t.workspaceId, t.source, t.externalId),
    index('leads_created').on(t.workspaceId, t.createdAt),
  ],
);

/** Customers (accounts): retention, churn, upsell and lifetime value. */
export const customers = pgTable(
  'customers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    name: text('name'),
    ownerUserId: text('owner_user_id'),
    becameCustomerAt: tz('became_customer_at').notNull(),
    churnedAt: tz('churned_at'),
  },
  (t) => [uniqueIndex('customers_external').on(t.workspaceId, t.source, t.externalId)],
);

/** Sales and marketing spend, for CAC. Entered by a manager or sent by a webhook. */
export const spend = pgTable(
  'spend',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    incurredOn: date('incurred_on', { mode: 'string' }).notNull(),
    category: text('category', { enum: ['sales', 'marketing'] }).notNull(),
    amountCents: cents('amount_cents').notNull(),
    note: text('note'),
    idempotencyKey: text('idempotency_key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('spend_idempotency').on(t.workspaceId, t.idempotencyKey)],
);

/** Targets: a rep's own, one set by a manager, or a team's (user_id null). Quota attainment reads them. */
export const goals = pgTable(
  'goals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id'),
    channelId: text('channel_id'),
    metric: text('metric').notNull(),
    /** In the metric's unit; money in cents. */
    target: bigint('target', { mode: 'number' }).notNull(),
    period: text('period', { enum: ['week', 'month', 'quarter', 'year', 'custom'] }).notNull(),
    startsOn: date('starts_on', { mode: 'string' }),
    endsOn: date('ends_on', { mode: 'string' }),
    setBy: text('set_by').notNull(),
    /** What the bot suggested when the goal was set (the rep's 75th-percentile period), for context. */
    suggestedTarget: bigint('suggested_target', { mode: 'number' }),
    createdAt: createdAt(),
    archivedAt: tz('archived_at'),
  },
  (t) => [
    index('goals_user').on(t.workspaceId, t.userId, t.metric),
    index('goals_channel').on(t.workspaceId, t.channelId).where(sql`${t.channelId} is not null`),
  ],
);

/**
 * A CRM connected to a workspace. In many-workspace mode each has its own webhook URL (the id) and
 * secret; in one-workspace mode the secrets come from the environment and no row is needed.
 */
export const crmConnections = pgTable(
  'crm_connections',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    /** HubSpot portal, Salesforce organisation, Pipedrive company: webhooks name it. */
    accountId: text('account_id'),
    /** Salesforce URL token, Pipedrive Basic password, generic `whsec_` secret. */
    secret: text('secret').notNull(),
    /** Connected by OAuth: the sealed token set (access, refresh, expiry) that proved `account_id`. */
    tokens: text('tokens'),
    /** When the CRM refused to refresh the tokens (revoked, or expired): the admin must connect again. */
    tokensRefusedAt: tz('tokens_refused_at'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('crm_connections_workspace').on(t.workspaceId, t.source),
    // A CRM account's events reach one workspace only: webhooks are routed by this pair.
    uniqueIndex('crm_connections_account').on(t.source, t.accountId),
  ],
);

/**
 * OAuth `state`s handed to admins connecting a CRM: each names the workspace and admin it was issued
 * to, expires, and is deleted as the callback uses it, so it works once.
 */
export const crmOauthStates = pgTable('crm_oauth_states', {
  nonce: text('nonce').primaryKey(),
  workspaceId: text('workspace_id').notNull(),
  userId: text('user_id').notNull(),
  source: text('source').notNull(),
  expiresAt: tz('expires_at').notNull(),
});

/**
 * The webhook inbox: every CRM event as received (normalised), stored once per event id before the
 * CRM gets its 2xx. Deal state is a fold over a deal's events in `occurred_at` order, so events
 * that arrive late or twice change nothing they should not.
 */
export const crmEvents = pgTable(
  'crm_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    eventId: text('event_id').notNull(),
    /** The deal, lead or activity the event is about: events are applied per object. */
    objectKey: text('object_key').notNull(),
    occurredAt: tz('occurred_at').notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
    event: jsonb('event').notNull(),
    status: text('status', { enum: ['pending', 'applied', 'waiting'] })
      .notNull()
      .default('pending'),
    /** Why a waiting event waits (an owner not mapped yet, the CRM API down). */
    waitingFor: text('waiting_for'),
    attempts: integer('attempts').notNull().default(0),
  },
  (t) => [
    uniqueIndex('crm_events_dedupe').on(t.workspaceId, t.source, t.eventId),
    index('crm_events_object').on(t.workspaceId, t.source, t.objectKey, t.occurredAt),
    index('crm_events_status').on(t.status, t.workspaceId),
  ],
);

/**
 * CRM backfills: a window of a CRM's history read through its API into the inbox. The stage and
 * cursor are written in the transaction that stores each page's events, so a run resumes at the
 * first page not stored. The lease (owner and expiry) keeps one process on a run: another takes it
 * over only once it lapses (its process died). At most one run per workspace and CRM is running.
 */
export const crmBackfills = pgTable(
  'crm_backfills',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    since: tz('since').notNull(),
    until: tz('until').notNull(),
    requestedBy: text('requested_by'),
    status: text('status', { enum: ['running', 'done', 'failed'] }).notNull(),
    stage: text('stage', { enum: ['deals', 'leads', 'activities'] }).notNull(),
    /** Where the stage goes on, in the source's own terms; null at the stage's start. */
    cursor: jsonb('cursor'),
    /** Records read per stage, and the CRM's estimate per stage where it gives one. */
    read: jsonb('read').notNull(),
    estimated: jsonb('estimated').notNull(),
    /** Read to the end; `done` follows once the processor has applied every event it stored. */
    readAllAt: tz('read_all_at'),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: tz('lease_expires_at'),
    error: text('error'),
    /** What a reporter keeps between reports (the Slack message it updates), so a resumed run reuses it. */
    reporterState: jsonb('reporter_state'),
    startedAt: tz('started_at').notNull(),
    updatedAt: tz('updated_at').notNull(),
    finishedAt: tz('finished_at'),
  },
  (t) => [
    uniqueIndex('crm_backfills_running').on(t.workspaceId, t.source).where(sql`status = 'running'`),
    index('crm_backfills_workspace').on(t.workspaceId, t.source, t.id),
  ],
);

/**
 * A workspace's changes to how a CRM's activity records count (`/kpi crm map-activity`); keys
 * without a row keep the defaults in `src/integrations/activity-mapping.ts`. Empty kinds: ignored.
 */
export const crmActivityMappings = pgTable(
  'crm_activity_mappings',
  {
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    /** `call:connected`, `meeting:no_show`, `task`, a Pipedrive type key… */
    crmKey: text('crm_key').notNull(),
    kinds: text('kinds').array().notNull(),
    updatedBy: text('updated_by').notNull(),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.source, t.crmKey] })],
);

/** CRM users and the Slack member each is, matched by email or set by an admin. */
export const crmOwners = pgTable(
  'crm_owners',
  {
    workspaceId: text('workspace_id').notNull(),
    source: text('source').notNull(),
    ownerId: text('owner_id').notNull(),
    email: text('email'),
    name: text('name'),
    slackUserId: text('slack_user_id'),
    mappedBy: text('mapped_by', { enum: ['email', 'admin'] }),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.source, t.ownerId] })],
);

/**
 * A channel's scheduled board: which metric (or weighted scorecard), how often, when and in which
 * zone. `next_run_at` is the next scheduled instant; `last_window_end` is where the previous post's
 * window ended, so each post covers exactly the time since the one before.
 */
export const boardSubscriptions = pgTable(
  'board_subscriptions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** A catalogue key, or null when `scorecard` (weighted metrics) is set. */
    metric: text('metric'),
    /** `[{ metric, weight, benchmark? }]` for a weighted scorecard. */
    scorecard: jsonb('scorecard'),
    cadence: text('cadence', { enum: ['daily', 'weekly', 'monthly'] })
      .notNull()
      .default('weekly'),
    /** ISO weekday 1–7 for weekly boards; day of month 1–28 for monthly ones. */
    dayOfWeek: integer('day_of_week').notNull().default(1),
    dayOfMonth: integer('day_of_month').notNull().default(1),
    /** Local wall-clock time, `HH:MM`. */
    timeOfDay: text('time_of_day').notNull().default('09:00'),
    timezone: text('timezone').notNull(),
    topN: integer('top_n').notNull().default(5),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    nextRunAt: tz('next_run_at').notNull(),
    lastWindowEnd: tz('last_window_end'),
    /** A permanent Slack error (`channel_not_found`, `not_in_channel` …) pauses the board until fixed. */
    lastError: text('last_error'),
    lastErrorAt: tz('last_error_at'),
    archivedAt: tz('archived_at'),
  },
  (t) => [
    uniqueIndex('board_subscriptions_channel_metric')
      .on(t.workspaceId, t.channelId, sql`coalesce(${t.metric}, 'scorecard')`)
      .where(sql`${t.archivedAt} is null`),
    index('board_subscriptions_due').on(t.nextRunAt).where(sql`${t.archivedAt} is null`),
  ],
);

/**
 * Every message the bot posts on its own (boards, nudges, digests, contest posts, recognition): a
 * row written in the transaction that decided it, keyed by (workspace, key) so deciding twice
 * stores it once, then delivered by whichever replica claims it (`FOR UPDATE SKIP LOCKED` and a
 * lease). A post that is `sending` when its lease ran out is looked up in Slack (by its metadata)
 * before it is sent again, so a crash between Slack's answer and our commit does not post twice.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** `kind:target:window`, e.g. `board:42:2026-11-16T09:00Z`, `nudge:U1:2026-11-23`. */
    key: text('key').notNull(),
    kind: text('kind', {
      enum: ['board', 'nudge', 'digest', 'contest', 'recognition', 'kudos', 'notice', 'export'],
    }).notNull(),
    /** A channel id, or a user id for a DM. */
    target: text('target').notNull(),
    /** `{ text, blocks }` as chat.postMessage takes them, plus an optional `chart` to upload or `file` to share. */
    payload: jsonb('payload').notNull(),
    /** The subject of a recognition or kudos post: reactions to it count for them. */
    subjectUserId: text('subject_user_id'),
    /** What the post is about (a board subscription, a contest, an activity), for surfacing errors. */
    refType: text('ref_type'),
    refId: bigint('ref_id', { mode: 'number' }),
    status: text('status', { enum: ['pending', 'sending', 'sent', 'failed', 'skipped'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: tz('not_before').notNull().defaultNow(),
    leaseUntil: tz('lease_until'),
    claimedBy: text('claimed_by'),
    lastError: text('last_error'),
    /** Where it landed: the channel Slack reports (a DM's D… id) and the message ts. */
    channelId: text('channel_id'),
    messageTs: text('message_ts'),
    createdAt: createdAt(),
    sentAt: tz('sent_at'),
  },
  (t) => [
    uniqueIndex('outbox_key').on(t.workspaceId, t.key),
    index('outbox_ready').on(t.notBefore, t.id).where(sql`${t.status} in ('pending', 'sending')`),
    index('outbox_message').on(t.workspaceId, t.channelId, t.messageTs).where(sql`${t.messageTs} is not null`),
  ],
);

/** "Did this help?" on a coaching prompt: one answer per nudge, the last click wins. */
export const coachingFeedback = pgTable(
  'coaching_feedback',
  {
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    /** The outbox key of the nudge that carried the prompt. */
    nudgeKey: text('nudge_key').notNull(),
    rule: text('rule').notNull(),
    helpful: boolean('helpful').notNull(),
    answeredAt: tz('answered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId, t.nudgeKey] })],
);

/** Every change a manager or admin makes (roles, goals for others, contests, settings, boards). */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    /** Who or what it was done to: a user id, a channel id, `contest:7`. */
    target: text('target'),
    details: jsonb('details').notNull().default({}),
    at: tz('at').notNull(),
  },
  (t) => [index('audit_log_workspace').on(t.workspaceId, t.at)],
);

/**
 * A contest: scoring (one metric or a weighted scorecard), window, participants (a channel's
 * members or named people), ranking by raw value or by percent of each rep's own goal, prize tiers
 * and a minimum score to win. Its posts go through the outbox keyed by contest and phase.
 */
export const contests = pgTable(
  'contests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    metric: text('metric'),
    scorecard: jsonb('scorecard'),
    ranking: text('ranking', { enum: ['goal_percent', 'raw'] })
      .notNull()
      .default('goal_percent'),
    startsAt: tz('starts_at').notNull(),
    endsAt: tz('ends_at').notNull(),
    timezone: text('timezone').notNull(),
    channelId: text('channel_id').notNull(),
    /** Named participants; null means the channel's members. */
    participants: jsonb('participants'),
    /** `{ kind: 'top', places: [...] }` or `{ kind: 'threshold', score, prize }`. */
    prizes: jsonb('prizes').notNull(),
    minScore: bigint('min_score', { mode: 'number' }),
    status: text('status', { enum: ['scheduled', 'live', 'ended', 'cancelled'] })
      .notNull()
      .default('scheduled'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    /** The final standings, frozen when the contest ends. */
    result: jsonb('result'),
  },
  (t) => [index('contests_workspace').on(t.workspaceId, t.status, t.endsAt)],
);

/** `/kpi kudos @person reason`: a thank-you in channel, capped per giver per day. */
export const kudos = pgTable(
  'kudos',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    giverId: text('giver_id').notNull(),
    receiverId: text('receiver_id').notNull(),
    reason: text('reason').notNull(),
    channelId: text('channel_id').notNull(),
    givenAt: tz('given_at').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
  },
  (t) => [
    uniqueIndex('kudos_idempotency').on(t.workspaceId, t.idempotencyKey),
    index('kudos_giver').on(t.workspaceId, t.giverId, t.givenAt),
    index('kudos_receiver').on(t.workspaceId, t.receiverId, t.givenAt),
  ],
);

/**
 * Teammates' reactions to the bot's recognition and kudos posts. A set, not a counter: the key is
 * (message, reactor, emoji), so a retried `reaction_added` changes nothing and `reaction_removed`
 * deletes the row.
 */
export const reactions = pgTable(
  'reactions',
  {
    workspaceId: text('workspace_id').notNull(),
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    reactorId: text('reactor_id').notNull(),
    emoji: text('emoji').notNull(),
    /** The person the post recognises (the reaction counts for them). */
    subjectUserId: text('subject_user_id').notNull(),
    reactedAt: tz('reacted_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.channelId, t.messageTs, t.reactorId, t.emoji] }),
    index('reactions_subject').on(t.workspaceId, t.subjectUserId, t.reactedAt),
  ],
);

export const schema = {
  boardSubscriptions,
  outbox,
  coachingFeedback,
  auditLog,
  contests,
  kudos,
  reactions,
  crmConnections,
  crmEvents,
  crmBackfills,
  crmOwners,
  crmActivityMappings,
  workspaces,
  installations,
  members,
  activities,
  activitySummary,
  deals,
  dealStageChanges,
  leads,
  customers,
  spend,
  goals,
};

export type Schema = typeof schema;
