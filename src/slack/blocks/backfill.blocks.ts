import type { BackfillRun } from '../../integrations/backfill/contract.js';
import { progressLine } from '../../integrations/backfill/progress.js';
import { context, escapeMrkdwn, type SlackMessage, section } from './message.js';

const day = (d: Date) => d.toISOString().slice(0, 10);

/** What a backfill reads, for the admin: "deals, leads and activities since 2026-08-20". */
export function backfillWindowText(run: Pick<BackfillRun, 'window'>): string {
  return `deals, leads and activities since ${day(run.window.since)}`;
}

/**
 * The admin's DM about a backfill, posted once and updated as it goes: the progress line, and once
 * it ends, what became of it. Pure.
 */
export function backfillProgressMessage(run: BackfillRun, now: Date): SlackMessage {
  // The line may carry the CRM's own words (why it failed).
  const line = escapeMrkdwn(progressLine(run, now));
  const lead =
    run.status === 'done'
      ? `:white_check_mark: ${line}`
      : run.status === 'failed'
        ? `:warning: ${line}`
        : `:hourglass_flowing_sand: ${line}`;
  const after =
    run.status === 'done'
      ? 'Boards, streaks, badges, goal suggestions and pace count this history now. Nothing from the past was announced in any channel.'
      : run.status === 'failed'
        ? 'What was read is kept; nothing is read twice.'
        : 'This message updates as it goes. Nothing from the past is announced in any channel.';
  return {
    text: line,
    blocks: [section(lead), context(`Backfill of ${backfillWindowText(run)}. ${after}`)],
  };
}
