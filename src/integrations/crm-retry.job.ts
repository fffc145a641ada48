import type { JobDefinition } from '../jobs/job.js';

/**
 * Events that wait (an owner not yet mapped, a CRM API that was down) are tried again. Webhooks
 * are applied as they arrive; this catches up on what could not be. It reads through the job's
 * own database, so a dry run's transaction holds everything it would write.
 */
export const crmRetryJob: JobDefinition = {
  name: 'crm-retry',
  description: 'Applies CRM events that wait: an owner not yet mapped, a CRM API that was down',
  cron: '* * * * *',
  timezone: 'UTC',
  run: (deps, now, options) => deps.crm.apply(deps.db, now, options.workspaceId ?? null),
};
