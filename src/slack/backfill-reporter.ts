import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { BackfillReporter, BackfillRun } from '../integrations/backfill/contract.js';
import type { Logger } from '../lib/logger.js';
import { slackErrorCode } from '../lib/slack-errors.js';
import { backfillProgressMessage } from './blocks/backfill.blocks.js';

/** Where a run's progress message is: kept with the run, so a run resumed elsewhere edits the same message. */
const progressMessage = z.object({ channel: z.string().min(1), ts: z.string().min(1) });
export type ProgressMessage = z.infer<typeof progressMessage>;

/** The run's reporter state, stored with the run (the engine's `reporter_state`). */
export interface ReporterStateStore {
  load(runId: number): Promise<unknown>;
  save(runId: number, state: ProgressMessage): Promise<void>;
}

export interface SlackBackfillReporterDeps {
  clientFor(workspaceId: string): Promise<webApi.WebClient | null>;
  state: ReporterStateStore;
  logger: Logger;
  now: () => Date;
  /** At most one update this often while a run goes; its end is always sent. */
  everyMs?: number;
}

/** A few seconds: the admin sees it move, and a run of thousands of pages costs Slack a few hundred calls. */
export const REPORT_EVERY_MS = 5_000;

const GONE = new Set(['message_not_found', 'channel_not_found']);

/** A run someone asked for in Slack: the only runs shown here. */
type AskedRun = BackfillRun & { requestedBy: string };

interface Pending {
  lastSentAt: number | null;
  next: AskedRun | null;
  sending: Promise<void> | null;
}

/**
 * Shows a backfill in a DM to the admin who asked: posted once, then `chat.update`d, at most every
 * few seconds, and a last time when it ends. `report` never waits for Slack: it hands the newest
 * state to a sender (one per run, one call at a time) and returns, so Slack slow or failing never
 * holds the run; a failed call is logged and the next report tries again. Runs from the CLI
 * (nobody asked in Slack) are not shown here.
 */
export function createSlackBackfillReporter(
  deps: SlackBackfillReporterDeps,
): BackfillReporter & { idle(): Promise<void> } {
  const everyMs = deps.everyMs ?? REPORT_EVERY_MS;
  const runs = new Map<number, Pending>();
  const inFlight = new Set<Promise<void>>();

  async function send(run: AskedRun): Promise<void> {
    const client = await deps.clientFor(run.workspaceId);
    if (!client) return;
    const message = backfillProgressMessage(run, deps.now());
    const stored = progressMessage.safeParse(await deps.state.load(run.id));
    if (stored.success) {
      try {
        await client.chat.update({ ...stored.data, ...message });
        return;
      } catch (error) {
        // Deleted (the message, or the conversation with it): a new message takes its place.
        if (!GONE.has(slackErrorCode(error) ?? '')) throw error;
      }
    }
    const posted = await client.chat.postMessage({ channel: run.requestedBy, ...message });
    if (posted.channel && posted.ts) await deps.state.save(run.id, { channel: posted.channel, ts: posted.ts });
  }

  async function drain(pending: Pending): Promise<void> {
    for (let run = pending.next; run !== null; run = pending.next) {
      pending.next = null;
      pending.lastSentAt = deps.now().getTime();
      try {
        await send(run);
      } catch (error) {
        deps.logger.warn(
          { err: error, runId: run.id, workspaceId: run.workspaceId },
          'could not show the backfill progress in Slack; the backfill goes on',
        );
      }
    }
    pending.sending = null;
  }

  return {
    async report(shown) {
      const { requestedBy } = shown;
      if (requestedBy === null) return;
      const run = { ...shown, requestedBy };
      const pending = runs.get(run.id) ?? { lastSentAt: null, next: null, sending: null };
      runs.set(run.id, pending);
      const ended = run.status !== 'running';
      const recent = pending.lastSentAt !== null && deps.now().getTime() - pending.lastSentAt < everyMs;
      if (!ended && recent) return;
      pending.next = run;
      // Its end is its last report: nothing more to throttle.
      if (ended) runs.delete(run.id);
      if (pending.sending) return;
      const sending = drain(pending).finally(() => inFlight.delete(sending));
      pending.sending = sending;
      inFlight.add(sending);
    },
    async idle() {
      await Promise.all(inFlight);
    },
  };
}
