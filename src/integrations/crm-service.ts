import type { WaitingCrmEvents } from '../jobs/job.js';
import type { Shutdown } from '../lib/shutdown.js';
import { createApis } from './crm-apis.js';
import { type CrmRunner, createCrmRunner } from './crm-runner.js';
import { applyPending, type ProcessorDeps } from './processor.js';

export interface CrmServiceDeps extends Omit<ProcessorDeps, 'apiFor'> {
  /** The one workspace the bot token belongs to (null with OAuth, or before Slack was asked). */
  singleWorkspaceId(): string | null;
  shutdown: Shutdown;
}

export interface CrmService {
  /** Applies stored webhook batches as they arrive. */
  runner: CrmRunner;
  /** What the `crm-retry` job applies again. */
  waiting: WaitingCrmEvents;
}

/** The CRM side of the app: each workspace's CRM API, the background runner, and the retry port. */
export function createCrmService({ singleWorkspaceId, shutdown, ...deps }: CrmServiceDeps): CrmService {
  const apis = createApis(deps.crm, deps.now);
  const processor: ProcessorDeps = {
    ...deps,
    // CRM API credentials come from the environment, so they serve the one workspace only.
    apiFor: (workspaceId, source) => (workspaceId === singleWorkspaceId() ? (apis[source] ?? null) : null),
  };
  const runner = createCrmRunner(processor, deps.logger);
  shutdown.add('crm runner', () => runner.idle());
  return {
    runner,
    waiting: { apply: (db, now, workspaceId) => applyPending({ ...processor, db, now: () => now }, workspaceId) },
  };
}
