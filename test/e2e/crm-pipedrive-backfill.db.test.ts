import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { leads } from '../../src/db/schema.js';
import type { BackfillWindow } from '../../src/integrations/backfill/contract.js';
import { createPipedriveBackfillSource } from '../../src/integrations/pipedrive/backfill-source.js';
import { activityLog, backfillInto } from '../support/backfill-store.js';
import { basicAuth, pipedriveCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import {
  type FakePipedrive,
  type Json,
  OWNER_ID,
  startFakePipedrive,
  v2ActivityRecord,
  v2DealEvent,
  v2DealRecord,
  v2Event,
  v2LeadRecord,
} from '../support/fake-pipedrive.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, dealRecord, postWebhook } from '../support/webhooks.js';

const OWNER = { id: OWNER_ID, email: 'ana@acme.test', name: 'Ana Lopez' };
const LEAD = 'adf21080-0e10-11eb-879b-05d71fb426ec';
const WINDOW: BackfillWindow = {
  since: new Date('2026-08-20T00:00:00.000Z'),
  until: new Date('2026-11-18T00:00:00.000Z'),
};

/**
 * API v2 deal and activity records and an API v1 lead
 * (https://developers.pipedrive.com/docs/api/v1/Deals#getDeals, …/Activities#getActivities, v2;
 * …/Leads#getLeads), which webhooks v2 carry alike (https://pipedrive.readme.io/docs/guide-for-webhooks-v2).
 */
const deal = v2DealRecord({
  id: 301,
  title: 'Wayne Enterprises',
  value: 12500.5,
  status: 'won',
  stage_id: 3,
  add_time: '2026-09-01T08:00:00Z',
  stage_change_time: '2026-10-01T08:00:00Z',
  won_time: '2026-10-20T16:00:00Z',
  close_time: '2026-10-20T16:00:00Z',
  update_time: '2026-10-20T16:00:00Z',
}) as Json & { id: number };
const lead = v2LeadRecord({
  id: LEAD,
  add_time: '2026-09-01T07:00:00.000Z',
  update_time: '2026-09-01T07:00:00.000Z',
}) as Json & { id: string };
/** An activity done at `doneAt` (and last changed then), or planned when null. */
function activity(id: number, type: string, doneAt: string | null, fields: Json = {}): Json & { id: number } {
  const done = { done: doneAt !== null, marked_as_done_time: doneAt, update_time: doneAt ?? '2026-09-03T10:00:00Z' };
  return v2ActivityRecord({ id, type, ...done, ...fields }) as Json & { id: number };
}
const call = activity(5001, 'call', '2026-09-01T09:15:00Z', { deal_id: 301 });
const meeting = activity(5002, 'meeting', '2026-09-02T11:00:00Z', { deal_id: null, lead_id: LEAD });
const planned = activity(5003, 'email', null, { due_date: '2026-11-30' });

describeDb('Pipedrive backfill: stored in the inbox and applied by the processor', () => {
  let h: Harness;
  let pipedrive: FakePipedrive;
  const source = () => createPipedriveBackfillSource({ apiToken: pipedrive.apiToken, baseUrl: pipedrive.baseUrl });

  beforeAll(async () => {
    pipedrive = await startFakePipedrive();
    h = await startHarness({ crm: pipedriveCrm(pipedrive) });
    addRep(h, 'UANA', OWNER.email, 'Ana');
    pipedrive.addUser(OWNER);
    pipedrive.addDeal(deal);
    pipedrive.addLead(lead);
    for (const record of [call, meeting, planned]) pipedrive.addActivity(record);
    pipedrive.addActivity({ ...call, id: 5004, is_deleted: true });
  });
  afterAll(async () => {
    await h?.close();
    await pipedrive?.close();
  });

  it('turns the window’s records into the deal, its outcome, the lead and the activity log', async () => {
    // The deal and when it entered its stage, the lead, three activities.
    expect(await backfillInto(h, source(), WINDOW)).toEqual({ stored: 6, duplicates: 0 });

    const { deal: row, stages, entries } = await dealRecord(h, 'pipedrive', '301');
    expect(row).toMatchObject({ status: 'won', amountCents: 1_250_050, ownerUserId: 'UANA', stage: '3' });
    expect(stages.map((s) => [s.from, s.to, s.at.toISOString()])).toEqual([[null, '3', '2026-10-01T08:00:00.000Z']]);
    expect(
      entries.filter((e) => e.kind === 'deal_won').map((e) => [e.amountCents, e.occurredAt.toISOString()]),
    ).toEqual([[1_250_050, '2026-10-20T16:00:00.000Z']]);

    const [stored] = await h.database.db
      .select()
      .from(leads)
      .where(and(eq(leads.workspaceId, h.teamId), eq(leads.externalId, LEAD)));
    // Activity records are applied several at once: their entries' order is the time they happened.
    const log = (await activityLog(h))
      .filter((e) => e.externalId !== null)
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.kind.localeCompare(b.kind));
    expect(log.map((e) => [e.kind, e.userId, e.occurredAt, e.externalId, e.dealId, e.leadId])).toEqual([
      ['call', 'UANA', '2026-09-01T09:15:00.000Z', '5001', row?.id, null],
      ['meeting', 'UANA', '2026-09-02T11:00:00.000Z', '5002', null, stored?.id],
    ]);
    expect(stored?.createdAt.toISOString()).toBe('2026-09-01T07:00:00.000Z');
    expect(stored?.firstResponseAt?.toISOString()).toBe('2026-09-02T11:00:00.000Z');
  });

  it('changes nothing when the same window is read again, or when webhooks bring the same records', async () => {
    const before = await activityLog(h);
    expect(await backfillInto(h, source(), WINDOW)).toEqual({ stored: 0, duplicates: 6 });

    const send = async (body: Json) => {
      const answer = await postWebhook(h, '/webhooks/pipedrive', JSON.stringify(body), {
        'content-type': 'application/json',
        authorization: basicAuth(),
      });
      expect(answer.status).toBe(200);
    };
    await send(v2DealEvent('change', deal, { meta: { timestamp: deal.update_time } }));
    for (const record of [call, meeting, planned])
      await send(
        v2Event({
          action: 'change',
          entity: 'activity',
          entityId: record.id,
          data: record,
          previous: { subject: 'Before' },
          meta: { timestamp: record.update_time },
        }),
      );
    await h.bot.crm.idle();

    expect(await activityLog(h)).toEqual(before);
    const { stages } = await dealRecord(h, 'pipedrive', '301');
    expect(stages.map((s) => s.to)).toEqual(['3']);
  });
});
