import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { type BuildOptions, buildApp } from '../app.js';
import { type Config, configuredSecrets, formatProblems, parseConfig } from '../config.js';
import { type DatabaseHandle, openDatabase } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { markRun, type PostState, type RunPosts, runPosts } from '../delivery/outbox.repository.js';
import type { BackfillReporter } from '../integrations/backfill/contract.js';
import { findJob } from '../jobs/catalog.js';
import type { JobDefinition, JobOptions, JobReport } from '../jobs/job.js';
import { type JobPreview, NotPreviewableError, previewJob } from '../jobs/preview.js';
import { createLogger } from '../lib/logger.js';
import { createShutdown } from '../lib/shutdown.js';
import { SlackAuthError } from '../slack/bolt-app.js';
import { parseCliArgs, SYNOPSIS, USAGE } from './args.js';
import { type CrmCliDeps, type OpenedBackfills, runCrmCommand } from './crm-commands.js';
import { runDbCommand } from './db-commands.js';

/**
 * `kpi-bot jobs list | run`: runs a scheduled job once by hand (re-send a failed post, post a board
 * now; `--dry-run` previews next Monday's board without writing anything) against the configured
 * database and Slack API; `kpi-bot db …` is in db-commands.ts. The app is built as the bot builds
 * it, without the HTTP listener or the scheduler. Everything it needs comes in `CliDeps`, so tests
 * run it in-process with their own jobs, database and fake Slack.
 */

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** What the CLI needs of the built app. */
export interface OpsApp {
  runJob(name: string, now: Date, options: JobOptions): Promise<JobReport>;
  /** Decides and renders as `runJob` would, and writes nothing (`--dry-run`). */
  previewJob(name: string, now: Date, options: JobOptions): Promise<JobPreview>;
  /** Taken before the run: which posts it is about. */
  markRun(at: Date, workspaceId: string | null): Promise<RunPosts>;
  /** Sends the run's posts and waits until each is sent or failed for good, at most `waitMs`. */
  settle(run: RunPosts, waitMs: number): Promise<PostState[]>;
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
  /** Writes a file of a dry run (a chart), making its folder; to the file system by default. */
  writeFile?(path: string, bytes: Buffer): void;
  /** Whether stdout is a terminal (a progress bar rather than lines). */
  isTTY?: boolean;
  /** The CRM backfill engine, for `crm backfill`; `openBackfills` by default. */
  openBackfills?: CrmCliDeps['openBackfills'];
  pollMs?: CrmCliDeps['pollMs'];
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  if (argv[0] === 'db') return runDbCommand(argv.slice(1), deps);
  if (argv[0] === 'crm') {
    const opened = deps.openBackfills ?? openBackfills;
    return runCrmCommand(argv.slice(1), { ...deps, isTTY: deps.isTTY ?? false, openBackfills: opened });
  }
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
  const options = command.workspaceId ? { workspaceId: command.workspaceId } : {};
  try {
    if (command.dryRun) {
      deps.stdout(`Dry run of ${command.job} as of ${at.toISOString()} for ${scope}: nothing is written or sent.\n`);
      const preview = await app.previewJob(command.job, at, options);
      deps.stdout(`${command.job}: ${describeReport(preview.report)}\n`);
      deps.stdout(describePreview(preview.posts, command.dryRun.chartsDir, deps.writeFile ?? writeFileMakingDir));
      return EXIT_OK;
    }
    deps.stdout(`Running ${command.job} as of ${at.toISOString()} for ${scope}…\n`);
    const run = await app.markRun(at, command.workspaceId);
    const report = await app.runJob(command.job, at, options);
    deps.stdout(`${command.job}: ${describeReport(report)}\n`);
    const posts = await app.settle(run, command.waitSeconds * 1000);
    const outcome = describeDelivery(posts, command.waitSeconds);
    deps.stdout(outcome.text);
    return outcome.settled ? EXIT_OK : EXIT_FAILED;
  } catch (error) {
    if (error instanceof NotPreviewableError) {
      deps.stderr(`kpi-bot: ${error.message}\n`);
      return EXIT_USAGE;
    }
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

/** What became of the run's posts; `settled` when every one was sent. */
export function describeDelivery(posts: readonly PostState[], waitSeconds: number): { text: string; settled: boolean } {
  if (posts.length === 0) return { text: 'No post to deliver.\n', settled: true };
  const sent = posts.filter((p) => p.status === 'sent');
  const failed = posts.filter((p) => p.status === 'failed');
  const pending = posts.filter((p) => p.status === 'pending' || p.status === 'sending');
  if (sent.length === posts.length) return { text: `Delivered ${count(sent.length, 'post')}.\n`, settled: true };
  const lines = [`Delivered ${sent.length} of ${count(posts.length, 'post')}.`];
  for (const p of failed) lines.push(`  failed: ${p.key} to ${p.target}: ${p.lastError ?? 'unknown error'}`);
  for (const p of pending) {
    const why = p.lastError === null ? '' : ` (last error: ${p.lastError})`;
    const when = p.status === 'sending' ? 'being sent by another process' : `next try at ${p.notBefore.toISOString()}`;
    lines.push(`  still pending after ${waitSeconds} s: ${p.key} to ${p.target}, ${when}${why}`);
  }
  if (pending.length > 0) lines.push('The bot sends the pending posts on its own; --wait waits longer.');
  return { text: `${lines.join('\n')}\n`, settled: false };
}

/** The posts a dry run decided, with their text; their charts written as PNG files. */
function describePreview(
  posts: readonly PostState[],
  chartsDir: string,
  writeFile: (path: string, bytes: Buffer) => void,
): string {
  if (posts.length === 0) return 'It would post nothing.\n';
  const lines = [`It would post ${count(posts.length, 'message')}:`];
  for (const post of posts) {
    lines.push(
      '',
      `${post.kind} to ${post.target} (${post.key}):`,
      ...post.payload.text.split('\n').map((l) => `  ${l}`),
    );
    const { chart } = post.payload;
    if (chart !== undefined) {
      const file = join(chartsDir, `${post.key.replace(/[^A-Za-z0-9_-]+/g, '_')}.png`);
      writeFile(file, Buffer.from(chart.pngBase64, 'base64'));
      lines.push(`  chart "${chart.title}": ${file}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function writeFileMakingDir(path: string, bytes: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The app for running jobs by hand. */
export async function openOpsApp(
  config: Config,
  open: (config: Config['database']) => Promise<DatabaseHandle> = openDatabase,
): Promise<OpsApp> {
  const { bot, database } = await openBot(config, {}, open);
  const db = database.db;
  return {
    runJob: (name, now, options) => bot.runJob(name, now, options),
    previewJob: (name, now, options) => {
      const job = findJob(name);
      if (!job) throw new Error(`no job named ${name}`);
      return previewJob(bot.jobDeps, job, now, options);
    },
    markRun: (at, workspaceId) => markRun(db, at, workspaceId),
    settle: async (run, waitMs) => {
      // Real time, whatever --now says: this is how long the operator waits.
      const until = Date.now() + waitMs;
      for (;;) {
        // This process sends what is due; a post another process holds is waited for.
        await bot.delivery.drain();
        const posts = (await runPosts(db, run)).filter((p) => p.status !== 'skipped');
        const open = posts.filter((p) => p.status === 'pending' || p.status === 'sending');
        const now = Date.now();
        if (open.length === 0 || now >= until) return posts;
        const next = Math.min(...open.map((p) => (p.status === 'pending' ? p.notBefore.getTime() : now + 1000)));
        await sleep(Math.min(until, Math.max(next, now + 250)) - now);
      }
    },
    close: () => bot.stop(),
  };
}

/** `crm backfill`'s engine: the app's own, its runs shown on the CLI's bar as well as in Slack. */
export async function openBackfills(config: Config, reporter: BackfillReporter): Promise<OpenedBackfills> {
  const { bot } = await openBot(config, { backfillReporters: () => [reporter] });
  return { backfills: bot.backfills, close: () => bot.stop() };
}

/**
 * The app as `main.ts` builds it, without starting the listener or the scheduler. Logs go to
 * stderr, so stdout carries only the report.
 */
async function openBot(
  config: Config,
  options: Partial<Pick<BuildOptions, 'backfillReporters'>>,
  open: (config: Config['database']) => Promise<DatabaseHandle> = openDatabase,
) {
  const logger = createLogger(config.logLevel, pino.destination({ dest: 2, sync: true }), configuredSecrets(config));
  const database = await open(config.database);
  const shutdown = createShutdown(logger);
  shutdown.add('database', () => database.close());
  try {
    const bot = await buildApp({ config, database, logger, scheduleJobs: false, shutdown, ...options });
    return { bot, database };
  } catch (error) {
    await database.close();
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
