import type { JobDefinition } from '../jobs/job.js';

/**
 * OAuth grants are refreshed as they near expiry even when no event needs them: a grant the CRM
 * revoked (the app uninstalled there) shows on the admin's App Home and in `/kpi crm` within minutes,
 * and refresh tokens that lapse when unused (Pipedrive's, after 60 days) stay alive. Every 4 minutes,
 * inside the 5 minutes before expiry when a token is refreshed.
 */
export const crmGrantsJob: JobDefinition = {
  name: 'crm-grants',
  description: 'Refreshes CRM OAuth tokens before they expire, and notices grants the CRM revoked',
  cron: '*/4 * * * *',
  timezone: 'UTC',
  run: (deps, now, options) => deps.crmGrants.refresh(deps.db, now, options.workspaceId ?? null),
};
