import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deals, leads } from '../../src/db/schema.js';
import {
  dealCreation,
  type HubSpotEvent,
  OBJECT_TYPE,
  objectCreation,
  objectDeletion,
  objectPropertyChange,
  PORTAL_ID,
} from '../integrations/hubspot/fixtures.js';
import { HUBSPOT_CLIENT_SECRET, hubspotCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import {
  type EngagementPath,
  type FakeEngagement,
  type FakeHubSpot,
  signHubSpotV3,
  startFakeHubSpot,
} from '../support/fake-hubspot.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, crmActivityEntries, inboxRows, jsonOf, ms, netByKind, postWebhook } from '../support/webhooks.js';

const PATH = '/webhooks/hubspot';
const ANA = { id: '77', email: 'ana@acme.test', firstName: 'Ana', lastName: 'Lopez' };
const BO = { id: '78', email: 'bo@elsewhere.test', firstName: 'Bo', lastName: 'Chen' };
/** HubSpot's default "Connected" and "No answer" call outcomes (calls API guide). */
const CONNECTED = 'f240bbac-87c9-4f6e-bf70-924b57d47db7';
const NO_ANSWER = '73a0d17f-1163-4015-bdd5-ec830791da20';

describeDb('CRM activities end to end: HubSpot engagements', () => {
  let h: Harness;
  let hubspot: FakeHubSpot;
  let nextEventId = 9000;

  async function send(events: HubSpotEvent[]) {
    const body = JSON.stringify(events);
    const signature = signHubSpotV3(body, {
      clientSecret: HUBSPOT_CLIENT_SECRET,
      method: 'POST',
      url: `${h.url}${PATH}`,
      timestamp: h.clock.now.getTime(),
    });
    const answer = jsonOf(await postWebhook(h, PATH, body, { 'content-type': 'application/json', ...signature }));
    await h.bot.crm.idle();
    return answer;
  }

  /** A fresh event id and time for each event, as HubSpot gives. */
  const at = (iso: string): HubSpotEvent => ({ eventId: ++nextEventId, occurredAt: ms(iso) });
  const entries = (activityId: string) => crmActivityEntries(h, 'hubspot', activityId);
  /** An engagement Ana owns, as HubSpot has it now. */
  const putAnas = (path: EngagementPath, id: string, engagement: FakeEngagement) =>
    hubspot.putEngagement(path, id, {
      ...engagement,
      properties: { hubspot_owner_id: ANA.id, ...engagement.properties },
    });

  beforeAll(async () => {
    hubspot = await startFakeHubSpot();
    h = await startHarness({ crm: hubspotCrm(hubspot, PORTAL_ID) });
    addRep(h, 'UANA', ANA.email, 'Ana');
    h.addUser('UADM', { name: 'Alex', isAdmin: true });
    hubspot.addOwner(ANA);
    hubspot.addOwner(BO);
  });
  afterAll(async () => {
    await h?.close();
    await hubspot?.close();
  });

  it('reads a created call from the API: connected is a call and a conversation, linked to its deal and contact', async () => {
    // The contact came in as a lead at 09:00; the call at 09:30 is its first response.
    hubspot.addDeal('7001', { dealname: 'Acme', dealstage: 'appointmentscheduled', hubspot_owner_id: ANA.id });
    await send([
      { ...objectCreation(OBJECT_TYPE.contact, 501), ...at('2026-11-18T09:00:00Z') },
      { ...dealCreation(7001), ...at('2026-11-18T09:00:01Z') },
    ]);
    const [deal] = await h.database.db
      .select()
      .from(deals)
      .where(and(eq(deals.workspaceId, h.teamId), eq(deals.externalId, '7001')));
    putAnas('calls', '901', {
      properties: {
        hs_timestamp: '2026-11-18T09:30:00.000Z',
        hs_call_disposition: CONNECTED,
        hs_call_status: 'COMPLETED',
        hs_call_title: 'Discovery call',
      },
      associations: { contacts: ['501'], deals: ['7001'] },
    });
    const calls = hubspot.calls.length;
    expect(await send([{ ...objectCreation(OBJECT_TYPE.call, 901), ...at('2026-11-18T09:30:05Z') }])).toEqual({
      status: 200,
      body: { stored: 1, duplicates: 0, rejected: [] },
    });

    const log = await entries('call:901');
    expect(log.map((e) => [e.kind, e.userId, e.quantity, e.occurredAt.toISOString(), e.note])).toEqual([
      ['call', 'UANA', 1, '2026-11-18T09:30:00.000Z', 'Discovery call'],
      ['conversation', 'UANA', 1, '2026-11-18T09:30:00.000Z', 'Discovery call'],
    ]);
    const [lead] = await h.database.db
      .select()
      .from(leads)
      .where(and(eq(leads.workspaceId, h.teamId), eq(leads.externalId, '501')));
    expect(lead).toBeDefined();
    expect(deal).toBeDefined();
    expect(log.map((e) => [e.leadId, e.dealId])).toEqual([
      [lead?.id, deal?.id],
      [lead?.id, deal?.id],
    ]);
    expect(lead?.firstResponseAt?.toISOString()).toBe('2026-11-18T09:30:00.000Z');
    const read = hubspot.calls.slice(calls).find((c) => c.path === '/crm/v3/objects/calls/901');
    expect(read).toMatchObject({ method: 'GET', status: 200, authorization: `Bearer ${hubspot.accessToken}` });
  });

  it('stores a batch delivered twice once, and counts the call once', async () => {
    putAnas('calls', '902', {
      properties: {
        hs_timestamp: '2026-11-18T10:00:00.000Z',
        hs_call_disposition: NO_ANSWER,
      },
    });
    const batch = [{ ...objectCreation(OBJECT_TYPE.call, 902), ...at('2026-11-18T10:00:02Z') }];
    expect((await send(batch)).body).toEqual({ stored: 1, duplicates: 0, rejected: [] });
    expect((await send(batch.map((e) => ({ ...e, attemptNumber: 1 })))).body).toEqual({
      stored: 0,
      duplicates: 1,
      rejected: [],
    });
    expect(netByKind(await entries('call:902'))).toEqual({ call: 1 });
  });

  it('maps each engagement type: meeting outcomes, email direction, completed tasks', async () => {
    putAnas('meetings', '911', {
      properties: {
        hs_timestamp: '2026-11-18T11:00:00.000Z',
        hs_meeting_start_time: '2026-11-18T11:00:00.000Z',
        hs_meeting_outcome: 'NO_SHOW',
      },
    });
    putAnas('meetings', '912', {
      properties: {
        hs_meeting_start_time: '2026-11-18T12:00:00.000Z',
        hs_meeting_outcome: 'CANCELED',
      },
    });
    putAnas('emails', '921', {
      properties: { hs_timestamp: '2026-11-18T12:30:00.000Z', hs_email_direction: 'EMAIL' },
    });
    putAnas('emails', '922', {
      properties: {
        hs_timestamp: '2026-11-18T12:31:00.000Z',
        hs_email_direction: 'INCOMING_EMAIL',
      },
    });
    putAnas('tasks', '931', {
      properties: {
        hs_timestamp: '2026-11-20T09:00:00.000Z',
        hs_task_status: 'NOT_STARTED',
        hs_task_type: 'TODO',
      },
    });
    const clockWas = h.clock.now;
    h.clock.now = new Date('2026-11-18T13:59:05Z');
    await send([
      { ...objectCreation(OBJECT_TYPE.meeting, 911), ...at('2026-11-18T13:59:00Z') },
      { ...objectCreation(OBJECT_TYPE.meeting, 912), ...at('2026-11-18T13:59:01Z') },
      { ...objectCreation(OBJECT_TYPE.email, 921), ...at('2026-11-18T13:59:02Z') },
      { ...objectCreation(OBJECT_TYPE.email, 922), ...at('2026-11-18T13:59:03Z') },
      { ...objectCreation(OBJECT_TYPE.task, 931), ...at('2026-11-18T13:59:04Z') },
    ]);
    expect(netByKind(await entries('meeting:911'))).toEqual({ meeting: 1, no_show: 1 });
    expect(await entries('meeting:912')).toEqual([]);
    expect(netByKind(await entries('email:921'))).toEqual({ email: 1 });
    expect(await entries('email:922')).toEqual([]);
    expect(await entries('task:931')).toEqual([]);

    // The task is completed: HubSpot sends the status change; the completion time comes from the API.
    putAnas('tasks', '931', {
      properties: {
        hs_timestamp: '2026-11-20T09:00:00.000Z',
        hs_task_status: 'COMPLETED',
        hs_task_type: 'TODO',
        hs_task_completion_date: '2026-11-18T13:59:30.000Z',
      },
    });
    // Read again although the first read is 26 s old, within the cache's minute: the change is newer.
    h.clock.now = new Date('2026-11-18T13:59:31Z');
    await send([
      { ...objectPropertyChange(OBJECT_TYPE.task, 931, 'hs_task_status', 'COMPLETED'), ...at('2026-11-18T13:59:30Z') },
    ]);
    const task = await entries('task:931');
    expect(task.map((e) => [e.kind, e.quantity, e.occurredAt.toISOString()])).toEqual([
      ['follow_up', 1, '2026-11-18T13:59:30.000Z'],
    ]);
    h.clock.now = clockWas;
  });

  it('corrects the log with reversing rows when a call is edited, then deleted', async () => {
    putAnas('calls', '941', {
      properties: {
        hs_timestamp: '2026-11-18T15:00:00.000Z',
        hs_call_disposition: CONNECTED,
      },
    });
    await send([{ ...objectCreation(OBJECT_TYPE.call, 941), ...at('2026-11-18T15:00:01Z') }]);
    expect(netByKind(await entries('call:941'))).toEqual({ call: 1, conversation: 1 });

    // Nobody answered after all: the conversation is taken back, the dial stays.
    await send([
      {
        ...objectPropertyChange(OBJECT_TYPE.call, 941, 'hs_call_disposition', NO_ANSWER),
        ...at('2026-11-18T15:05:00Z'),
      },
    ]);
    const edited = await entries('call:941');
    expect(netByKind(edited)).toEqual({ call: 1 });
    // Nothing was deleted: every entry is still there, and each reversal negates one entry.
    expect(edited.filter((e) => e.reversesId !== null).map((e) => e.quantity)).toEqual([-1, -1]);

    // The same edit again (a retry with a new event id) changes nothing.
    const before = edited.length;
    await send([
      {
        ...objectPropertyChange(OBJECT_TYPE.call, 941, 'hs_call_disposition', NO_ANSWER),
        ...at('2026-11-18T15:05:01Z'),
      },
    ]);
    expect((await entries('call:941')).length).toBe(before);

    hubspot.deleteEngagement('calls', '941');
    await send([{ ...objectDeletion(OBJECT_TYPE.call, 941), ...at('2026-11-18T15:10:00Z') }]);
    expect(netByKind(await entries('call:941'))).toEqual({});
  });

  it('counts nothing when the deletion arrives before the creation (out of order)', async () => {
    await send([{ ...objectDeletion(OBJECT_TYPE.call, 951), ...at('2026-11-18T16:10:00Z') }]);
    await send([{ ...objectCreation(OBJECT_TYPE.call, 951), ...at('2026-11-18T16:00:00Z') }]);
    expect(await entries('call:951')).toEqual([]);
  });

  it('keeps an unknown owner’s call waiting until an admin maps them, then counts it once', async () => {
    hubspot.putEngagement('calls', '961', {
      properties: { hs_timestamp: '2026-11-18T16:30:00.000Z', hubspot_owner_id: BO.id, hs_call_disposition: CONNECTED },
    });
    const event = { ...objectCreation(OBJECT_TYPE.call, 961), ...at('2026-11-18T16:30:01Z') };
    await send([event]);
    expect(await entries('call:961')).toEqual([]);
    expect(await inboxRows(h, 'hubspot', [`25:${event.eventId}:961`])).toMatchObject([
      { status: 'waiting', waitingFor: `owner ${BO.id}` },
    ]);

    h.addUser('UBO', { name: 'Bo' });
    const reply = await h.kpi('UADM', `crm map hubspot ${BO.id} <@UBO|bo>`);
    expect(JSON.stringify(reply.body)).toContain('Done');
    await h.bot.crm.idle();
    const log = await entries('call:961');
    expect(log.map((e) => [e.kind, e.userId])).toEqual([
      ['call', 'UBO'],
      ['conversation', 'UBO'],
    ]);
  });
});
