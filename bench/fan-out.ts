import { webApi } from '@slack/bolt';
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';
import { queryRows } from '../src/db/rows.js';
import { outbox } from '../src/db/schema.js';
import { Deliverer } from '../src/delivery/deliverer.js';
import { deliveryClient } from '../src/delivery/delivery-service.js';
import { enqueuePosts, type NewPost } from '../src/delivery/outbox.repository.js';
import type { SlackLimits } from '../src/delivery/pacer.js';
import { POST_EVENT_TYPE } from '../src/delivery/send-post.js';
import { createLogger } from '../src/lib/logger.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { timed } from './measure.js';

/**
 * Issue-4 target: a weekly fan-out, 1,000 reps' DMs and 50 channels with 5 posts each, delivered
 * by the real deliverer from the outbox into a fake Slack that enforces Slack's pace per channel
 * (1 message a second, a DM included) and a pace per method (chat.postMessage per workspace). The
 * deliverer is told the same limits as it is told Slack's. The workspace rate is scaled up from
 * Slack's "several hundred a minute" so that a run takes seconds, not minutes: the figure that
 * matters is the ratio to the floor the limits set, which does not depend on the scale.
 */
export const FAN_OUT = { reps: 1000, channels: 50, postsPerChannel: 5, methodPerSecond: 25, channelPerSecond: 1 };
const TARGET_RATIO = 1.2;
const WORKSPACE_ID = 'TFANOUT001';

export interface FanOutResult {
  posts: number;
  elapsedMs: number;
  floorMs: number;
  duplicates: number;
  lost: number;
  rateLimited: number;
}

/**
 * The floor: posts go no faster than the method rate, and a channel's posts no faster than the
 * channel rate; the first post goes at 0, so n posts need (n - 1) intervals.
 */
export function fanOutFloorMs(shape: typeof FAN_OUT): number {
  const posts = shape.reps + shape.channels * shape.postsPerChannel;
  return Math.max(
    ((posts - 1) / shape.methodPerSecond) * 1000,
    ((shape.postsPerChannel - 1) / shape.channelPerSecond) * 1000,
  );
}

export async function benchFanOut(db: Database): Promise<FanOutResult> {
  const fake = await startFakeSlack();
  try {
    const token = `xoxb-${WORKSPACE_ID}`;
    fake.addToken(token, { teamId: WORKSPACE_ID, botUserId: 'UBOT', botId: 'BBOT' });
    fake.setChannelRateLimit({ perSecond: FAN_OUT.channelPerSecond });
    fake.setRateLimit('chat.postMessage', { perSecond: FAN_OUT.methodPerSecond });
    const users = Array.from({ length: FAN_OUT.reps }, (_, i) => `U${String(i + 1).padStart(5, '0')}`);
    const channels = Array.from({ length: FAN_OUT.channels }, (_, i) => `C${String(i + 1).padStart(5, '0')}`);
    for (const id of users) fake.addUser({ id, teamId: WORKSPACE_ID, tz: 'UTC' });
    for (const id of channels) fake.addChannel({ id, teamId: WORKSPACE_ID, members: ['UBOT'] });

    const now = new Date();
    const posts: NewPost[] = [
      ...users.map((user) => post(`nudge:${user}:w47`, user, 'nudge', now)),
      ...channels.flatMap((channel) =>
        Array.from({ length: FAN_OUT.postsPerChannel }, (_, n) =>
          post(`board:${channel}:${n}:w47`, channel, 'board', now),
        ),
      ),
    ];
    await db.transaction(async (tx) => {
      await enqueuePosts(tx, posts);
    });

    const limits: SlackLimits = {
      perChannelPerSecond: FAN_OUT.channelPerSecond,
      perMethodPerSecond: { 'chat.postMessage': FAN_OUT.methodPerSecond },
    };
    const client = deliveryClient(new webApi.WebClient(token, { slackApiUrl: fake.apiUrl }));
    const deliverer = new Deliverer({ db, logger: createLogger('silent'), clientFor: async () => client, limits });
    const elapsedMs = await timed(() => deliverer.drain());

    const counts = new Map<string, number>();
    for (const conversation of [...users.map((u) => fake.dmChannelOf(u)), ...channels]) {
      for (const message of fake.messagesIn(conversation)) {
        const metadata = message.metadata as { event_type?: string; event_payload?: { key?: string } } | undefined;
        const key = metadata?.event_type === POST_EVENT_TYPE ? metadata.event_payload?.key : undefined;
        if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const unsent = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${outbox} where ${eq(outbox.workspaceId, WORKSPACE_ID)} and status <> 'sent'`,
    );
    return {
      posts: posts.length,
      elapsedMs,
      floorMs: fanOutFloorMs(FAN_OUT),
      duplicates: [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
      lost: posts.filter((p) => !counts.has(p.key)).length + (unsent[0]?.n ?? 0),
      rateLimited: fake.callsTo('chat.postMessage').filter((c) => c.status === 429).length,
    };
  } finally {
    await fake.close();
  }
}

function post(key: string, target: string, kind: NewPost['kind'], at: Date): NewPost {
  return { workspaceId: WORKSPACE_ID, key, kind, target, payload: { text: `Weekly ${kind}` }, notBefore: at };
}

export function fanOutTable(result: FanOutResult): string {
  const ratio = result.elapsedMs / result.floorMs;
  const met = ratio <= TARGET_RATIO && result.duplicates === 0 && result.lost === 0;
  return [
    `${FAN_OUT.reps.toLocaleString('en-US')} DMs and ${FAN_OUT.channels} channels × ${FAN_OUT.postsPerChannel} posts ` +
      `(${result.posts.toLocaleString('en-US')} posts) on PostgreSQL, into a fake Slack enforcing ` +
      `${FAN_OUT.channelPerSecond} message/s per channel and ${FAN_OUT.methodPerSecond} chat.postMessage/s per workspace. ` +
      `Floor: the time those limits allow. Target: within ${TARGET_RATIO}× of it, no duplicate, nothing lost.`,
    '',
    '| posts | time | floor | ratio | duplicates | lost | 429s | target met? |',
    '|--:|--:|--:|--:|--:|--:|--:|---|',
    `| ${result.posts} | ${(result.elapsedMs / 1000).toFixed(2)} s | ${(result.floorMs / 1000).toFixed(2)} s | ${ratio.toFixed(2)}× | ${result.duplicates} | ${result.lost} | ${result.rateLimited} | ${met ? 'yes' : 'no'} |`,
  ].join('\n');
}
