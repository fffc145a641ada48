import type { JobDefinition } from '../jobs/job.js';

export const deliverJob: JobDefinition = {
  name: 'deliver',
  description: 'Sends the outbox: every post due now (boards, nudges, digests, contest posts, notices)',
  cron: '* * * * *',
  timezone: 'UTC',
  sendsPosts: true,
  run: (deps, now, options) => deps.deliverer.drain(now, options.workspaceId),
};
