import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { webApi } from '@slack/bolt';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import {
  type ClaimedPost,
  claimReady,
  knownDmChannel,
  markFailed,
  markSent,
  type NewPost,
  nextDue,
  reschedule,
} from './outbox.repository.js';
import { channelKey, Pacer, SLACK_LIMITS, type SlackLimits } from './pacer.js';
import { type SendContext, SlackCallError, sendPost, UploadError } from './send-post.js';
import {
  type BackoffPolicy,
  backoffMs,
  classifySlackFailure,
  DEFAULT_BACKOFF,
  type Failure,
  remedyFor,
} from './slack-failures.js';

/**
 * Sends the outbox. Each pass claims due posts in batches, orders them by the earliest moment
 * Slack's limits let each go (per channel, per method, per workspace) and keeps several in flight
 * across channels. Exactly once rests on three things: a claim is a lease in the database
 * (`FOR UPDATE SKIP LOCKED`), only the lease holder can mark a post sent, and a post whose earlier
 * attempt may have landed is first looked up in the channel's history by its metadata key.
 */
export interface DelivererOptions {
  db: Database;
  logger: Logger;
  /** A Web API client for delivery (its own retries off: backoff is ours), or null if not installed. */
  clientFor(workspaceId: string): Promise<webApi.WebClient | null>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  fetch?: typeof fetch;
  limits?: SlackLimits;
  backoff?: BackoffPolicy;
  /** How long a claim holds a post: far above one request's timeout, so a slow replica is not overtaken. */
  leaseMs?: number;
  /** Requests in flight at once (different channels; each channel's own pace still applies). */
  concurrency?: number;
  /** A post that would wait longer than this for its slot goes back to the outbox instead. */
  maxLocalWaitMs?: number;
  batchSize?: number;
  workerId?: string;
  /** Told of every settled post (the app's metrics). */
  onSettled?(kind: string, outcome: 'sent' | 'reconciled' | 'failed'): void;
}

// A type, not an interface, so it is a job's report (`Record<string, number>`) as it stands.
export type DeliveryReport = {
  sent: number;
  /** Found in history: an earlier attempt had posted it. */
  reconciled: number;
  retrying: number;
  failed: number;
};

const defaultSleep = (ms: number) =>
  ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Claimed but unsent posts held at most, in batches: they must all go well within a lease. */
const MAX_QUEUED_BATCHES = 3;

/** A post is sent only if its request can finish this long before its lease ends (client timeout). */
const LEASE_MARGIN_MS = 30_000;

/** Background wake-ups for retries come at most this far ahead; the minute job covers the rest. */
const MAX_WAKE_MS = 60_000;

interface Queued {
  post: ClaimedPost;
  /** When this replica's claim runs out: after it, another replica may take the post. */
  leaseEnds: number;
  client: webApi.WebClient;
  pacer: Pacer;
}

export class Deliverer {
  readonly workerId: string;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly maxLocalWaitMs: number;
  private readonly batchSize: number;
  private readonly pacers = new Map<string, Pacer>();
  private running: Promise<DeliveryReport> | null = null;
  private background: Promise<void> | null = null;
  private kicked = false;
  private stopping = false;
  private wake: NodeJS.Timeout | undefined;
  /** When the running pass last moved (monotonic ms); null between passes. */
  private movedAt: number | null = null;
  /** Kicks so far: a pass that sees a new one claims again, even after a short claim. */
  private kicks = 0;
  /** Ends the running pass's wait (a kick, or stop()). */
  private wakePass: (() => void) | undefined;

  constructor(private readonly opts: DelivererOptions) {
    this.workerId = opts.workerId ?? `deliverer-${randomUUID().slice(0, 8)}`;
    this.now = opts.now ?? (() => new Date());
    this.sleep = opts.sleep ?? defaultSleep;
    this.leaseMs = opts.leaseMs ?? 120_000;
    this.concurrency = opts.concurrency ?? 16;
    this.maxLocalWaitMs = opts.maxLocalWaitMs ?? 2_000;
    this.batchSize = opts.batchSize ?? 100;
  }

  /**
   * Sends everything due at `at` (default: the clock). Resolves once every post this pass claimed
   * is settled: sent, failed for good, or rescheduled because Slack said to wait (a 429 whose
   * Retry-After is over `maxLocalWaitMs`) or failed in a way worth a retry later (a backoff). A post
   * only waiting for its pace, or handed back to renew its claim, is never left behind: the pass
   * waits for it. A post that falls due within `maxLocalWaitMs` is waited for too. What another
   * replica holds is that replica's to settle, under the same rule. Passes never overlap in one
   * process: a drain asked for while one runs starts after it.
   */
  async drain(at?: Date, workspaceId?: string): Promise<DeliveryReport> {
    while (this.running) await this.running.catch(() => undefined);
    const started = performance.now();
    this.movedAt = started;
    const pass = this.pass(at ?? this.now(), workspaceId);
    this.running = pass;
    let report: DeliveryReport | undefined;
    try {
      report = await pass;
      return report;
    } finally {
      if (this.running === pass) {
        this.running = null;
        this.movedAt = null;
      }
      // A pass that found nothing to do (most minutes) is not worth an info line.
      const busy = report === undefined || Object.values(report).some((n) => n > 0);
      this.opts.logger[busy ? 'info' : 'debug'](
        {
          workspace: workspaceId,
          outcome: report === undefined ? 'error' : 'ok',
          durationMs: Math.round(performance.now() - started),
          ...report,
        },
        'delivery pass',
      );
    }
  }

  /** How long the running pass has gone without claiming, sending or settling anything (0 when idle). */
  stalledMs(): number {
    return this.movedAt === null ? 0 : performance.now() - this.movedAt;
  }

  /**
   * Starts draining in the background (posts were committed to the outbox); once more if a pass is
   * running, which also stops waiting and claims what is new at once.
   */
  kick(): void {
    if (this.stopping) return;
    this.kicked = true;
    this.kicks++;
    this.wakePass?.();
    if (this.background) return;
    this.background = (async () => {
      while (this.kicked && !this.stopping) {
        this.kicked = false;
        await this.drain();
      }
    })()
      .catch((error: unknown) => this.opts.logger.error({ err: error }, 'delivery pass failed'))
      .finally(() => {
        this.background = null;
        if (this.kicked) this.kick();
        else
          this.wakeForNextDue().catch((error: unknown) =>
            this.opts.logger.error({ err: error }, 'delivery: could not plan the next pass'),
          );
      });
  }

  /** Resolves when no pass is running or asked for. */
  async idle(): Promise<void> {
    while (this.running || this.background) {
      await (this.background ?? this.running)?.catch(() => undefined);
    }
  }

  /** Stops waking up, hands back posts not yet started, and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.wake);
    this.wakePass?.();
    await this.idle();
  }

  /** Posts retried within the minute are sent on time rather than at the next minute's job. */
  private async wakeForNextDue(): Promise<void> {
    const due = await nextDue(this.opts.db);
    if (due === null || this.stopping) return;
    const wait = Math.max(0, due.getTime() - this.now().getTime());
    if (wait > MAX_WAKE_MS) return;
    clearTimeout(this.wake);
    this.wake = setTimeout(() => this.kick(), wait + 10);
    this.wake.unref();
  }

  private async pass(at: Date, workspaceId: string | undefined): Promise<DeliveryReport> {
    // Time moves on during a pass: `at` plus the time elapsed by the clock, or plus the time this
    // pass spent waiting if that is more, so a frozen test clock cannot keep a pass waiting for an
    // instant that never comes.
    const started = this.now().getTime();
    let waited = 0;
    const clock = () => at.getTime() + Math.max(this.now().getTime() - started, waited);
    const report: DeliveryReport = { sent: 0, reconciled: 0, retrying: 0, failed: 0 };
    const queue: Queued[] = [];
    const inFlight = new Set<Promise<void>>();
    let exhausted = false;
    // Posts this pass handed back only to wait for their pace or for a fresh claim: it must send
    // them (or see another replica take them) before it ends, however far ahead they are.
    let deferredUntil = 0;
    // One client per workspace and pass: a reinstall between passes is picked up.
    const clients = new Map<string, Promise<webApi.WebClient | null>>();
    const clientOf = (id: string) => {
      const client = clients.get(id) ?? this.opts.clientFor(id);
      clients.set(id, client);
      return client;
    };
    const defer = async (item: Queued, until: number) => {
      deferredUntil = Math.max(deferredUntil, until);
      await this.handBack(item.post, clock(), until);
    };
    let kicks = this.kicks;
    const kicked = () => this.kicks !== kicks;
    const wakeable = () =>
      new Promise<void>((resolve) => {
        this.wakePass = resolve;
      });

    for (;;) {
      if (kicked()) {
        kicks = this.kicks;
        exhausted = false;
      }
      this.movedAt = performance.now();
      // Claim more while few queued posts can go within the second (a batch of one channel's posts
      // waits on that channel's pace), up to a bound that keeps claims well inside their lease.
      if (!exhausted && !this.stopping && this.wantsMore(queue, clock())) {
        const claimedAt = clock();
        const claimed = await claimReady(this.opts.db, {
          now: new Date(claimedAt),
          workerId: this.workerId,
          leaseMs: this.leaseMs,
          limit: this.batchSize,
          ...(workspaceId === undefined ? {} : { workspaceId }),
        });
        exhausted = claimed.length < this.batchSize;
        for (const post of claimed) {
          const client = await clientOf(post.workspaceId);
          if (client === null) {
            await this.settleFailure(post, { kind: 'permanent', error: 'not_installed' }, clock(), report);
          } else {
            queue.push({ post, client, pacer: this.pacerOf(post.workspaceId), leaseEnds: claimedAt + this.leaseMs });
          }
        }
      }
      if (this.stopping && queue.length > 0) {
        for (const item of queue.splice(0)) await this.handBack(item.post, clock());
      }
      if (queue.length === 0 && inFlight.size === 0) {
        if (this.stopping) break;
        // What this pass deferred is waited for whatever the distance; other posts (a short
        // Retry-After or backoff, one decided meanwhile) if they fall due within a moment. Later
        // ones are the background wake-up's or the minute job's.
        const due = await nextDue(this.opts.db, workspaceId);
        const now = clock();
        const dueAt = due === null ? Number.POSITIVE_INFINITY : due.getTime();
        const until = Math.min(
          dueAt <= now + this.maxLocalWaitMs ? dueAt : Number.POSITIVE_INFINITY,
          deferredUntil > now ? deferredUntil : Number.POSITIVE_INFINITY,
        );
        // Checked again after the await above, with no await before the wait begins: a stop() in
        // between would otherwise find no wait to end.
        if (this.stopping || (until === Number.POSITIVE_INFINITY && !kicked())) break;
        if (!kicked()) {
          const before = performance.now();
          await Promise.race([this.sleep(until - now), wakeable()]);
          waited += performance.now() - before;
        }
        exhausted = false;
        continue;
      }
      const next = inFlight.size < this.concurrency ? this.earliest(queue, clock()) : null;
      if (next !== null) {
        queue.splice(queue.indexOf(next.item), 1);
        // Too long a wait, or too close to the end of the claim (another replica could take the post
        // while ours is on its way): back to the outbox, until the slot.
        if (next.slot - clock() > this.maxLocalWaitMs || next.slot > next.item.leaseEnds - LEASE_MARGIN_MS) {
          await defer(next.item, next.slot);
          continue;
        }
        const slot = next.item.pacer.reserve(postKeys(next.item.post), clock());
        const requeue = (item: Queued) => queue.push(item);
        const task = this.deliver(next.item, slot, clock, report, requeue).finally(() => inFlight.delete(task));
        inFlight.add(task);
        continue;
      }
      await Promise.race([...inFlight, wakeable()]);
    }
    this.wakePass = undefined;
    return report;
  }

  /** The queued post that can go first, by its channel's and its method's next free slot. */
  private earliest(queue: readonly Queued[], now: number): { item: Queued; slot: number } | null {
    let best: { item: Queued; slot: number } | null = null;
    for (const item of queue) {
      const slot = item.pacer.slotFor(postKeys(item.post), now);
      if (best === null || slot < best.slot) best = { item, slot };
      if (slot <= now) break;
    }
    return best;
  }

  private wantsMore(queue: readonly Queued[], now: number): boolean {
    if (queue.length >= this.batchSize * MAX_QUEUED_BATCHES) return false;
    let soon = 0;
    for (const item of queue) {
      if (item.pacer.slotFor(postKeys(item.post), now) <= now + 1000 && ++soon >= this.batchSize / 2) return false;
    }
    return true;
  }

  private async deliver(
    item: Queued,
    slot: number,
    clock: () => number,
    report: DeliveryReport,
    requeue: (item: Queued) => void,
  ): Promise<void> {
    const { post } = item;
    const ctx: SendContext = {
      client: item.client,
      pacer: item.pacer,
      now: clock,
      sleep: this.sleep,
      leaseMs: this.leaseMs,
      dmChannelOf: (userId) => knownDmChannel(this.opts.db, post.workspaceId, userId),
      fetch: this.opts.fetch ?? fetch,
    };
    try {
      const sent = await sendPost(ctx, post, slot);
      const stored = await markSent(this.opts.db, post, this.workerId, { ...sent, at: new Date(clock()) });
      if (!stored) this.opts.logger.warn({ key: post.key }, 'delivery: lease lost before the post was recorded');
      if (sent.reconciled) report.reconciled++;
      else report.sent++;
      this.opts.onSettled?.(post.kind, sent.reconciled ? 'reconciled' : 'sent');
    } catch (error) {
      const failure = classify(error);
      if (failure.kind === 'rate_limited') {
        // The post's channel (or, for another method, the method) waits; everything else goes on.
        const until = clock() + failure.retryAfterMs;
        item.pacer.pause(pauseKeyOf(error, post), until);
        report.retrying++;
        // A short wait is waited here, under the same claim; a long one in the outbox.
        if (failure.retryAfterMs <= this.maxLocalWaitMs) {
          requeue(item);
          return;
        }
        await reschedule(this.opts.db, post, this.workerId, {
          notBefore: new Date(until),
          error: failure.error,
          countAttempt: false,
        });
        return;
      }
      await this.settleFailure(post, failure, clock(), report);
    }
  }

  private async settleFailure(post: ClaimedPost, failure: Failure, now: number, report: DeliveryReport) {
    const policy = this.opts.backoff ?? DEFAULT_BACKOFF;
    if (failure.kind !== 'permanent' && post.attempts < policy.maxAttempts) {
      report.retrying++;
      const delay = backoffMs(post.attempts, policy, this.opts.random);
      await reschedule(this.opts.db, post, this.workerId, {
        notBefore: new Date(now + delay),
        error: failure.error,
        countAttempt: true,
      });
      return;
    }
    report.failed++;
    this.opts.onSettled?.(post.kind, 'failed');
    this.opts.logger.warn({ key: post.key, error: failure.error, attempts: post.attempts }, 'delivery: post failed');
    await markFailed(this.opts.db, post, this.workerId, {
      error: failure.error,
      at: new Date(now),
      notice: post.refType === null ? null : (createdBy) => failureNotice(post, failure.error, createdBy, now),
    });
  }

  /** Returns a claimed post to the outbox untried, for this or another replica to send. */
  private async handBack(post: ClaimedPost, now: number, notBefore = now): Promise<void> {
    await reschedule(this.opts.db, post, this.workerId, {
      notBefore: new Date(notBefore),
      error: null,
      countAttempt: false,
    });
  }

  private pacerOf(workspaceId: string): Pacer {
    let pacer = this.pacers.get(workspaceId);
    if (!pacer) {
      pacer = new Pacer(this.opts.limits ?? SLACK_LIMITS);
      this.pacers.set(workspaceId, pacer);
    }
    return pacer;
  }
}

const postKeys = (post: ClaimedPost) => ['chat.postMessage', channelKey(post.target)];

function classify(error: unknown): Failure {
  if (error instanceof SlackCallError) return classify(error.cause);
  if (error instanceof UploadError) {
    return error.status >= 500
      ? { kind: 'transient', error: error.message }
      : { kind: 'permanent', error: error.message };
  }
  return classifySlackFailure(error);
}

/** A 429 from chat.postMessage pauses the channel; from any other method, that method. */
function pauseKeyOf(error: unknown, post: ClaimedPost): string {
  const method = error instanceof SlackCallError ? error.method : 'chat.postMessage';
  return method === 'chat.postMessage' ? channelKey(post.target) : method;
}

const WHAT_FAILED: Record<string, string> = {
  board_subscription: 'the leaderboard',
  contest: 'the contest update',
};

/** The DM to whoever set the post up: what failed, where, and what to do. One per failed post. */
function failureNotice(post: ClaimedPost, error: string, createdBy: string, now: number): NewPost {
  const what = WHAT_FAILED[post.refType ?? ''] ?? 'a post';
  const where = /^[CG]/.test(post.target) ? ` to <#${post.target}>` : '';
  return {
    workspaceId: post.workspaceId,
    key: `notice:${post.key}`,
    kind: 'notice',
    target: createdBy,
    payload: { text: `I could not post ${what}${where}. ${remedyFor(error)}` },
    notBefore: new Date(now),
  };
}
