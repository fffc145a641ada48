import { parseArgs } from 'node:util';
import { type Config, formatProblems, parseConfig } from '../config.js';
import type { BackfillReporter, BackfillRun, Backfills } from '../integrations/backfill/contract.js';
import {
  BACKFILL_SOURCES,
  type BackfillSince,
  backfillWindow,
  DEFAULT_BACKFILL_DAYS,
  parseDate,
} from '../integrations/backfill/window.js';
import { CRM_LABEL } from '../integrations/crm-event.js';
import { UserError } from '../lib/errors.js';
import { createCliBackfillReporter } from './backfill-progress.js';

/**
 * `kpi-bot crm backfill <crm> --workspace <id> [--since <date>]`: reads a CRM's history into a
 * workspace from a terminal, with a progress bar, and exits 0 once it is done, 1 with the reason
 * if it stopped. The engine comes in `openBackfills`, built with the CLI's reporter.
 */

export const CRM_SYNOPSIS = `  kpi-bot crm backfill <${BACKFILL_SOURCES.join('|')}> --workspace <team id> [--since <yyyy-mm-dd>]`;

export const CRM_USAGE = `crm backfill reads the CRM's deals, leads and activities since --since (a date, UTC; default
${DEFAULT_BACKFILL_DAYS} days ago, at most a year back) into the workspace's history, through the CRM's API and
within its rate limits, announcing nothing. A run the bot already has going for that CRM is joined,
not started twice; a run stopped halfway goes on from where it stopped. It shows a progress bar and
exits 0 when done, 1 with the reason when it stopped.`;

/** The engine as the CLI uses it, and how it is closed (the database, the CRM clients). */
export interface OpenedBackfills {
  backfills: Backfills;
  close(): Promise<void>;
}

export interface CrmCliDeps {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  now(): Date;
  /** Whether stdout is a terminal: a bar redrawn in place, or plain lines. */
  isTTY: boolean;
  openBackfills(config: Config, reporter: BackfillReporter): Promise<OpenedBackfills>;
  /** How long to wait between looks at a run going on in another process (the bot). */
  pollMs?: number;
}

interface BackfillArgs {
  source: (typeof BACKFILL_SOURCES)[number];
  workspaceId: string;
  since: BackfillSince;
}

function parseBackfillArgs(args: readonly string[]): { ok: true; value: BackfillArgs } | { ok: false; error: string } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  const [action, crm, ...extra] = parsed.positionals;
  if (action !== 'backfill') return { ok: false, error: 'Say `crm backfill <crm> --workspace <team id>`.' };
  const source = BACKFILL_SOURCES.find((s) => s === crm?.toLowerCase());
  if (!source) return { ok: false, error: `Name the CRM to read: ${BACKFILL_SOURCES.join(', ')}.` };
  if (extra.length > 0) return { ok: false, error: `Unexpected argument "${extra[0]}".` };
  const workspaceId = parsed.values.workspace?.trim();
  if (!workspaceId) return { ok: false, error: '--workspace needs a team id, e.g. --workspace T0123ABCD.' };
  const since =
    parsed.values.since === undefined
      ? { ok: true as const, value: { days: DEFAULT_BACKFILL_DAYS } }
      : parseDate(parsed.values.since.trim());
  if (!since.ok) return { ok: false, error: `--since: ${since.error.replaceAll('`', '')}` };
  return { ok: true, value: { source, workspaceId, since: since.value } };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: { workspace: { type: 'string' }, since: { type: 'string' } },
  });
}

/** Exit codes as `runCli`'s: 0 done, 1 refused or stopped, 2 a usage or configuration problem. */
export async function runCrmCommand(args: readonly string[], deps: CrmCliDeps): Promise<number> {
  const parsed = parseBackfillArgs(args);
  if (!parsed.ok) {
    deps.stderr(`kpi-bot: ${parsed.error}\n\nUsage:\n${CRM_SYNOPSIS}\n`);
    return 2;
  }
  const { source, workspaceId, since } = parsed.value;
  const window = backfillWindow(since, deps.now(), 'UTC');
  if (!window.ok) {
    deps.stderr(`kpi-bot: ${window.error}\n`);
    return 2;
  }
  const config = parseConfig(deps.env);
  if (!config.ok) {
    deps.stderr(`${formatProblems(config.problems)}\n`);
    return 2;
  }
  const terminal = createCliBackfillReporter({ write: deps.stdout, isTTY: deps.isTTY, now: deps.now });
  // The end of a run going on in this process is reported by the engine; of one elsewhere, here.
  let endShown = false;
  const reporter: BackfillReporter = {
    report: async (run) => {
      endShown ||= run.status !== 'running';
      await terminal.report(run);
    },
  };
  const opened = await deps.openBackfills(config.config, reporter);
  try {
    const label = CRM_LABEL[source];
    // Said before it starts: the engine may report its first page before `start` returns.
    deps.stdout(`Backfilling ${label} into ${workspaceId} since ${day(window.value.since)}…\n`);
    const request = { workspaceId, source, window: window.value, requestedBy: null };
    const { run, alreadyRunning } = await opened.backfills.start(request);
    if (alreadyRunning)
      deps.stdout(`One was already running (since ${day(run.window.since)}); following it instead.\n`);
    const ended = await untilEnded(opened.backfills, run, reporter, deps.pollMs ?? 2_000);
    if (!endShown) await reporter.report(ended);
    if (ended.status === 'done') return 0;
    deps.stderr(`The ${label} backfill stopped: ${ended.error ?? 'unknown error'}. Run the same command to go on.\n`);
    return 1;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    deps.stderr(`kpi-bot: ${error.message.replaceAll('`', '')}\n`);
    return 1;
  } finally {
    await opened.close();
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Waits for the run to end: in this process the engine reports it, and `idle` resolves at its end;
 * a run the bot has going elsewhere is looked at now and then, and shown the same way.
 */
async function untilEnded(
  backfills: Backfills,
  started: BackfillRun,
  reporter: BackfillReporter,
  pollMs: number,
): Promise<BackfillRun> {
  await backfills.idle();
  for (;;) {
    const run = (await backfills.latest(started.workspaceId)).find((r) => r.id === started.id) ?? started;
    if (run.status !== 'running') return run;
    await reporter.report(run);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
