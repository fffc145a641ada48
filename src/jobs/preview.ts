import { TransactionRollbackError } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { markRun, type PostState, runPosts } from '../delivery/outbox.repository.js';
import { CodedError, ErrorCode } from '../lib/errors.js';
import type { JobDefinition, JobDeps, JobOptions, JobReport } from './job.js';

export interface JobPreview {
  report: JobReport;
  /** What the run decided, rendered as it would be posted (charts included). */
  posts: PostState[];
}

export class NotPreviewableError extends CodedError {
  readonly code = ErrorCode.NotPreviewable;
}

/**
 * Runs a job's body exactly as a real run would decide, inside one transaction that is rolled back:
 * nothing it wrote remains (posts, schedules moved on, standings frozen), and the outbox NOTIFY it
 * sent dies with it, so no deliverer wakes. Jobs take their database from `deps`, so their own
 * transactions become savepoints of this one.
 */
export async function previewJob(
  deps: JobDeps,
  job: JobDefinition,
  at: Date,
  options: JobOptions,
): Promise<JobPreview> {
  if (job.sendsPosts)
    throw new NotPreviewableError(`${job.name} sends posts rather than deciding them: nothing to preview.`);
  let preview = null as JobPreview | null;
  try {
    await deps.db.transaction(async (tx) => {
      const db = tx as unknown as Database;
      const run = await markRun(db, at, options.workspaceId ?? null);
      const report = await job.run({ ...deps, db }, at, options);
      const posts = (await runPosts(db, { ...run, due: [] })).filter((post) => post.status !== 'skipped');
      preview = { report, posts };
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError) || preview === null) throw error;
  }
  if (preview === null) throw new Error('the preview transaction was not rolled back');
  return preview;
}
