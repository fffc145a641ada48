import { webApi } from '@slack/bolt';
import type { DatabaseHandle } from '../db/client.js';
import type { JobDefinition } from '../jobs/job.js';
import type { Logger } from '../lib/logger.js';
import type { Deliverer } from './deliverer.js';
import { OUTBOX_CHANNEL } from './outbox.repository.js';

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

export const deliverJob: JobDefinition = {
  name: 'deliver',
  description: 'Sends the outbox: every post due now (boards, nudges, digests, contest posts, notices)',
  cron: '* * * * *',
  timezone: 'UTC',
  sendsPosts: true,
  run: async (deps, now, options) => ({ ...(await deps.deliverer.drain(now, options.workspaceId)) }),
};

/**
 * A post is sent as soon as the transaction that wrote it commits, by whichever replica claims it
 * first: every replica listens for the outbox's NOTIFY (`enqueuePosts` sends it), and catches up
 * on whatever was written while it was not listening. Without the subscription, the minute job and
 * the deliverer's own wake-ups still send everything, only later. Returns how to stop listening.
 */
export async function wakeOnOutbox(database: DatabaseHandle, delivery: Deliverer, logger: Logger) {
  const kick = () => delivery.kick();
  try {
    return await database.listen(OUTBOX_CHANNEL, kick, kick);
  } catch (error) {
    logger.warn({ err: error }, 'delivery: cannot listen for new posts; they wait for the minute job');
    return async () => {};
  }
}
