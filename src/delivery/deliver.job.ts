import { webApi } from '@slack/bolt';
import type { JobDefinition, JobDeps } from '../jobs/job.js';
import { Deliverer } from './deliverer.js';

/**
 * The Web API client delivery uses: the workspace's token, with the SDK's own retries and 429
 * sleeps off, because the deliverer schedules retries itself (per channel, in the outbox).
 */
export function deliveryClient(
  client: webApi.WebClient | null,
  options: Pick<webApi.WebClientOptions, 'logger' | 'fetch'> = {},
): webApi.WebClient | null {
  if (client?.token === undefined) return null;
  return new webApi.WebClient(client.token, {
    slackApiUrl: client.slackApiUrl,
    ...options,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 30_000,
  });
}

const deliverers = new WeakMap<JobDeps, Deliverer>();

/** The app's long-lived deliverer serves the `deliver` job too, so one pacer paces the process. */
export function useDeliverer(deps: JobDeps, deliverer: Deliverer): void {
  deliverers.set(deps, deliverer);
}

function delivererFor(deps: JobDeps): Deliverer {
  let deliverer = deliverers.get(deps);
  if (!deliverer) {
    deliverer = new Deliverer({
      db: deps.db,
      logger: deps.logger,
      clientFor: async (workspaceId) => deliveryClient(await deps.slackFor(workspaceId)),
    });
    deliverers.set(deps, deliverer);
  }
  return deliverer;
}

export const deliverJob: JobDefinition = {
  name: 'deliver',
  description: 'Sends the outbox: every post due now (boards, nudges, digests, contest posts, notices)',
  cron: '* * * * *',
  timezone: 'UTC',
  sendsPosts: true,
  run: async (deps, now, options) => ({ ...(await delivererFor(deps).drain(now, options.workspaceId)) }),
};
