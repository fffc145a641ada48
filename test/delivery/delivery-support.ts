import { webApi } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { Deliverer, type DelivererOptions } from '../../src/delivery/deliverer.js';
import { deliveryClient } from '../../src/delivery/delivery-service.js';
import { enqueuePosts, type NewPost } from '../../src/delivery/outbox.repository.js';
import { POST_EVENT_TYPE } from '../../src/delivery/send-post.js';
import { createLogger } from '../../src/lib/logger.js';
import type { FakeSlack } from '../support/fake-slack.js';
import { ADMIN_URL } from '../support/test-env.js';

/** Fast limits for tests: the per-channel pace is Slack's, the workspace-wide one is loose. */
export const TEST_LIMITS = { perChannelPerSecond: 1, perMethodPerSecond: { 'chat.postMessage': 200 } };

/** A workspace on the fake: its bot token, channels `C…` and users `U…` (DMs). */
export function addWorkspace(
  fake: FakeSlack,
  teamId: string,
  shape: { channels?: readonly string[]; users?: readonly string[] } = {},
): string {
  const token = `xoxb-${teamId}`;
  fake.addToken(token, { teamId, botUserId: 'UBOT', botId: 'BBOT' });
  for (const id of shape.channels ?? []) fake.addChannel({ id, teamId, members: ['UBOT'] });
  for (const id of shape.users ?? []) fake.addUser({ id, teamId, tz: 'UTC' });
  return token;
}

export function newDeliverer(
  db: Database,
  fake: FakeSlack,
  tokens: Record<string, string>,
  options: Partial<DelivererOptions> = {},
): Deliverer {
  return new Deliverer({
    db,
    logger: createLogger((process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent'),
    clientFor: async (workspaceId) => {
      const token = tokens[workspaceId];
      return token ? deliveryClient(new webApi.WebClient(token, { slackApiUrl: fake.apiUrl })) : null;
    },
    limits: TEST_LIMITS,
    ...options,
  });
}

/** A post decided at `decidedAt` (the test's clock: the column's default is the database's clock). */
export function post(
  workspaceId: string,
  key: string,
  target: string,
  extra: Partial<NewPost> & { decidedAt?: Date } = {},
): NewPost {
  const { decidedAt, ...rest } = extra;
  return { workspaceId, key, kind: 'board', target, payload: { text: `post ${key}` }, notBefore: decidedAt, ...rest };
}

export async function enqueue(db: Database, posts: readonly NewPost[]): Promise<void> {
  await db.transaction(async (tx) => {
    await enqueuePosts(tx, posts);
  });
}

/** How many times each key was posted: by successful calls, or (`in`) by the messages in those conversations. */
export function postedKeys(fake: FakeSlack, options: { in?: readonly string[] } = {}): Map<string, number> {
  const metadataOf = options.in
    ? options.in
        .flatMap((target) => fake.messagesIn(/^U/.test(target) ? fake.dmChannelOf(target) : target))
        .map((m) => m.metadata)
    : fake
        .callsTo('chat.postMessage')
        .filter((call) => call.ok)
        .map((call) => call.args.metadata);
  const counts = new Map<string, number>();
  for (const value of metadataOf) {
    const metadata = value as { event_type?: string; event_payload?: { key?: string } } | undefined;
    const key = metadata?.event_type === POST_EVENT_TYPE ? metadata.event_payload?.key : undefined;
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** The URL of the PostgreSQL database behind a test handle, for another process or pool. */
export async function databaseUrl(db: Database): Promise<string> {
  const rows = await queryRows<{ name: string }>(db, sql`select current_database() as name`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${rows[0]?.name ?? ''}`;
  return url.toString();
}
