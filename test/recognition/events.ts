import type { App } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { outbox, reactions } from '../../src/db/schema.js';

/**
 * Bolt acknowledges an Events API request before its listener runs, so a test cannot tell from the
 * HTTP answer that the handler is done. This counts the events the app is still processing.
 */
export function trackEvents(app: App): { settled(): Promise<void> } {
  let inFlight = 0;
  const process = app.processEvent.bind(app);
  app.processEvent = async (event) => {
    inFlight++;
    try {
      return await process(event);
    } finally {
      inFlight--;
    }
  };
  return {
    async settled() {
      for (let i = 0; i < 500 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10));
      if (inFlight > 0) throw new Error('an event handler is still running after 5 s');
    },
  };
}

export function reactionEvent(
  type: 'reaction_added' | 'reaction_removed',
  o: { user: string; channel: string; ts: string; reaction?: string; at?: Date },
) {
  return {
    type,
    user: o.user,
    reaction: o.reaction ?? 'tada',
    item_user: 'UBOT',
    item: { type: 'message', channel: o.channel, ts: o.ts },
    event_ts: ((o.at ?? new Date()).getTime() / 1000).toFixed(6),
  };
}

/** What the deliverer records once Slack accepted a post: where it landed. */
export async function markSent(db: Database, workspaceId: string, key: string, channelId: string, ts: string) {
  await db
    .update(outbox)
    .set({ status: 'sent', channelId, messageTs: ts, sentAt: new Date() })
    .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.key, key)));
}

export async function reactionsOn(db: Database, workspaceId: string, ts: string) {
  return db
    .select()
    .from(reactions)
    .where(and(eq(reactions.workspaceId, workspaceId), eq(reactions.messageTs, ts)));
}
