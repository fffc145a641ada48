import type { JobDefinition } from '../jobs/job.js';
import { PURGE_GRACE_DAYS, purgeUninstalled } from './workspace-purge.js';

export const purgeJob: JobDefinition = {
  name: 'purge-uninstalled',
  description: `Deletes every row of workspaces uninstalled more than ${PURGE_GRACE_DAYS} days ago`,
  cron: '17 3 * * *',
  timezone: 'UTC',
  run: (deps, now, options) => purgeUninstalled(deps.db, now, options),
};
