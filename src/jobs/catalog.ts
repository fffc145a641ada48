import { boardsJob } from '../boards/boards.job.js';
import { nudgesJob } from '../coaching/nudges.job.js';
import { contestsJob } from '../contests/contest.job.js';
import { deliverJob } from '../delivery/deliver.job.js';
import { digestsJob } from '../digest/digests.job.js';
import { crmBackfillJob } from '../integrations/crm-backfill.job.js';
import { crmGrantsJob } from '../integrations/crm-grants.job.js';
import { crmRetryJob } from '../integrations/crm-retry.job.js';
import { purgeJob } from '../privacy/purge.job.js';
import type { JobDefinition } from './job.js';

/**
 * Every scheduled job, by name: the scheduler starts them all, `kpi-bot jobs run <name>` runs one
 * by hand, and tests call a body directly with an injected clock.
 */
export const JOBS: readonly JobDefinition[] = [
  boardsJob,
  nudgesJob,
  digestsJob,
  contestsJob,
  deliverJob,
  crmRetryJob,
  crmGrantsJob,
  crmBackfillJob,
  purgeJob,
];

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((job) => job.name === name);
}
