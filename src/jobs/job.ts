import type { webApi } from '@slack/bolt';
import type { Database } from '../db/client.js';
import type { Deliverer } from '../delivery/deliverer.js';
import type { ProcessorDeps } from '../integrations/processor.js';
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
  deliverer: Pick<Deliverer, 'drain'>;
  /** Where CRM events are read back from: the CRM settings and each workspace's CRM API. */
  crm: Pick<ProcessorDeps, 'crm' | 'apiFor'>;
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
