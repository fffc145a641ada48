import type { BackfillRequest, BackfillRun, Backfills } from '../../src/integrations/backfill/contract.js';
import { CRM_LABEL, type CrmSource } from '../../src/integrations/crm-event.js';
import { ErrorCode, UserError } from '../../src/lib/errors.js';

/**
 * `Backfills` as the contract promises it, in memory, for the surfaces' tests: the engine (its own
 * branch) is the real one. It refuses a CRM not connected with a `UserError`, joins a run already
 * going for the same workspace and CRM, and lets a test move a run on.
 */
export interface MemoryBackfills extends Backfills {
  readonly requests: BackfillRequest[];
  /** Moves a run on, as the engine would after a page or at its end. */
  update(id: number, change: Partial<BackfillRun>): BackfillRun;
}

export function memoryBackfills(opts: {
  connected: readonly CrmSource[];
  now: () => Date;
  /** What happens to a new run in the background, as the engine's pages would (none: it stays as started). */
  drive?: (run: BackfillRun, update: (change: Partial<BackfillRun>) => BackfillRun) => Promise<void>;
}): MemoryBackfills {
  const runs: BackfillRun[] = [];
  const requests: BackfillRequest[] = [];
  const going = new Set<Promise<void>>();
  const backfills: MemoryBackfills = {
    requests,
    async start(request) {
      if (!opts.connected.includes(request.source)) {
        throw new UserError(
          ErrorCode.CrmNotConnected,
          `${CRM_LABEL[request.source]} is not connected to this workspace: \`/kpi crm connect ${request.source}\` first.`,
        );
      }
      requests.push(request);
      const current = runs.find(
        (r) => r.workspaceId === request.workspaceId && r.source === request.source && r.status === 'running',
      );
      if (current) return { run: current, alreadyRunning: true };
      const now = opts.now();
      const run: BackfillRun = {
        ...request,
        id: runs.length + 1,
        status: 'running',
        stage: 'deals',
        read: { deals: 0, leads: 0, activities: 0 },
        estimated: { deals: null, leads: null, activities: null },
        startedAt: now,
        updatedAt: now,
        finishedAt: null,
        error: null,
      };
      runs.push(run);
      if (opts.drive) {
        const driving = opts
          .drive(run, (change) => backfills.update(run.id, change))
          .finally(() => going.delete(driving));
        going.add(driving);
      }
      return { run, alreadyRunning: false };
    },
    async latest(workspaceId) {
      const newest = new Map<CrmSource, BackfillRun>();
      for (const run of runs) if (run.workspaceId === workspaceId) newest.set(run.source, run);
      return [...newest.values()];
    },
    async idle() {
      await Promise.all(going);
    },
    update(id, change) {
      const index = runs.findIndex((r) => r.id === id);
      const run = runs[index];
      if (!run) throw new Error(`no run ${id}`);
      runs[index] = { ...run, ...change };
      return runs[index];
    },
  };
  return backfills;
}
