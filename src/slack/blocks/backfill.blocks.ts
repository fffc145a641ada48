import type { BackfillRun } from '../../integrations/backfill/contract.js';
import { progressLine } from '../../integrations/backfill/progress.js';
import { CRM_LABEL } from '../../integrations/crm-event.js';
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

/**
 * The ephemeral answer to `/kpi crm backfill` (and the App Home button's DM): started, or joined
 * the run already going, and where its progress shows.
 */
export function backfillStartedMessage(
  started: { run: BackfillRun; alreadyRunning: boolean },
  askedBy: string,
  now: Date,
): SlackMessage {
  const { run, alreadyRunning } = started;
  const crm = CRM_LABEL[run.source];
  if (!alreadyRunning) {
    return {
      text: `${crm} backfill started`,
      blocks: [
        section(
          `:inbox_tray: *${crm} backfill started*: ${backfillWindowText(run)}. I'll DM you its progress; \`/kpi crm\` shows it too.`,
        ),
        context('Nothing from the past is announced in any channel: no celebrations, contest or badge posts.'),
      ],
    };
  }
  const who =
    run.requestedBy === null
      ? 'It was started from the command line'
      : run.requestedBy === askedBy
        ? 'You started it, and its progress is in your DM'
        : `<@${run.requestedBy}> started it and gets its progress by DM`;
  return {
    text: `A ${crm} backfill is already running`,
    blocks: [
      section(
        `:hourglass_flowing_sand: *A ${crm} backfill is already running* (${backfillWindowText(run)}); nothing new was started. ` +
          `${escapeMrkdwn(progressLine(run, now))}`,
      ),
      context(`${who}; \`/kpi crm\` shows it too.`),
    ],
  };
}
