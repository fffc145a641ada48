import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activities, leads } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { describeDb } from '../support/db.js';
import {
  type FakeSalesforce,
  type OutboundNotification,
  outboundMessage,
  type SalesforceValue,
  startFakeSalesforce,
} from '../support/fake-salesforce.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, crmActivityEntries, dealRecord, netByKind, postWebhook } from '../support/webhooks.js';

const ORG = '00D5w000004qGTOEA2';
const OTHER_ORG = '00D5w000009zZZZEA2';
const TOKEN = 'Zk3v9QmR7tLp2XwB8nYc4HdJ6sGf';
const OTHER_TOKEN = 'Qp8s2VxN4kLm7RtY1wBz5HcJ9dFg';
const OWNER = { Id: '0055w00000FzKqLAAV', Email: 'ana@acme.test', Name: 'Ana Lopez' };
const OPPORTUNITY = '0065w000023STAmAAO';
const LEAD = '00Q5w00001ABCdeEAF';

/**
 * Tasks and Events through outbound messages, in the shape of the documented example
 * (https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_wsdl.htm)
 * with the Task and Event fields of the object reference
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm,
 * …/sforce_api_objects_event.htm). Notification ids (`04l…`) are what Salesforce repeats on a retry.
 */
describeDb('CRM activities end to end: Salesforce Tasks and Events', () => {
  let h: Harness;
  let other: Harness;
  let salesforce: FakeSalesforce;
  let notifications = 0;

  async function send(target: Harness, token: string, org: string, list: OutboundNotification[]) {
    const xml = outboundMessage({ organizationId: org, notifications: list });
    const answer = await postWebhook(target, `/webhooks/salesforce?token=${token}`, xml, {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '""',
    });
    await target.bot.crm.idle();
    return answer;
  }
  const sendHere = (list: OutboundNotification[]) => send(h, TOKEN, ORG, list);

  /** A notification with a fresh id (a new Flow run), or the given one (Salesforce retrying). */
  const note = (
    type: 'Task' | 'Event',
    fields: Record<string, SalesforceValue>,
    id?: string,
  ): OutboundNotification => ({
    id: id ?? `04l5w000052${String(++notifications).padStart(4, '0')}AAQ`,
    sObject: { type, fields: { OwnerId: OWNER.Id, IsDeleted: false, ...fields } },
  });
  const entries = (id: string, target: Harness = h) => crmActivityEntries(target, 'salesforce', id);

  beforeAll(async () => {
    salesforce = await startFakeSalesforce();
    const config = (org: string, token: string) =>
      parseCrmConfig(
        {
          SALESFORCE_ORGANIZATION_ID: org,
          SALESFORCE_WEBHOOK_TOKEN: token,
          SALESFORCE_ACCESS_TOKEN: salesforce.accessToken,
          SALESFORCE_INSTANCE_URL: salesforce.instanceUrl,
        },
        [],
      );
    h = await startHarness({ crm: config(ORG, TOKEN) });
    // A second workspace on the same database, with its own Salesforce org.
    other = await startHarness({ database: h.database, crm: config(OTHER_ORG, OTHER_TOKEN) });
    addRep(h, 'UANA', OWNER.Email, 'Ana');
    addRep(other, 'UANA', OWNER.Email, 'Ana');
    salesforce.addUser(OWNER);
  });
  afterAll(async () => {
    await other?.close();
    await h?.close();
    await salesforce?.close();
  });

  it('counts a logged call (TaskSubtype Call, Connected) as a call and a conversation, on its opportunity and lead', async () => {
    await sendHere([
      {
        id: '04l5w0000528001AAQ',
        sObject: {
          type: 'Lead',
          fields: { Id: LEAD, OwnerId: OWNER.Id, CreatedDate: '2026-11-18T08:00:00.000Z', LeadSource: 'Web' },
        },
      },
      {
        id: '04l5w0000528002AAQ',
        sObject: {
          type: 'Opportunity',
          fields: {
            Id: OPPORTUNITY,
            Name: 'Initech',
            StageName: 'Prospecting',
            IsClosed: false,
            IsWon: false,
            OwnerId: OWNER.Id,
            LastModifiedDate: '2026-11-18T08:00:00.000Z',
          },
        },
      },
    ]);
    const call = note('Task', {
      Id: '00T5w00000CALL1AAA',
      TaskSubtype: 'Call',
      CallDisposition: 'Connected',
      Status: 'Completed',
      IsClosed: true,
      CompletedDateTime: '2026-11-18T09:15:00.000Z',
      WhoId: LEAD,
      WhatId: OPPORTUNITY,
      Subject: 'Call',
      LastModifiedDate: '2026-11-18T09:15:00.000Z',
    });
    expect((await sendHere([call])).status).toBe(200);
    // Salesforce resends the same notification until it sees the acknowledgement: counted once.
    expect((await sendHere([call])).status).toBe(200);

    const { deal } = await dealRecord(h, 'salesforce', OPPORTUNITY);
    const [lead] = await h.database.db
      .select()
      .from(leads)
      .where(and(eq(leads.workspaceId, h.teamId), eq(leads.externalId, LEAD)));
    const log = await entries('00T5w00000CALL1AAA');
    expect(log.map((e) => [e.kind, e.userId, e.occurredAt.toISOString(), e.dealId, e.leadId])).toEqual([
      ['call', 'UANA', '2026-11-18T09:15:00.000Z', deal?.id, lead?.id],
      ['conversation', 'UANA', '2026-11-18T09:15:00.000Z', deal?.id, lead?.id],
    ]);
    expect(lead?.firstResponseAt?.toISOString()).toBe('2026-11-18T09:15:00.000Z');
  });

  it('counts an email Task, an Event as a meeting, and a follow-up Task once it is closed', async () => {
    await sendHere([
      note('Task', {
        Id: '00T5w00000MAIL1AAA',
        TaskSubtype: 'Email',
        IsClosed: true,
        CompletedDateTime: '2026-11-18T10:00:00.000Z',
      }),
      note('Event', { Id: '00U5w00000MEET1AAA', StartDateTime: '2026-11-19T15:00:00.000Z', Subject: 'Demo' }),
      note('Task', {
        Id: '00T5w00000TODO1AAA',
        TaskSubtype: 'Task',
        Type: 'Other',
        Status: 'Not Started',
        IsClosed: false,
        ActivityDate: '2026-11-20',
        // Without it the time of arrival orders the messages: the README asks for it in every message.
        LastModifiedDate: '2026-11-18T10:00:00.000Z',
      }),
    ]);
    expect(netByKind(await entries('00T5w00000MAIL1AAA'))).toEqual({ email: 1 });
    expect(netByKind(await entries('00U5w00000MEET1AAA'))).toEqual({ meeting: 1 });
    expect(await entries('00T5w00000TODO1AAA')).toEqual([]);

    await sendHere([
      note('Task', {
        Id: '00T5w00000TODO1AAA',
        TaskSubtype: 'Task',
        Type: 'Other',
        Status: 'Completed',
        IsClosed: true,
        CompletedDateTime: '2026-11-18T16:00:00.000Z',
        LastModifiedDate: '2026-11-18T16:00:00.000Z',
      }),
    ]);
    expect(netByKind(await entries('00T5w00000TODO1AAA'))).toEqual({ follow_up: 1 });
  });

  it('corrects an edited call disposition and a record sent as deleted with reversing rows', async () => {
    const fields = {
      Id: '00T5w00000CALL2AAA',
      TaskSubtype: 'Call',
      CallDisposition: 'Connected',
      IsClosed: true,
      CompletedDateTime: '2026-11-18T11:00:00.000Z',
      LastModifiedDate: '2026-11-18T11:00:00.000Z',
    };
    await sendHere([note('Task', fields)]);
    await sendHere([
      note('Task', { ...fields, CallDisposition: 'Left voicemail', LastModifiedDate: '2026-11-18T11:05:00.000Z' }),
    ]);
    expect(netByKind(await entries('00T5w00000CALL2AAA'))).toEqual({ call: 1 });
    await sendHere([note('Task', { ...fields, IsDeleted: true, LastModifiedDate: '2026-11-18T11:10:00.000Z' })]);
    const log = await entries('00T5w00000CALL2AAA');
    expect(netByKind(log)).toEqual({});
    expect(log.filter((e) => e.quantity < 0)).toHaveLength(log.length / 2);
  });

  it('keeps each workspace to its own org: the other workspace sees only what its org sent', async () => {
    const fields = {
      Id: '00T5w00000CALL3AAA',
      TaskSubtype: 'Call',
      CallDisposition: 'No answer',
      IsClosed: true,
      CompletedDateTime: '2026-11-18T12:00:00.000Z',
    };
    // Our org's message to the other workspace's endpoint is refused; its own org's is stored there.
    const wrong = await send(other, OTHER_TOKEN, ORG, [note('Task', fields)]);
    expect(wrong.status).toBe(401);
    await send(other, OTHER_TOKEN, OTHER_ORG, [note('Task', fields)]);
    expect(netByKind(await entries('00T5w00000CALL3AAA', other))).toEqual({ call: 1 });
    expect(await entries('00T5w00000CALL3AAA')).toEqual([]);

    const otherRows = await h.database.db
      .select({ kind: activities.kind })
      .from(activities)
      .where(and(eq(activities.workspaceId, other.teamId), eq(activities.source, 'salesforce')));
    expect(otherRows.map((r) => r.kind)).toEqual(['call']);
    const mine = JSON.stringify((await other.kpi('UANA', 'me')).body);
    expect(mine).toContain(String.raw`*Calls*\n1 (new)`);
    expect(mine).toContain(String.raw`*Conversations*\n0`);
    // Ours has its connected call (the edited one was deleted), and not the other's.
    const ours = JSON.stringify((await h.kpi('UANA', 'me')).body);
    expect(ours).toContain(String.raw`*Calls*\n1 (new)`);
    expect(ours).toContain(String.raw`*Conversations*\n1 (new)`);
  });
});
