import { afterAll, beforeAll, expect, it } from 'vitest';
import { basicAuth, pipedriveCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import {
  type FakePipedrive,
  type Json,
  OWNER_ID,
  startFakePipedrive,
  v2ActivityRecord,
  v2DealEvent,
  v2Event,
} from '../support/fake-pipedrive.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, crmActivityEntries, dealRecord, jsonOf, netByKind, postWebhook } from '../support/webhooks.js';

const OWNER = { id: OWNER_ID, email: 'ana@acme.test', name: 'Ana Lopez' };
const basic = basicAuth();

/**
 * Pipedrive webhooks v2 for activities (create, change, delete), payloads as in
 * https://pipedrive.readme.io/docs/guide-for-webhooks-v2 (the meta block, `data` the record, `previous` the
 * changed fields; a delete has no data and the last state in `previous`).
 */
describeDb('CRM activities end to end: Pipedrive v2', () => {
  let h: Harness;
  let pipedrive: FakePipedrive;

  async function send(body: Json) {
    const answer = jsonOf(
      await postWebhook(h, '/webhooks/pipedrive', JSON.stringify(body), {
        'content-type': 'application/json',
        authorization: basic,
      }),
    );
    await h.bot.crm.idle();
    return answer;
  }

  const activity = (
    action: 'create' | 'change' | 'delete',
    at: string,
    record: Json & { id: number },
    previous: Json | null = null,
  ) =>
    v2Event({
      action,
      entity: 'activity',
      entityId: record.id,
      data: action === 'delete' ? null : v2ActivityRecord(record),
      previous: action === 'delete' ? v2ActivityRecord(record) : previous,
      meta: { timestamp: at },
    });
  const entries = (id: number) => crmActivityEntries(h, 'pipedrive', String(id));

  beforeAll(async () => {
    pipedrive = await startFakePipedrive();
    h = await startHarness({ crm: pipedriveCrm(pipedrive) });
    addRep(h, 'UANA', OWNER.email, 'Ana');
    h.addUser('UADM', { name: 'Alex', isAdmin: true });
    pipedrive.addUser(OWNER);
  });
  afterAll(async () => {
    await h?.close();
    await pipedrive?.close();
  });

  it('counts a call created done once, linked to its deal, however often Pipedrive delivers it', async () => {
    await send(v2DealEvent('create', { id: 301, title: 'Wayne', stage_id: 1, add_time: '2026-11-16T09:30:00Z' }));
    const created = activity('create', '2026-11-18T10:00:00.000Z', {
      id: 5001,
      type: 'call',
      done: true,
      deal_id: 301,
      marked_as_done_time: '2026-11-18T09:58:00Z',
    });
    expect(await send(created)).toEqual({ status: 200, body: { stored: 1, duplicates: 0, rejected: [] } });
    expect((await send(created)).body).toEqual({ stored: 0, duplicates: 1, rejected: [] });
    const { deal } = await dealRecord(h, 'pipedrive', '301');
    const log = await entries(5001);
    expect(log.map((e) => [e.kind, e.userId, e.quantity, e.occurredAt.toISOString(), e.dealId])).toEqual([
      ['call', 'UANA', 1, '2026-11-18T09:58:00.000Z', deal?.id],
    ]);
  });

  it('counts a planned meeting only once it is marked done, and moves it when its type changes', async () => {
    const planned = { id: 5002, type: 'meeting', done: false, due_date: '2026-11-18', due_time: '11:00' };
    await send(activity('create', '2026-11-17T08:00:00.000Z', planned));
    expect(await entries(5002)).toEqual([]);

    const done = { ...planned, done: true, marked_as_done_time: '2026-11-18T11:30:00Z' };
    await send(activity('change', '2026-11-18T11:30:00.000Z', done, { done: false }));
    expect(netByKind(await entries(5002))).toEqual({ meeting: 1 });

    // It was a call after all: the meeting is reversed and a call recorded.
    await send(activity('change', '2026-11-18T11:35:00.000Z', { ...done, type: 'call' }, { type: 'meeting' }));
    const log = await entries(5002);
    expect(netByKind(log)).toEqual({ call: 1 });
    expect(log.map((e) => [e.kind, e.quantity])).toEqual([
      ['meeting', 1],
      ['meeting', -1],
      ['call', 1],
    ]);
  });

  it('reverses a deleted activity, and ignores a change that arrives after the delete', async () => {
    const record = { id: 5003, type: 'email', done: true, marked_as_done_time: '2026-11-18T12:00:00Z' };
    await send(activity('create', '2026-11-18T12:00:00.000Z', record));
    await send(activity('delete', '2026-11-18T12:10:00.000Z', record));
    // A retried change from before the delete, delivered late.
    await send(activity('change', '2026-11-18T12:05:00.000Z', { ...record, subject: 'Re: pricing' }, { subject: 'x' }));
    const log = await entries(5003);
    expect(netByKind(log)).toEqual({});
    expect(log.map((e) => [e.kind, e.quantity])).toEqual([
      ['email', 1],
      ['email', -1],
    ]);
  });

  it('lets an admin map a custom type, shows it in /kpi explain crm, and refuses reps', async () => {
    const demo = { id: 5004, type: 'demo_call', done: true, marked_as_done_time: '2026-11-18T13:00:00Z' };
    await send(activity('create', '2026-11-18T13:00:00.000Z', demo));
    expect(await entries(5004)).toEqual([]);

    const refused = await h.kpi('UANA', 'crm map-activity pipedrive demo_call demo');
    expect(JSON.stringify(refused.body)).toMatch(/admin/i);
    const bad = await h.kpi('UADM', 'crm map-activity pipedrive demo_call dinners');
    expect(JSON.stringify(bad.body)).toContain('dinners');

    const reply = await h.kpi('UADM', 'crm map-activity pipedrive demo_call demo');
    expect(JSON.stringify(reply.body)).toContain('now counts as demo');
    const explained = JSON.stringify((await h.kpi('UANA', 'explain crm')).body);
    expect(explained).toContain('`demo_call` → demo (changed here)');
    expect(explained).toContain('`call:connected` → call + conversation');

    // The mapping applies to activities that arrive or change from now on.
    const next = { id: 5005, type: 'demo_call', done: true, marked_as_done_time: '2026-11-18T14:00:00Z' };
    await send(activity('create', '2026-11-18T14:00:00.000Z', next));
    expect(netByKind(await entries(5005))).toEqual({ demo: 1 });

    await h.kpi('UADM', 'crm map-activity pipedrive demo_call default');
    expect(JSON.stringify((await h.kpi('UANA', 'explain crm')).body)).not.toContain('demo_call');
  });
});
