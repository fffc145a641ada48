import type { JobDefinition } from '../jobs/job.js';

/**
 * Backfills whose process died (a crash, a restart, a replica gone) go on here: a run's lease
 * lapses two minutes after its holder stopped renewing it, and the next minute's job takes it over
 * from its last stored page.
 */
export const crmBackfillJob: JobDefinition = {
  name: 'crm-backfill',
  description: 'Resumes CRM backfills whose process stopped, from their last stored page',
  cron: '* * * * *',
  timezone: 'UTC',
  // It starts work in the background rather than deciding anything: a dry run would take runs over for real.
  sendsPosts: true,
  run: (deps, now, options) => deps.crmBackfills.resume(deps.db, now, options.workspaceId ?? null),
};
