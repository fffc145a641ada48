import { BACKFILL_STAGES, type BackfillReporter, type BackfillRun } from '../integrations/backfill/contract.js';
import { progressLine } from '../integrations/backfill/progress.js';

/**
 * A backfill's progress in the terminal: on a TTY one bar redrawn in place, elsewhere (a log, a
 * pipe) a plain line now and then. Either way the end is always written, on a line of its own.
 */

const BAR_WIDTH = 24;
/** A redraw costs nothing; a line in a log file does, so plain lines come less often. */
const TTY_EVERY_MS = 200;
const LINE_EVERY_MS = 10_000;

/** How much of the whole run is done, 0 to 1, where the CRM gave counts for the stage being read; else null. */
export function doneFraction(run: BackfillRun): number | null {
  const index = BACKFILL_STAGES.indexOf(run.stage);
  if (run.status === 'done') return 1;
  const total = run.estimated[run.stage];
  if (total === null) return null;
  const inStage = total === 0 ? 1 : Math.min(1, run.read[run.stage] / total);
  return (index + inStage) / BACKFILL_STAGES.length;
}

export function progressBar(fraction: number): string {
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

export function createCliBackfillReporter(out: {
  write(text: string): void;
  isTTY: boolean;
  now(): Date;
}): BackfillReporter {
  const every = out.isTTY ? TTY_EVERY_MS : LINE_EVERY_MS;
  let last: number | null = null;
  return {
    async report(run) {
      const ended = run.status !== 'running';
      const at = out.now().getTime();
      if (!ended && last !== null && at - last < every) return;
      last = at;
      const line = progressLine(run, out.now());
      if (!out.isTTY) {
        out.write(`${line}\n`);
        return;
      }
      const fraction = doneFraction(run);
      const bar = fraction === null ? '' : `${progressBar(fraction)} `;
      // Back to the line's start, the bar, and the rest of the old line cleared.
      out.write(`\r${bar}${line}\x1b[K${ended ? '\n' : ''}`);
    },
  };
}
