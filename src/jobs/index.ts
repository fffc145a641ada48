import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.js';

/**
 * The one place that schedules. Each job body is a plain async function tested on its own; here it
 * only gets a cron expression, an explicit timezone and no overlap with its previous run.
 */
export interface Job {
  name: string;
  cron: string;
  timezone: string;
  run(now: Date): Promise<void>;
}

export function startJobs(jobs: readonly Job[], logger: Logger): () => Promise<void> {
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.cron,
      async () => {
        try {
          await job.run(new Date());
        } catch (error) {
          logger.error({ err: error, job: job.name }, 'scheduled job failed');
        }
      },
      { name: job.name, timezone: job.timezone, noOverlap: true },
    ),
  );
  return async () => {
    await Promise.all(tasks.map((t) => t.stop()));
  };
}
