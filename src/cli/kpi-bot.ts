import { pino } from 'pino';
import { buildApp, SlackAuthError } from '../app.js';
import { type Config, configuredSecrets, formatProblems, parseConfig } from '../config.js';
import { type DatabaseHandle, openDatabase } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import type { JobDefinition, JobOptions, JobReport } from '../jobs/job.js';
import { createLogger } from '../lib/logger.js';
import { parseCliArgs, SYNOPSIS, USAGE } from './args.js';
import { runDbCommand } from './db-commands.js';

/**
 * `kpi-bot jobs list | run`, `kpi-bot db migrate`: runs a scheduled job once by hand (re-send a failed post, preview next
 * Monday's board) against the configured database and Slack API. The app is built as the bot builds
 * it, without the HTTP listener or the scheduler. Everything it needs comes in `CliDeps`, so tests
 * run it in-process with their own jobs, database and fake Slack.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** What the CLI needs of the built app. */
export interface OpsApp {
  runJob(name: string, now: Date, options: JobOptions): Promise<JobReport>;
  /** Waits until the posts the job enqueued are delivered, when this process delivers them. */
  drain?: () => Promise<void>;
  close(): Promise<void>;
}

export interface CliDeps {
  jobs: readonly JobDefinition[];
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The wall clock, for a run without --now. */
  now(): Date;
  /** Builds the app; `openOpsApp` by default. */
  open?(config: Config): Promise<OpsApp>;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  if (argv[0] === 'db') return runDbCommand(argv.slice(1), deps);
  const parsed = parseCliArgs(
    argv,
    deps.jobs.map((j) => j.name),
  );
  if (!parsed.ok) {
    deps.stderr(`kpi-bot: ${parsed.error}\n\n${SYNOPSIS}\n`);
    return EXIT_USAGE;
  }
  const { command } = parsed;
  if (command.type === 'help') {
    deps.stdout(`${USAGE}\n`);
    return EXIT_OK;
  }
  if (command.type === 'list') {
    deps.stdout(listJobs(deps.jobs));
    return EXIT_OK;
  }

  const config = parseConfig(deps.env);
  if (!config.ok) {
    deps.stderr(`${formatProblems(config.problems)}\n`);
    return EXIT_USAGE;
  }
  let app: OpsApp;
  try {
    app = await (deps.open ?? openOpsApp)(config.config);
  } catch (error) {
    if (error instanceof SlackAuthError || error instanceof DataDirLockedError) {
      deps.stderr(`kpi-bot cannot run ${command.job}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    deps.stderr(`kpi-bot cannot run ${command.job}: ${describe(error)}\n`);
    return EXIT_FAILED;
  }

  const at = command.now ?? deps.now();
  const scope = command.workspaceId ? `workspace ${command.workspaceId}` : 'every workspace';
  try {
    deps.stdout(`Running ${command.job} as of ${at.toISOString()} for ${scope}…\n`);
    const report = await app.runJob(command.job, at, command.workspaceId ? { workspaceId: command.workspaceId } : {});
    deps.stdout(`${command.job}: ${describeReport(report)}\n`);
    if (app.drain) {
      deps.stdout('Waiting for the posts to be delivered…\n');
      await app.drain();
      deps.stdout('Delivered.\n');
    }
    return EXIT_OK;
  } catch (error) {
    deps.stderr(`${command.job} failed: ${describe(error)}\n`);
    return EXIT_FAILED;
  } finally {
    await app.close();
  }
}

export function listJobs(jobs: readonly JobDefinition[]): string {
  if (jobs.length === 0) return 'No job is scheduled in this build.\n';
  const width = Math.max(...jobs.map((j) => j.name.length));
  return jobs.map((j) => `${j.name.padEnd(width)}  ${j.cron} (${j.timezone})  ${j.description}\n`).join('');
}

/** `enqueued 3, skipped 1` in the job's own order; a run that did nothing says so. */
export function describeReport(report: JobReport): string {
  const parts = Object.entries(report)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${outcome} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing to do';
}

/**
 * The app as `main.ts` builds it, without starting the listener or the scheduler. Logs go to
 * stderr, so stdout carries only the report.
 */
export async function openOpsApp(
  config: Config,
  open: (config: Config['database']) => Promise<DatabaseHandle> = openDatabase,
): Promise<OpsApp> {
  const logger = createLogger(config.logLevel, pino.destination({ dest: 2, sync: true }), configuredSecrets(config));
  const database = await open(config.database);
  try {
    const bot = await buildApp({ config, database, logger, scheduleJobs: false });
    return {
      runJob: (name, now, options) => bot.runJob(name, now, options),
      // runJob has kicked delivery; a retry backed off within the minute is sent on its own timer.
      drain: () => bot.delivery.idle(),
      close: async () => {
        await bot.delivery.stop();
        await bot.crm.idle();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
