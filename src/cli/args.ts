import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { CRM_SYNOPSIS, CRM_USAGE } from './crm-commands.js';
import { DB_SYNOPSIS, DB_USAGE } from './db-commands.js';

/** `kpi-bot` arguments, parsed purely: the names of the jobs come in, a command or a friendly error comes out. */

export type CliCommand =
  | { type: 'help' }
  | { type: 'list' }
  | {
      type: 'run';
      job: string;
      now: Date | null;
      workspaceId: string | null;
      /** How long to wait for the run's posts to be sent (seconds). */
      waitSeconds: number;
      /** Decide and render only: the folder the charts go to, or null for a real run. */
      dryRun: { chartsDir: string } | null;
    };

export type CliParse = { ok: true; command: CliCommand } | { ok: false; error: string };

export const DEFAULT_WAIT_SECONDS = 60;
export const DEFAULT_CHARTS_DIR = 'kpi-bot-preview';

export const SYNOPSIS = `Usage:
  kpi-bot jobs list
  kpi-bot jobs run <job> [--now <ISO time>] [--workspace <team id>] [--wait <seconds>]
  kpi-bot jobs run <job> --dry-run [--out <folder>] [--now <ISO time>] [--workspace <team id>]
${DB_SYNOPSIS}
${CRM_SYNOPSIS}`;

export const USAGE = `${SYNOPSIS}

Runs a scheduled job once by hand, against the database and Slack API configured in the
environment (the same variables as the bot). It posts for real: what it decides is recorded, sent,
and not decided again by the schedule. --now runs it as if it were that instant; --workspace limits
it to one team. It then waits, up to --wait seconds (default ${DEFAULT_WAIT_SECONDS}), until every post of the run is
sent or has failed for good; past that it lists the posts still pending and when they will be
retried, and exits 1, as it does when a post failed.

--dry-run previews instead: it decides and renders, prints the posts it would make and writes their
charts as PNG files to --out (default ./${DEFAULT_CHARTS_DIR}), and writes nothing to the database or
Slack. E.g. \`jobs run boards --dry-run --now 2026-11-30T09:00:00-05:00\` shows next Monday's boards.

${DB_USAGE}

${CRM_USAGE}`;

const NOW_FORMAT = 'an ISO 8601 time with its offset, e.g. 2026-11-30T09:00:00Z or 2026-11-30T09:00:00-05:00';

export function parseCliArgs(argv: readonly string[], jobNames: readonly string[]): CliParse {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    // parseArgs names the option it did not know, or the one missing its value.
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0 || (positionals.length === 1 && positionals[0] === 'help')) {
    return { ok: true, command: { type: 'help' } };
  }
  const [group, action, job, ...extra] = positionals;
  if (group !== 'jobs') return { ok: false, error: `Unknown command "${group}".` };
  if (action === 'list') {
    if (job !== undefined || Object.values(values).some((value) => value !== undefined)) {
      return { ok: false, error: '`jobs list` takes no arguments.' };
    }
    return { ok: true, command: { type: 'list' } };
  }
  if (action !== 'run') {
    return {
      ok: false,
      error: action === undefined ? 'Say `jobs list` or `jobs run <job>`.' : `Unknown jobs command "${action}".`,
    };
  }
  if (job === undefined) return { ok: false, error: `Which job? ${jobList(jobNames)}` };
  if (extra.length > 0) return { ok: false, error: `Unexpected argument "${extra[0]}".` };
  if (!jobNames.includes(job)) return { ok: false, error: `There is no job named "${job}". ${jobList(jobNames)}` };
  let now: Date | null = null;
  if (values.now !== undefined) {
    now = parseInstant(values.now);
    if (!now) return { ok: false, error: `--now "${values.now}" is not a time I can read: give ${NOW_FORMAT}.` };
  }
  const workspaceId = values.workspace?.trim() || null;
  if (values.workspace !== undefined && !workspaceId)
    return { ok: false, error: '--workspace needs a team id, e.g. T0123ABCD.' };
  let waitSeconds = DEFAULT_WAIT_SECONDS;
  if (values.wait !== undefined) {
    if (!/^\d+$/.test(values.wait.trim())) {
      return { ok: false, error: `--wait "${values.wait}" is not a number of seconds, e.g. --wait 120.` };
    }
    waitSeconds = Number(values.wait.trim());
  }
  if (values['dry-run'] && values.wait !== undefined)
    return { ok: false, error: '--dry-run sends nothing to wait for.' };
  if (!values['dry-run'] && values.out !== undefined) return { ok: false, error: '--out goes with --dry-run.' };
  const chartsDir = values.out?.trim() || DEFAULT_CHARTS_DIR;
  const dryRun = values['dry-run'] ? { chartsDir } : null;
  return { ok: true, command: { type: 'run', job, now, workspaceId, waitSeconds, dryRun } };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      now: { type: 'string' },
      workspace: { type: 'string' },
      wait: { type: 'string' },
      'dry-run': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** Only an instant with its offset: a bare local time would silently mean the machine's zone. */
function parseInstant(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}(:?\d{2})?)$/i.test(text.trim())) return null;
  const time = DateTime.fromISO(text.trim(), { setZone: true });
  return time.isValid ? time.toJSDate() : null;
}

function jobList(names: readonly string[]): string {
  return names.length > 0 ? `The jobs: ${names.join(', ')}.` : 'No job is scheduled in this build.';
}
