import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { leads } from '../../src/db/schema.js';
import type { BackfillWindow } from '../../src/integrations/backfill/contract.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createSalesforceBackfillSource } from '../../src/integrations/salesforce/backfill-source.js';
import { activityLog, backfillInto } from '../support/backfill-store.js';
import { describeDb } from '../support/db.js';
import {
  type FakeRecord,
  type FakeSalesforce,
  type OutboundNotification,
  outboundMessage,
  startFakeSalesforce,
} from '../support/fake-salesforce.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, dealRecord, netByKind, postWebhook } from '../support/webhooks.js';

const ORG = '00D5w000004qGTOEA2';
const TOKEN = 'Zk3v9QmR7tLp2XwB8nYc4HdJ6sGf';
const OWNER = { Id: '0055w00000FzKqLAAV', Email: 'ana@acme.test', Name: 'Ana Lopez' };
const OPPORTUNITY = '0065w000023STAmAAO';
const LEAD = '00Q5w00001ABCdeEAF';
const WINDOW: BackfillWindow = {
  since: new Date('2026-08-20T00:00:00.000Z'),
  until: new Date('2026-11-18T00:00:00.000Z'),
};

/**
 * Records as the REST query resource answers them, with the fields of the object reference
 * (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm,
 * …_event.htm, …_opportunity.htm, …_opportunityhistory.htm, …_lead.htm).
 */
const opportunity: FakeRecord = {
  Id: OPPORTUNITY,
  Name: 'Initech',
  Amount: 45000,
  StageName: 'Closed Won',
  IsClosed: true,
  IsWon: true,
  CloseDate: '2026-10-20',
  CreatedDate: '2026-09-01T08:00:00.000+0000',
  OwnerId: OWNER.Id,
  AccountId: '0015w00002AbCdEAAV',
  LeadSource: 'Web',
  Type: 'New Customer',
  LastModifiedDate: '2026-10-20T16:00:00.000+0000',
  IsDeleted: false,
};
const lead: FakeRecord = {
  Id: LEAD,
  OwnerId: OWNER.Id,
  LeadSource: 'Web',
  CreatedDate: '2026-09-01T07:00:00.000+0000',
  LastModifiedDate: '2026-09-01T07:00:00.000+0000',
  IsDeleted: false,
};
const common = { OwnerId: OWNER.Id, WhoId: LEAD, WhatId: OPPORTUNITY, IsDeleted: false };
const call: FakeRecord = {
  ...common,
  Id: '00T5w00000CALL1AAA',
  Subject: 'Call',
  TaskSubtype: 'Call',
  CallDisposition: 'Connected',
  Type: null,
  Status: 'Completed',
  IsClosed: true,
  CompletedDateTime: '2026-09-01T09:15:00.000+0000',
  ActivityDate: '2026-09-01',
  LastModifiedDate: '2026-09-01T09:15:00.000+0000',
};
const email: FakeRecord = {
  ...call,
  Id: '00T5w00000MAIL1AAA',
  Subject: 'Email: pricing',
  TaskSubtype: 'Email',
  CallDisposition: null,
  CompletedDateTime: '2026-09-03T10:00:00.000+0000',
  LastModifiedDate: '2026-09-03T10:00:00.000+0000',
};
const openTask: FakeRecord = {
  ...call,
  Id: '00T5w00000TASK1AAA',
  Subject: 'Send the contract',
  TaskSubtype: 'Task',
  CallDisposition: null,
  Type: 'Follow-up',
  Status: 'Not Started',
  IsClosed: false,
  CompletedDateTime: null,
  LastModifiedDate: '2026-09-04T10:00:00.000+0000',
};
const meeting: FakeRecord = {
  ...common,
  Id: '00U5w00000MEET1AAA',
  Subject: 'Demo',
  StartDateTime: '2026-09-10T14:00:00.000+0000',
  ActivityDateTime: '2026-09-10T14:00:00.000+0000',
  LastModifiedDate: '2026-09-05T14:00:00.000+0000',
};

describeDb('Salesforce backfill: stored in the inbox and applied by the processor', () => {
  let h: Harness;
  let salesforce: FakeSalesforce;
  const source = () =>
    createSalesforceBackfillSource({ instanceUrl: salesforce.instanceUrl, accessToken: salesforce.accessToken });

  beforeAll(async () => {
    salesforce = await startFakeSalesforce();
    h = await startHarness({
      crm: parseCrmConfig(
        {
          SALESFORCE_ORGANIZATION_ID: ORG,
          SALESFORCE_WEBHOOK_TOKEN: TOKEN,
          SALESFORCE_ACCESS_TOKEN: salesforce.accessToken,
          SALESFORCE_INSTANCE_URL: salesforce.instanceUrl,
        },
        [],
      ),
    });
    addRep(h, 'UANA', OWNER.Email, 'Ana');
    salesforce.addUser(OWNER);
    salesforce.addOpportunity(opportunity);
    for (const [n, stage, at] of [
      [1, 'Prospecting', '2026-09-01T08:00:00.000+0000'],
      [2, 'Negotiation/Review', '2026-10-01T08:00:00.000+0000'],
      [3, 'Closed Won', '2026-10-20T16:00:00.000+0000'],
    ] as const)
      salesforce.addRecord('OpportunityHistory', {
        Id: `0085w00000HIST${n}AAA`,
        OpportunityId: OPPORTUNITY,
        StageName: stage,
        CreatedDate: at,
        IsDeleted: false,
      });
    salesforce.addRecord('Lead', lead);
    for (const task of [call, email, openTask]) salesforce.addRecord('Task', task);
    salesforce.addRecord('Task', { ...call, Id: '00T5w00000GONE1AAA', IsDeleted: true });
    salesforce.addRecord('Event', meeting);
  });
  afterAll(async () => {
    await h?.close();
    await salesforce?.close();
  });

  it('turns the window’s records into the deal, its stage history and outcome, the lead and the activity log', async () => {
    const first = await backfillInto(h, source(), WINDOW);
    expect(first).toEqual({ stored: 9, duplicates: 0 });

    const { deal, stages, entries } = await dealRecord(h, 'salesforce', OPPORTUNITY);
    expect(deal).toMatchObject({ status: 'won', amountCents: 4_500_000, ownerUserId: 'UANA', stage: 'Closed Won' });
    expect(stages.map((s) => [s.from, s.to, s.at.toISOString()])).toEqual([
      [null, 'Prospecting', '2026-09-01T08:00:00.000Z'],
      ['Prospecting', 'Negotiation/Review', '2026-10-01T08:00:00.000Z'],
      ['Negotiation/Review', 'Closed Won', '2026-10-20T16:00:00.000Z'],
    ]);
    expect(
      entries.filter((e) => e.kind === 'deal_won').map((e) => [e.quantity, e.amountCents, e.occurredAt.toISOString()]),
    ).toEqual([[1, 4_500_000, '2026-10-20T12:00:00.000Z']]);

    // Activity records are applied several at once: their entries' order is the time they happened.
    const log = (await activityLog(h))
      .filter((e) => e.externalId !== null)
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.kind.localeCompare(b.kind));
    expect(log.map((e) => [e.kind, e.userId, e.quantity, e.occurredAt, e.externalId, e.dealId])).toEqual([
      ['call', 'UANA', 1, '2026-09-01T09:15:00.000Z', call.Id, deal?.id],
      ['conversation', 'UANA', 1, '2026-09-01T09:15:00.000Z', call.Id, deal?.id],
      ['email', 'UANA', 1, '2026-09-03T10:00:00.000Z', email.Id, deal?.id],
      ['meeting', 'UANA', 1, '2026-09-10T14:00:00.000Z', meeting.Id, deal?.id],
    ]);
    const [stored] = await h.database.db
      .select()
      .from(leads)
      .where(and(eq(leads.workspaceId, h.teamId), eq(leads.externalId, LEAD)));
    expect(stored).toMatchObject({ ownerUserId: 'UANA', leadSource: 'Web' });
    expect(stored?.createdAt.toISOString()).toBe('2026-09-01T07:00:00.000Z');
    expect(stored?.firstResponseAt?.toISOString()).toBe('2026-09-01T09:15:00.000Z');
  });

  it('changes nothing when the same window is read again, or when outbound messages bring the same records', async () => {
    const before = await activityLog(h);
    expect(await backfillInto(h, source(), WINDOW)).toEqual({ stored: 0, duplicates: 9 });

    const note = (id: string, type: string, record: FakeRecord): OutboundNotification => ({
      id,
      sObject: { type, fields: { ...record } },
    });
    const xml = outboundMessage({
      organizationId: ORG,
      notifications: [
        note('04l5w0000529001AAQ', 'Opportunity', opportunity),
        note('04l5w0000529002AAQ', 'Task', call),
        note('04l5w0000529003AAQ', 'Task', email),
        note('04l5w0000529004AAQ', 'Event', meeting),
      ],
    });
    const answer = await postWebhook(h, `/webhooks/salesforce?token=${TOKEN}`, xml, {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '""',
    });
    expect(answer.status).toBe(200);
    await h.bot.crm.idle();

    expect(await activityLog(h)).toEqual(before);
    const { stages, entries } = await dealRecord(h, 'salesforce', OPPORTUNITY);
    expect(netByKind(entries)).toEqual({ deal_won: 1, call: 1, conversation: 1, email: 1, meeting: 1 });
    expect(stages.map((s) => s.to)).toEqual(['Prospecting', 'Negotiation/Review', 'Closed Won']);
  });
});
