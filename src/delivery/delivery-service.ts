import type { Logger as BoltLogger } from '@slack/bolt';
import * as webApi from '@slack/web-api';
import type { DatabaseHandle } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { Shutdown } from '../lib/shutdown.js';
import type { Metrics } from '../ops/metrics.js';
import { Deliverer } from './deliverer.js';
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

export interface DeliveryDeps {
  database: DatabaseHandle;
  logger: Logger;
  now: () => Date;
  /** The bot's client for a workspace; delivery sends with a copy of its token. */
  slackFor(workspaceId: string): Promise<webApi.WebClient | null>;
  boltLogger: BoltLogger;
  metrics: Pick<Metrics, 'delivery' | 'slackFetch'>;
  shutdown: Shutdown;
}

/** The process's one deliverer, counted in the metrics; it stops with the app. */
export function createDelivery(deps: DeliveryDeps): Deliverer {
  const { logger, now, metrics } = deps;
  const delivery = new Deliverer({
    db: deps.database.db,
    logger,
    now,
    clientFor: async (workspaceId) =>
      deliveryClient(await deps.slackFor(workspaceId), { logger: deps.boltLogger, fetch: metrics.slackFetch }),
    onSettled: (kind, outcome) => metrics.delivery(kind, outcome),
  });
  deps.shutdown.add('deliverer', () => delivery.stop());
  return delivery;
}

/**
 * Starts sending: what is due now, and (`onCommit`) each post as soon as the transaction that wrote
 * it commits. Off in tests that look at posts as decided: only kicks and the deliver job send then.
 */
export async function startDelivery(
  deps: Pick<DeliveryDeps, 'database' | 'logger' | 'shutdown'>,
  delivery: Deliverer,
  onCommit: boolean,
): Promise<void> {
  if (onCommit) deps.shutdown.add('outbox listener', await wakeOnOutbox(deps.database, delivery, deps.logger));
  delivery.kick();
}

/**
 * A post is sent as soon as the transaction that wrote it commits, by whichever replica claims it
 * first: every replica listens for the outbox's NOTIFY (`enqueuePosts` sends it), and catches up
 * on whatever was written while it was not listening. Without the subscription, the minute job and
 * the deliverer's own wake-ups still send everything, only later. Returns how to stop listening.
 */
async function wakeOnOutbox(database: DatabaseHandle, delivery: Deliverer, logger: Logger) {
  const kick = () => delivery.kick();
  try {
    return await database.listen(OUTBOX_CHANNEL, kick, kick);
  } catch (error) {
    logger.warn({ err: error }, 'delivery: cannot listen for new posts; they wait for the minute job');
    return async () => {};
  }
}
