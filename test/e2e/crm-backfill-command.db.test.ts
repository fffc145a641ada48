import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDb } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';
import { type MemoryBackfills, memoryBackfills } from '../support/memory-backfills.js';

/**
 * `/kpi crm backfill` through the real receiver (signed slash commands, the fake Slack), with the
 * backfill engine behind the contract's `Backfills`: who may ask, what windows it takes, and what
 * the admin reads back.
 */

const NOW = new Date('2026-11-18T15:00:00Z');

describeDb('/kpi crm backfill end to end', () => {
  let h: Harness;
  let backfills: MemoryBackfills;
  const text = (reply: { body: Record<string, unknown> }) => JSON.stringify(reply.body);

  beforeAll(async () => {
    const clock = { now: NOW };
    backfills = memoryBackfills({ connected: ['hubspot', 'pipedrive'], now: () => clock.now });
    h = await startHarness({ now: NOW, backfills });
    h.clock.now = NOW;
    clock.now = NOW;
    h.fake.addUser({ id: 'UANA', teamId: h.teamId, name: 'ana', tz: 'UTC' });
    h.fake.addUser({ id: 'UBOSS', teamId: h.teamId, name: 'boss', tz: 'Europe/Paris', isAdmin: true });
    h.fake.addUser({ id: 'UOTHER', teamId: h.teamId, name: 'other', tz: 'UTC', isAdmin: true });
  });
  afterAll(async () => h.close());

  it('refuses a rep, and starts nothing', async () => {
    const reply = await h.kpi('UANA', 'crm backfill hubspot');
    expect(reply.body.text).toContain('Only a workspace admin');
    expect(backfills.requests).toEqual([]);
  });

  it('says what is wrong with a start it cannot use', async () => {
    const cases: [string, string][] = [
      ['crm backfill hubspot since 2026-02-30', "`2026-02-30` isn't a date"],
      ['crm backfill hubspot since yesterday', "`yesterday` isn't a date"],
      ['crm backfill hubspot since 2026-12-01', '2026-12-01 is in the future'],
      ['crm backfill hubspot since 2025-06-01', 'at most a year back: the earliest start is 2025-11-18'],
      ['crm backfill hubspot 400 days', 'at most a year back'],
      ['crm backfill hubspot 0 days', 'at least 1 day'],
      ['crm backfill generic', 'Name the CRM to read: hubspot, salesforce, pipedrive'],
      ['crm backfill', 'Name the CRM to read'],
    ];
    for (const [command, says] of cases) expect(text(await h.kpi('UBOSS', command)), command).toContain(says);
    expect(backfills.requests).toEqual([]);
  });

  it('says so when the CRM is not connected', async () => {
    const reply = await h.kpi('UBOSS', 'crm backfill salesforce');
    expect(reply.body.text).toContain('Salesforce is not connected to this workspace');
  });

  it('starts 90 days back by default, and says where progress shows', async () => {
    const reply = await h.kpi('UBOSS', 'crm backfill hubspot');
    expect(backfills.requests.at(-1)).toEqual({
      workspaceId: h.teamId,
      source: 'hubspot',
      // 90 days on the admin's calendar: 16:00 in Paris, in summer time then (UTC+2).
      window: { since: new Date('2026-08-20T14:00:00Z'), until: NOW },
      requestedBy: 'UBOSS',
    });
    expect(text(reply)).toContain('HubSpot backfill started');
    expect(text(reply)).toContain("I'll DM you its progress");
    expect(reply.body.response_type ?? 'ephemeral').toBe('ephemeral');
  });

  it('joins the run already going rather than reading everything twice', async () => {
    const reply = await h.kpi('UOTHER', 'crm backfill hubspot 30 days');
    expect(text(reply)).toContain('A HubSpot backfill is already running');
    expect(text(reply)).toContain('<@UBOSS> started it and gets its progress by DM');
    expect((await backfills.latest(h.teamId)).length).toBe(1);
  });

  it("reads a date as the start of that day in the admin's zone", async () => {
    await h.kpi('UBOSS', 'crm backfill pipedrive since 2026-09-01');
    // Europe/Paris is UTC+2 on 1 September.
    expect(backfills.requests.at(-1)?.window.since).toEqual(new Date('2026-08-31T22:00:00Z'));
  });

  it('shows the latest run per CRM in `/kpi crm`', async () => {
    const [hubspot] = await backfills.latest(h.teamId);
    if (!hubspot) throw new Error('a HubSpot run');
    backfills.update(hubspot.id, {
      stage: 'activities',
      read: { deals: 1_000, leads: 200, activities: 41_200 },
      estimated: { deals: 1_000, leads: 200, activities: 60_000 },
    });
    h.clock.now = new Date(NOW.getTime() + 60_000);
    const status = text(await h.kpi('UBOSS', 'crm'));
    h.clock.now = NOW;
    expect(status).toContain('History backfills');
    expect(status).toContain('HubSpot: 41,200 of ~60,000 activities, 27 s left');
    expect(status).toContain('Pipedrive: 0 deals so far');
  });

  it('is in `/kpi help` and `/kpi help crm`', async () => {
    expect(text(await h.kpi('UANA', 'help'))).toContain('/kpi crm backfill &lt;crm&gt;');
    expect(text(await h.kpi('UANA', 'help crm'))).toContain(
      '/kpi crm backfill &lt;crm&gt; [since &lt;date&gt;|&lt;n&gt; days]',
    );
  });
});
