import type { Logger } from '../lib/logger.js';
import type { Shutdown } from '../lib/shutdown.js';
import type { Metrics } from '../ops/metrics.js';
import { observeJob } from '../ops/observe.js';
import { findJob, JOBS } from './catalog.js';
import { startJobs } from './index.js';
import type { JobDeps, JobOptions, JobReport } from './job.js';

export interface JobRunner {
  /** Runs one catalogued job's body now, observed (tests, `kpi-bot jobs run`, the scheduler). */
  run(name: string, now: Date, options?: JobOptions): Promise<JobReport>;
  /** Schedules every catalogued job until the app stops. */
  schedule(): void;
  /** Whether the jobs are scheduled (the readiness probe asks). */
  scheduled(): boolean;
}

/** The catalogue bound to the app's dependencies: every background task is one of its jobs. */
export function createJobRunner(
  deps: JobDeps,
  observe: { logger: Logger; metrics: Metrics; shutdown: Shutdown },
): JobRunner {
  let scheduled = false;
  const run = async (name: string, at: Date, options: JobOptions = {}) => {
    const job = findJob(name);
    if (!job) throw new Error(`no job named ${name}; jobs: ${JOBS.map((j) => j.name).join(', ')}`);
    return observeJob(observe, { name, workspace: options.workspaceId }, () => job.run(deps, at, options));
  };
  return {
    run,
    schedule() {
      const stop = startJobs(
        JOBS.map((job) => ({ ...job, run: async (at: Date) => void (await run(job.name, at)) })),
        observe.logger,
      );
      scheduled = true;
      observe.shutdown.add('scheduler', async () => {
        scheduled = false;
        await stop();
      });
    },
    scheduled: () => scheduled,
  };
}
