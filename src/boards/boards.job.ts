import { boardChartAttachment } from '../charts/render.js';
import { enqueuePosts } from '../delivery/outbox.repository.js';
import type { JobDefinition, JobDeps, JobOptions, JobReport } from '../jobs/job.js';
import { workspaceCurrency } from '../members/members.repository.js';
import { boardPostChart, boardPostMessage } from '../slack/blocks/board-post.blocks.js';
import { composeBoardPost } from './board-post.js';
import {
  BOARD_REF,
  type BoardSubscription,
  claimDue,
  dueSubscriptionIds,
  markFailed,
  markPosted,
  peekDue,
  scheduleOf,
} from './board-subscriptions.repository.js';
import { ChannelTeamError, channelTeam } from './channel-team.js';
import { dueWindow, nextRun } from './schedule.js';

/**
 * The boards job, every minute: for each channel board whose scheduled instant has come, the
 * channel's members are read from Slack, then one transaction claims the board's row (`FOR UPDATE
 * SKIP LOCKED`, so two replicas never decide the same board), computes the board for exactly the window since the previous post, writes the post
 * to the outbox under the key `board:<id>:<window end>`, and moves the board on to its next instant.
 * The deliverer posts it; nothing here talks to Slack but to read the channel's members.
 *
 * Decisions:
 * - Missed runs (the bot was down over several scheduled instants): one post covering the whole
 *   missed span, saying so, then back on schedule; never a burst of stale posts.
 * - An empty window is posted (a short "no activity logged" board): the channel sees the board is
 *   alive and the next window still starts where this one ended.
 * - A permanent Slack error reading the channel (`channel_not_found`, `not_in_channel` …) is recorded
 *   on the board, shown in `/kpi boards`, and the board tries again at its next scheduled instant; its
 *   window does not move, so the first post after the fix covers everything since the last one.
 * - Any other failure (Slack 5xx, rate limit, network) leaves the board due: the next minute's run
 *   tries again.
 */

/** Boards decided per run; the rest wait a minute (a run stays short and each board is its own transaction). */
const BATCH = 100;

type Outcome = 'posted' | 'failed' | 'skipped';

export function boardPostKey(subscriptionId: number, windowEnd: Date): string {
  return `board:${subscriptionId}:${windowEnd.toISOString()}`;
}

/** The channel's team, or the permanent error that stops this board from being posted. */
async function readTeam(deps: JobDeps, sub: BoardSubscription): Promise<Set<string> | { error: string }> {
  const client = await deps.slackFor(sub.workspaceId);
  if (!client) return { error: 'app_not_installed' };
  try {
    return await channelTeam(deps.db, client, sub.workspaceId, sub.channelId);
  } catch (error) {
    if (error instanceof ChannelTeamError) return { error: error.slackError };
    throw error;
  }
}

async function decideBoard(deps: JobDeps, id: number, now: Date): Promise<Outcome> {
  // Slack is read before the row is locked, so no lock is held across network calls (and their
  // retries); a replica that loses the claim below has only made a wasted read.
  const peeked = await peekDue(deps.db, id, now);
  if (!peeked) return 'skipped';
  const team = await readTeam(deps, peeked);
  return deps.db.transaction(async (tx) => {
    const sub = await claimDue(tx, id, now);
    if (!sub) return 'skipped';
    const schedule = scheduleOf(sub);
    const window = dueWindow(schedule, now, sub.lastWindowEnd);
    const next = nextRun(schedule, window.end);
    if ('error' in team) {
      await markFailed(tx, sub.id, { nextRunAt: next, windowStart: window.start, error: team.error, at: now });
      deps.logger.warn({ board: sub.id, channel: sub.channelId, error: team.error }, 'board paused');
      return 'failed';
    }
    const currency = await workspaceCurrency(tx, sub.workspaceId);
    const data = await composeBoardPost(tx, { sub, schedule, window, team, currency });
    // Rendered now, inside the decision, so a retried delivery uploads the very same picture.
    const chart = await boardChartAttachment(
      boardPostChart(data),
      `board-${sub.id}-${window.end.toISOString().slice(0, 10)}.png`,
    );
    await enqueuePosts(tx, [
      {
        workspaceId: sub.workspaceId,
        key: boardPostKey(sub.id, window.end),
        kind: 'board',
        target: sub.channelId,
        payload: { ...boardPostMessage(data), chart },
        ref: { type: BOARD_REF, id: sub.id },
      },
    ]);
    await markPosted(tx, sub.id, next, window.end);
    return 'posted';
  });
}

export async function runBoards(deps: JobDeps, now: Date, options: JobOptions): Promise<JobReport> {
  const report: JobReport = { posted: 0, failed: 0, skipped: 0, retry: 0 };
  const ids = await dueSubscriptionIds(deps.db, now, { workspaceId: options.workspaceId, limit: BATCH });
  for (const id of ids) {
    try {
      const outcome = await decideBoard(deps, id, now);
      report[outcome] = (report[outcome] ?? 0) + 1;
    } catch (error) {
      // One board's trouble must not hold up the others; it stays due and is retried next minute.
      report.retry = (report.retry ?? 0) + 1;
      deps.logger.error({ err: error, board: id }, 'board could not be decided; retrying next run');
    }
  }
  return report;
}

export const boardsJob: JobDefinition = {
  name: 'boards',
  description: 'Posts each channel board that is due (scheduled in its own zone) to the outbox',
  cron: '* * * * *',
  timezone: 'UTC',
  run: runBoards,
};
