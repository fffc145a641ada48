import { describe, expect, it } from 'vitest';
import type { BackfillRun } from '../../../src/integrations/backfill/contract.js';
import { progressLine, secondsLeft } from '../../../src/integrations/backfill/progress.js';

const startedAt = new Date('2026-12-01T09:00:00Z');
const run = (over: Partial<BackfillRun>): BackfillRun => ({
  id: 1,
  workspaceId: 'T1',
  source: 'hubspot',
  window: { since: new Date('2026-09-01T00:00:00Z'), until: startedAt },
  requestedBy: 'U1',
  status: 'running',
  stage: 'activities',
  read: { deals: 10_000, leads: 0, activities: 41_200 },
  estimated: { deals: 10_000, leads: 0, activities: 60_000 },
  startedAt,
  updatedAt: startedAt,
  finishedAt: null,
  error: null,
  ...over,
});

describe('backfill progress', () => {
  it('tells records read of the estimate and the time left at the rate so far', () => {
    // 51,200 records in 60 s: 853/s; 18,800 left: 22 s.
    const now = new Date(startedAt.getTime() + 60_000);
    expect(secondsLeft(run({}), now)).toBeCloseTo(18_800 / (51_200 / 60), 5);
    expect(progressLine(run({}), now)).toBe('HubSpot: 41,200 of ~60,000 activities, 22 s left');
  });

  it('says minutes once the rest takes longer', () => {
    const now = new Date(startedAt.getTime() + 600_000);
    expect(progressLine(run({}), now)).toBe('HubSpot: 41,200 of ~60,000 activities, 4 min left');
  });

  it('gives no time left where the CRM gives no count', () => {
    const line = progressLine(run({ estimated: { deals: null, leads: null, activities: null } }), startedAt);
    expect(line).toBe('HubSpot: 41,200 activities so far');
  });

  it('sums up a finished run and explains a failed one', () => {
    const finishedAt = new Date(startedAt.getTime() + 120_000);
    expect(progressLine(run({ status: 'done', finishedAt }), finishedAt)).toBe(
      'HubSpot: done: 10,000 deals, 0 leads, 41,200 activities read in 2 min.',
    );
    expect(progressLine(run({ status: 'failed', error: 'HubSpot refused the token' }), finishedAt)).toMatch(
      /^HubSpot: the backfill stopped: HubSpot refused the token\. Start it again/,
    );
  });
});
