import { CRM_LABEL } from '../crm-event.js';
import { BACKFILL_STAGES, type BackfillRun } from './contract.js';

const count = (n: number) => n.toLocaleString('en-US');

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Seconds left in the current stage at the rate the run has read so far, or null while that cannot
 * be told (no estimate from the CRM, nothing read yet).
 */
export function secondsLeft(run: BackfillRun, now: Date): number | null {
  const total = run.estimated[run.stage];
  const readNow = run.read[run.stage];
  const readAll = BACKFILL_STAGES.reduce((sum, stage) => sum + run.read[stage], 0);
  const elapsed = (now.getTime() - run.startedAt.getTime()) / 1000;
  if (total === null || readAll === 0 || elapsed <= 0) return null;
  return Math.max(0, total - readNow) / (readAll / elapsed);
}

/** One line for the admin: "HubSpot: 41,200 of ~60,000 activities, 3 min left". */
export function progressLine(run: BackfillRun, now: Date): string {
  const crm = CRM_LABEL[run.source];
  if (run.status === 'failed') {
    return `${crm}: the backfill stopped: ${run.error ?? 'unknown error'}. Start it again to go on from where it stopped.`;
  }
  if (run.status === 'done') {
    const took = duration(((run.finishedAt ?? now).getTime() - run.startedAt.getTime()) / 1000);
    const parts = BACKFILL_STAGES.map((stage) => `${count(run.read[stage])} ${stage}`);
    return `${crm}: done: ${parts.join(', ')} read in ${took}.`;
  }
  const total = run.estimated[run.stage];
  const read = count(run.read[run.stage]);
  const left = secondsLeft(run, now);
  const of = total === null ? `${read} ${run.stage} so far` : `${read} of ~${count(total)} ${run.stage}`;
  return left === null ? `${crm}: ${of}` : `${crm}: ${of}, ${duration(left)} left`;
}
