import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database } from '../../db/client.js';
import { ErrorCode, UserError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { CrmApiAuthError, CrmApiUnavailableError } from '../adapter.js';
import { CRM_LABEL, type CrmSource } from '../crm-event.js';
import {
  backfillEventsPending,
  claimRun,
  finishRun,
  insertRun,
  lapsedRuns,
  latestRuns,
  releaseLease,
  renewLease,
  reopenFailed,
  runningRun,
  type StoredBackfill,
  storePage,
} from './backfill.repository.js';
import {
  BACKFILL_STAGES,
  type BackfillCursor,
  type BackfillPage,
  type BackfillReporter,
  type BackfillRun,
  type BackfillSource,
  type BackfillStage,
  type Backfills,
  type ListedPage,
} from './contract.js';

export interface BackfillDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** The workspace's reader for this CRM, on its credentials; null when it is not connected. */
  sourceFor(workspaceId: string, source: CrmSource): Promise<BackfillSource | null>;
  reportersFor(run: BackfillRun): BackfillReporter[];
  /** A page was stored: the processor applies it, as after a webhook batch. */
  onStored(workspaceId: string): void;
  /** Resolves when the processor has nothing in progress for the workspace. */
  applied(workspaceId: string): Promise<void>;
}

/** The engine's own entry points, beyond the contract: the job and start-up resume lapsed runs. */
export interface BackfillEngine extends Backfills {
  /** Takes over running backfills whose process died (lease lapsed); returns how many it took. */
  resumeLapsed(workspaceId?: string | null): Promise<number>;
  /** Shutdown: runs stop after the page in hand and let go of their leases, for another replica to go on. */
  stop(): Promise<void>;
}

/** A holder renews its lease after every page, so a live run never lets it lapse; a dead one lapses in two minutes. */
const LEASE_MS = 2 * 60_000;
/** Consecutive failed reads of one page before the run stops and says why. */
const MAX_CONSECUTIVE_FAILURES = 8;
const MAX_BACKOFF_MS = 60_000;
/**
 * Records listed ahead of the page being stored, counted in records rather than pages: HubSpot's
 * deals need four history reads per 200-deal page under a limit of ten a second, against one search
 * under five, so their history runs ten seconds behind by the last deal. Sixteen engagement pages
 * (16,000 records, a few MiB) let every deal page be listed at the search limit's pace while their
 * histories are read, and the activities' searches begin meanwhile.
 */
const RECORDS_AHEAD = 16_000;
/** After reading everything: rounds of applying that may pass without progress before the run is called done anyway. */
const MAX_IDLE_APPLY_ROUNDS = 5;
const APPLY_POLL_MS = 2_000;

const backoffMs = (failures: number) => Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));

/** A page to read: a stage, and where in it (null at its start). */
interface Position {
  stage: BackfillStage;
  cursor: BackfillCursor | null;
}

const positionOf = (at: StoredBackfill): Position => ({ stage: at.run.stage, cursor: at.cursor });

/** The page after `page`: further in its stage, the next stage's start, or null after the last. */
function nextPosition(stage: BackfillStage, page: Pick<BackfillPage, 'next'>): Position | null {
  if (page.next !== null) return { stage, cursor: page.next };
  const following = BACKFILL_STAGES[BACKFILL_STAGES.indexOf(stage) + 1];
  return following ? { stage: following, cursor: null } : null;
}

/** Stops the run: the admin is told `message`. */
class RunFailed extends Error {}
/** Another process holds the run now, or this one is stopping: it lets go quietly. */
class LeaseLost extends Error {}

export function createBackfills(deps: BackfillDeps): BackfillEngine {
  const { db, logger } = deps;
  const holder = { owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, leaseMs: LEASE_MS };
  const driving = new Map<number, Promise<void>>();
  let stopping = false;

  async function report(run: BackfillRun) {
    for (const reporter of deps.reportersFor(run)) {
      try {
        await reporter.report(run);
      } catch (error) {
        logger.warn({ err: error, runId: run.id }, 'a backfill progress report failed; the run goes on');
      }
    }
  }

  /** Reads (a page, or what its events need), waiting and reading again while the CRM says to. */
  async function retrying<T>(run: BackfillRun, read: () => Promise<T>): Promise<T> {
    for (let failures = 1; ; failures++) {
      try {
        return await read();
      } catch (error) {
        const crm = CRM_LABEL[run.source];
        if (error instanceof CrmApiAuthError) {
          throw new RunFailed(
            `${crm} refused our access token; connect ${crm} again (\`/kpi crm connect ${run.source}\`)`,
          );
        }
        if (!(error instanceof CrmApiUnavailableError)) throw error;
        if (failures >= MAX_CONSECUTIVE_FAILURES) {
          throw new RunFailed(`${crm}'s API failed ${failures} times in a row (last: ${error.message})`);
        }
        const waitMs = error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : backoffMs(failures);
        logger.info({ runId: run.id, waitMs, err: error }, 'backfill read failed; reading the page again');
        await deps.sleep(waitMs);
        if (!(await renewLease(db, run.id, deps.now(), holder))) throw new LeaseLost();
      }
    }
  }

  /**
   * Lists pages ahead of the one being stored (up to RECORDS_AHEAD records), each page's further reads
   * started as soon as it is listed, and hands them over complete, in order: the CRM's pacing, not
   * our database or one page's batch reads, sets the pace. Every read settles its outcome, so one
   * running ahead never fails unobserved; `halt` stops listing.
   */
  function readAhead(source: BackfillSource, run: BackfillRun, start: Position) {
    const list = (at: Position): Promise<ListedPage> =>
      source.listPage
        ? source.listPage(at.stage, run.window, at.cursor)
        : source
            .readPage(at.stage, run.window, at.cursor)
            .then((page) => ({ ...page, events: async () => page.events }));
    const queue: Promise<() => BackfillPage>[] = [];
    let tail: Position | null = start;
    let listing = false;
    /** Records of the pages listed and not yet handed over. */
    let ahead = 0;
    function fill() {
      if (listing || tail === null || stopping || ahead >= RECORDS_AHEAD) return;
      const at = tail;
      listing = true;
      const page = retrying(run, () => list(at)).then(
        async (listed) => {
          tail = nextPosition(at.stage, listed);
          listing = false;
          ahead += listed.records;
          fill();
          return { ...listed, events: await retrying(run, listed.events) };
        },
        (error: unknown) => {
          tail = null;
          throw error;
        },
      );
      queue.push(
        page.then(
          (read) => () => read,
          (error: unknown) => () => {
            throw error;
          },
        ),
      );
    }
    return {
      /** The next page, or null after the last. */
      async next(): Promise<BackfillPage | null> {
        fill();
        const head = queue.shift();
        if (!head) return null;
        const page = (await head)();
        ahead -= page.records;
        fill();
        return page;
      },
      halt() {
        tail = null;
      },
    };
  }

  /** Waits for the processor to apply what the run stored, so `done` means "in the log". */
  async function waitApplied(run: BackfillRun) {
    let pending = await backfillEventsPending(db, run.workspaceId, run.source);
    for (let idle = 0; pending > 0 && idle < MAX_IDLE_APPLY_ROUNDS; ) {
      if (stopping) {
        await releaseLease(db, run.id, holder);
        throw new LeaseLost();
      }
      deps.onStored(run.workspaceId);
      await deps.applied(run.workspaceId);
      const left = await backfillEventsPending(db, run.workspaceId, run.source);
      if (left >= pending) {
        idle++;
        await deps.sleep(APPLY_POLL_MS);
      } else idle = 0;
      pending = left;
      if (!(await renewLease(db, run.id, deps.now(), holder))) throw new LeaseLost();
    }
    if (pending > 0) {
      logger.warn({ runId: run.id, pending }, 'backfill read; events still unapplied, the crm-retry job goes on');
    }
  }

  async function drive(start: StoredBackfill): Promise<void> {
    let at = start;
    const source = await deps.sourceFor(at.run.workspaceId, at.run.source);
    try {
      if (!source) throw new RunFailed(`${CRM_LABEL[at.run.source]} is no longer connected to this workspace`);
      const pages = at.readAll ? null : readAhead(source, at.run, positionOf(at));
      try {
        for (let page = await pages?.next(); page; page = await pages?.next()) {
          const stored = await storePage(db, { run: at.run, stage: at.run.stage, page }, deps.now(), holder);
          if (!stored) throw new LeaseLost();
          at = stored;
          if (page.events.length > 0) deps.onStored(at.run.workspaceId);
          await report(at.run);
          if (stopping) break;
        }
      } finally {
        pages?.halt();
      }
      // Listing ends early only when stopping (even before the first page): another replica goes on
      // from the checkpoint, rather than this one calling a half-read run done.
      if (!at.readAll) {
        await releaseLease(db, at.run.id, holder);
        throw new LeaseLost();
      }
      await waitApplied(at.run);
      const done = await finishRun(db, at.run.id, holder, deps.now(), { status: 'done' });
      if (done) await report(done.run);
    } catch (error) {
      if (error instanceof LeaseLost) {
        logger.warn(
          { runId: at.run.id },
          stopping
            ? 'stopping; the backfill goes on elsewhere'
            : 'another process took this backfill over; letting it go',
        );
        return;
      }
      const message =
        error instanceof RunFailed
          ? error.message
          : `something went wrong on our side (${error instanceof Error ? error.message : String(error)})`;
      if (!(error instanceof RunFailed)) logger.error({ err: error, runId: at.run.id }, 'backfill failed');
      const failed = await finishRun(db, at.run.id, holder, deps.now(), { status: 'failed', error: message });
      if (failed) await report(failed.run);
    }
  }

  /** Drives a run in the background, once per process. */
  function launch(stored: StoredBackfill) {
    const { id } = stored.run;
    if (driving.has(id) || stopping) return;
    const task = drive(stored)
      .catch((error: unknown) => logger.error({ err: error, runId: id }, 'backfill stopped unexpectedly'))
      .finally(() => driving.delete(id));
    driving.set(id, task);
  }

  /** Resolves when no run is driven here, runs launched meanwhile included. */
  async function settled() {
    while (driving.size > 0) await Promise.all(driving.values());
  }

  async function resumeLapsed(workspaceId: string | null = null): Promise<number> {
    let taken = 0;
    for (const id of await lapsedRuns(db, deps.now(), workspaceId)) {
      const claimed = await claimRun(db, id, deps.now(), holder);
      if (!claimed) continue;
      taken++;
      logger.info({ runId: id }, 'resuming a backfill whose process stopped');
      launch(claimed);
    }
    return taken;
  }

  return {
    async start(request) {
      const crm = CRM_LABEL[request.source];
      if (!(await deps.sourceFor(request.workspaceId, request.source))) {
        throw new UserError(
          ErrorCode.CrmNotConnected,
          `${crm} is not connected to this workspace, so there is nothing to read. Connect it first: \`/kpi crm connect ${request.source}\`.`,
        );
      }
      if (request.window.since >= request.window.until) {
        throw new UserError(ErrorCode.BackfillWindowInvalid, 'The backfill window must start before it ends.');
      }
      const now = deps.now();
      const made = (await reopenFailed(db, request, now, holder)) ?? (await insertRun(db, request, now, holder));
      if (made) {
        launch(made);
        return { run: made.run, alreadyRunning: false };
      }
      const running = await runningRun(db, request.workspaceId, request.source);
      if (!running) throw new Error('no backfill was started and none is running');
      // Its process may have died: take it over rather than leave the admin waiting for the job.
      const claimed = await claimRun(db, running.run.id, now, holder);
      if (claimed) launch(claimed);
      return { run: running.run, alreadyRunning: true };
    },
    latest: (workspaceId) => latestRuns(db, workspaceId),
    idle: settled,
    resumeLapsed,
    async stop() {
      stopping = true;
      await settled();
    },
  };
}
