import type { webApi } from '@slack/bolt';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';

/**
 * What every scheduled job body gets. A body is a plain function of `(deps, now, options)`: the
 * scheduler calls it with the wall clock, tests and `kpi-bot jobs run` with any instant.
 */
export interface JobDeps {
  db: Database;
  logger: Logger;
  /** The bot's Web API client for a workspace, or null when the bot is not installed there. */
  slackFor(workspaceId: string): Promise<webApi.WebClient | null>;
  /** The process's one deliverer, so one pacer paces every send, the `deliver` job's included. */
  deliverer: OutboxSender;
  /** The CRM events that wait, applied with the CRM settings and each workspace's CRM API. */
  crm: WaitingCrmEvents;
  /** The workspaces' CRM OAuth grants, refreshed before they expire. */
  crmGrants: CrmGrantRefresher;
  /** CRM backfills whose process stopped, taken over. */
  crmBackfills: CrmBackfillResumer;
}

/** The jobs' port to the outbox's sender: sends every post due at `at`, and says how it went. */
export interface OutboxSender {
  drain(at?: Date, workspaceId?: string): Promise<JobReport>;
}

/**
 * The jobs' port to the CRM processor: applies events that wait (an owner not yet mapped, a CRM API
 * that was down). It writes through the `db` it is given, so a dry run's transaction holds it all.
 */
export interface WaitingCrmEvents {
  apply(db: Database, now: Date, workspaceId: string | null): Promise<JobReport>;
}

/**
 * The jobs' port to the CRM OAuth grants: refreshes each grant whose access token is about to
 * expire, so one the CRM revoked is noticed, and shown to the admin, before an event needs it.
 */
export interface CrmGrantRefresher {
  refresh(db: Database, now: Date, workspaceId: string | null): Promise<JobReport>;
}

/**
 * The jobs' port to the CRM backfills: takes over running backfills whose process died (their
 * lease lapsed), so a restart or a crash only pauses them. The runs go on in the background.
 */
export interface CrmBackfillResumer {
  resume(db: Database, now: Date, workspaceId: string | null): Promise<JobReport>;
}

export interface JobOptions {
  /** Limit the run to one workspace (`kpi-bot jobs run … --workspace T123`). */
  workspaceId?: string;
}

/** What a run did, for logs and the `kpi-bot jobs` CLI: counts by outcome, e.g. `{ enqueued: 3 }`. */
export type JobReport = Record<string, number>;

export interface JobDefinition {
  name: string;
  description: string;
  /** node-cron expression and the zone it is read in. */
  cron: string;
  timezone: string;
  /** Sends what others decided (talks to Slack itself), so a dry run has nothing to show. */
  sendsPosts?: boolean;
  run(deps: JobDeps, now: Date, options: JobOptions): Promise<JobReport>;
}
