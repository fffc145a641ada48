import type { Logger } from '../lib/logger.js';
import { applyPending, type ProcessorDeps } from './processor.js';

/**
 * Applies stored webhook batches in the background, one run per workspace at a time: a batch that
 * arrives during a run triggers one more run after it, never a second concurrent one.
 */
export interface CrmRunner {
  /** A batch was committed for this workspace. */
  kick(workspaceId: string): void;
  /** Retries everything that waits (the CRM API was down, an owner is now mapped). */
  sweep(): Promise<void>;
  /** Resolves when no run is in progress (tests, shutdown). */
  idle(): Promise<void>;
}

export function createCrmRunner(deps: ProcessorDeps, logger: Logger): CrmRunner {
  const running = new Map<string, Promise<void>>();
  const again = new Set<string>();

  const run = async (workspaceId: string) => {
    do {
      again.delete(workspaceId);
      await applyPending(deps, workspaceId);
    } while (again.has(workspaceId));
  };

  return {
    kick(workspaceId) {
      if (running.has(workspaceId)) {
        again.add(workspaceId);
        return;
      }
      const task = run(workspaceId)
        .catch((error: unknown) =>
          logger.error({ err: error, workspaceId }, 'applying CRM events failed; the sweep retries'),
        )
        .finally(() => running.delete(workspaceId));
      running.set(workspaceId, task);
    },
    async sweep() {
      const { applied, waiting } = await applyPending(deps, null);
      if (applied + waiting > 0) logger.info({ applied, waiting }, 'CRM sweep');
    },
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
