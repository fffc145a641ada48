import type { Logger } from '../lib/logger.js';
import { applyPending, type ProcessorDeps } from './processor.js';

/**
 * Applies stored webhook batches in the background, one run per workspace at a time: a batch that
 * arrives during a run triggers one more run after it, never a second concurrent one.
 */
export interface CrmRunner {
  /** A batch was committed for this workspace. */
  kick(workspaceId: string): void;
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
          logger.error({ err: error, workspaceId }, 'applying CRM events failed; the crm-retry job tries again'),
        )
        .finally(() => running.delete(workspaceId));
      running.set(workspaceId, task);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
  };
}
