/**
 * Slack's limits, and a pacer that keeps a workspace's calls under them.
 *
 * chat.postMessage is limited per channel (about one message per second, a DM being a channel) and
 * per workspace ("several hundred messages per minute"); the other methods by tier: Tier 3 is 50+
 * calls a minute (conversations.history, conversations.open), Tier 4 is 100+ a minute
 * (files.getUploadURLExternal, files.completeUploadExternal).
 */
export interface SlackLimits {
  /** Messages a second into one channel or DM. */
  perChannelPerSecond: number;
  /** Calls a second per method, for one workspace. */
  perMethodPerSecond: Readonly<Record<string, number>>;
}

export const SLACK_LIMITS: SlackLimits = {
  perChannelPerSecond: 1,
  perMethodPerSecond: {
    'chat.postMessage': 300 / 60,
    'conversations.history': 50 / 60,
    'conversations.open': 50 / 60,
    'files.getUploadURLExternal': 100 / 60,
    'files.completeUploadExternal': 100 / 60,
  },
};

/**
 * Calls are spaced a little wider than the limit, so that requests which leave on time but arrive
 * bunched (a busy event loop, a slow network hop) rarely cross it; a 429 that slips through costs
 * that one post a short wait. Channels get the wider margin: a channel rarely holds more than a few
 * posts, so 100 ms more between them costs a fan-out nothing, while a method's margin slows it all.
 */
const CHANNEL_SAFETY = 1.1;
const METHOD_SAFETY = 1.02;

export const channelKey = (channel: string) => `channel:${channel}`;

/**
 * Slots in time, per key (a method, or `channel:<id>`). A call reserves the next free slot of each
 * of its keys and waits until then. Reserving moves each key's next free slot; a 429 pauses a key.
 * Reservations rather than readings of the clock, so the pacer works under a frozen test clock too.
 */
export class Pacer {
  private readonly next = new Map<string, number>();

  constructor(private readonly limits: SlackLimits) {}

  /** The earliest instant (epoch ms) at which a call with these keys may go. */
  slotFor(keys: readonly string[], now: number): number {
    return Math.max(now, ...keys.map((key) => this.next.get(key) ?? 0));
  }

  /** Takes that slot: returns it, and moves every key's next slot one interval past it. */
  reserve(keys: readonly string[], now: number): number {
    const slot = this.slotFor(keys, now);
    for (const key of keys) this.next.set(key, slot + this.intervalOf(key));
    return slot;
  }

  /** Slack answered 429 for this key: nothing goes before `until`. */
  pause(key: string, until: number): void {
    this.next.set(key, Math.max(this.next.get(key) ?? 0, until));
  }

  private intervalOf(key: string): number {
    const isChannel = key.startsWith('channel:');
    const perSecond = isChannel ? this.limits.perChannelPerSecond : this.limits.perMethodPerSecond[key];
    if (perSecond === undefined || perSecond <= 0) return 0;
    return (1000 / perSecond) * (isChannel ? CHANNEL_SAFETY : METHOD_SAFETY);
  }
}
