import type { BackfillRun } from '../../src/integrations/backfill/contract.js';

/** A backfill run as the engine reports it: HubSpot, 90 days to `startedAt`, nothing read yet. */
export function backfillRun(overrides: Partial<BackfillRun> & Pick<BackfillRun, 'workspaceId'>): BackfillRun {
  const startedAt = overrides.startedAt ?? new Date('2026-11-18T15:00:00Z');
  return {
    id: 1,
    source: 'hubspot',
    window: { since: new Date(startedAt.getTime() - 90 * 86_400_000), until: startedAt },
    requestedBy: 'UADMIN',
    status: 'running',
    stage: 'deals',
    read: { deals: 0, leads: 0, activities: 0 },
    estimated: { deals: null, leads: null, activities: null },
    startedAt,
    updatedAt: startedAt,
    finishedAt: null,
    error: null,
    ...overrides,
  };
}
