import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEAL_PROPERTIES } from '../../src/integrations/hubspot/deal-properties.js';
import { findJob } from '../../src/jobs/catalog.js';
import { previewJob } from '../../src/jobs/preview.js';
import { dealCreation, dealPropertyChange, type HubSpotEvent, PORTAL_ID } from '../integrations/hubspot/fixtures.js';
import { HUBSPOT_CLIENT_SECRET, hubspotCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import { type FakeHubSpot, signHubSpotV1, signHubSpotV3, startFakeHubSpot } from '../support/fake-hubspot.js';
import { type Harness, startHarness } from '../support/harness.js';
import {
  addRep,
  dealRecord,
  entrySummary,
  inboxRows,
  jsonOf,
  ms,
  postWebhook,
  stageHistory,
  storedEventCount,
} from '../support/webhooks.js';

const CLIENT_SECRET = HUBSPOT_CLIENT_SECRET;
const PATH = '/webhooks/hubspot';
const OWNER = { id: '77', email: 'ana@acme.test', firstName: 'Ana', lastName: 'Lopez' };
const BATCH_READ = '/crm/v3/objects/deals/batch/read';

/** The event id the app gives a HubSpot notification: subscription, event and object ids (fixtures use subscription 25). */
const eventIdOf = (eventId: number, objectId: number) => `25:${eventId}:${objectId}`;

describeDb('CRM webhooks end to end: HubSpot', () => {
  let h: Harness;
  let hubspot: FakeHubSpot;

  /** Signs as HubSpot does (v3 by default, over the URL the app computes from the Host header) and POSTs. */
  async function send(
    events: unknown[],
    o: { v1?: boolean; secret?: string; timestamp?: number; tamper?: (body: string) => string } = {},
  ) {
    const body = JSON.stringify(events);
    const secret = o.secret ?? CLIENT_SECRET;
    const signature = o.v1
      ? signHubSpotV1(body, secret)
      : signHubSpotV3(body, {
          clientSecret: secret,
          method: 'POST',
          url: `${h.url}${PATH}`,
          timestamp: o.timestamp ?? h.clock.now.getTime(),
        });
    const sent = o.tamper ? o.tamper(body) : body;
    return jsonOf(await postWebhook(h, PATH, sent, { 'content-type': 'application/json', ...signature }));
  }

  const stored = (n: number, duplicates = 0) => ({ status: 200, body: { stored: n, duplicates, rejected: [] } });
  const withAttempt = (events: HubSpotEvent[], attemptNumber: number) => events.map((e) => ({ ...e, attemptNumber }));

  beforeAll(async () => {
    hubspot = await startFakeHubSpot();
    h = await startHarness({ crm: hubspotCrm(hubspot, PORTAL_ID) });
    addRep(h, 'UANA', OWNER.email, 'Ana');
    hubspot.addOwner(OWNER);
  });
  afterAll(async () => {
    await h?.close();
    await hubspot?.close();
  });

  it('reads a deal created without properties from the API, then counts it once when it is won', async () => {
    hubspot.addDeal('5001', {
      dealname: 'Acme expansion',
      amount: '12500.50',
      dealstage: 'appointmentscheduled',
      hubspot_owner_id: OWNER.id,
      createdate: '2026-11-16T09:00:00Z',
      // An open deal's close date is only expected; the won deal closes when it reaches closedwon.
      closedate: '2026-12-31T00:00:00Z',
    });

    expect(await send([dealCreation(5001, { eventId: 101, occurredAt: ms('2026-11-16T09:00:00Z') })])).toEqual(
      stored(1),
    );
    await h.bot.crm.idle();

    const created = await dealRecord(h, 'hubspot', '5001');
    expect(created.deal).toMatchObject({
      name: 'Acme expansion',
      amountCents: 1_250_050,
      stage: 'appointmentscheduled',
      status: 'open',
      ownerUserId: 'UANA',
      crmOwnerId: OWNER.id,
      closedAt: null,
      deletedAt: null,
    });
    expect(created.deal?.openedAt.toISOString()).toBe('2026-11-16T09:00:00.000Z');
    expect(created.entries).toEqual([]);
    // The deal came from one batch read, and the owner's email (to find them in Slack) from the owners API.
    expect(hubspot.calls.map((c) => [c.method, c.path, c.status])).toEqual([
      ['POST', BATCH_READ, 200],
      ['GET', `/crm/v3/owners/${OWNER.id}`, 200],
    ]);
    expect(hubspot.calls[0]?.body).toEqual({ inputs: [{ id: '5001' }], properties: DEAL_PROPERTIES });
    expect(hubspot.calls.every((c) => c.authorization === `Bearer ${hubspot.accessToken}`)).toBe(true);

    const won = [
      dealPropertyChange(5001, 'amount', '13000', { eventId: 102, occurredAt: ms('2026-11-17T13:59:00Z') }),
      dealPropertyChange(5001, 'dealstage', 'closedwon', { eventId: 103, occurredAt: ms('2026-11-17T14:00:00Z') }),
    ];
    expect(await send(won)).toEqual(stored(2));
    await h.bot.crm.idle();

    const { deal, stages, entries } = await dealRecord(h, 'hubspot', '5001');
    expect(deal).toMatchObject({ status: 'won', stage: 'closedwon', amountCents: 1_300_000, ownerUserId: 'UANA' });
    expect(deal?.closedAt?.toISOString()).toBe('2026-11-17T14:00:00.000Z');
    expect(stages.map((s) => [s.to, s.at.toISOString()])).toEqual([['closedwon', '2026-11-17T14:00:00.000Z']]);
    expect(entries.map(entrySummary)).toEqual([
      {
        kind: 'deal_won',
        userId: 'UANA',
        quantity: 1,
        amountCents: 1_300_000,
        occurredAt: '2026-11-17T14:00:00.000Z',
        source: 'hubspot',
        reverses: null,
      },
    ]);
  });

  it('stores a batch HubSpot delivers three times (attempts 0, 1, 2) once, and counts the deal once', async () => {
    hubspot.addDeal('5002', {
      dealname: 'Globex',
      amount: '2500',
      dealstage: 'qualifiedtobuy',
      hubspot_owner_id: '77',
    });
    const batch = [
      dealCreation(5002, { eventId: 201, occurredAt: ms('2026-11-16T10:00:00Z') }),
      dealPropertyChange(5002, 'dealstage', 'closedwon', { eventId: 202, occurredAt: ms('2026-11-17T11:00:00Z') }),
    ];

    expect(await send(withAttempt(batch, 0))).toEqual(stored(2));
    await h.bot.crm.idle();
    expect(await send(withAttempt(batch, 1))).toEqual(stored(0, 2));
    expect(await send(withAttempt(batch, 2))).toEqual(stored(0, 2));
    await h.bot.crm.idle();

    const rows = await inboxRows(h, 'hubspot', [eventIdOf(201, 5002), eventIdOf(202, 5002)]);
    expect(rows.map((r) => [r.eventId, r.status])).toEqual([
      [eventIdOf(201, 5002), 'applied'],
      [eventIdOf(202, 5002), 'applied'],
    ]);
    const { deal, entries } = await dealRecord(h, 'hubspot', '5002');
    expect(deal).toMatchObject({ status: 'won', amountCents: 250_000, ownerUserId: 'UANA' });
    expect(entries.map((e) => [e.kind, e.quantity, e.amountCents, e.occurredAt.toISOString()])).toEqual([
      ['deal_won', 1, 250_000, '2026-11-17T11:00:00.000Z'],
    ]);
  });

  it('applies events in the order they happened, within a batch and across batches', async () => {
    hubspot.addDeal('5003', { dealname: 'Initech', amount: '4000', dealstage: 'closedwon', hubspot_owner_id: '77' });
    // The later batch arrives first, and lists its events newest first.
    const later = [
      dealPropertyChange(5003, 'dealstage', 'closedwon', { eventId: 303, occurredAt: ms('2026-11-17T09:00:00Z') }),
      dealPropertyChange(5003, 'dealstage', 'contractsent', { eventId: 302, occurredAt: ms('2026-11-16T15:00:00Z') }),
    ];
    const earlier = [
      dealPropertyChange(5003, 'dealstage', 'qualifiedtobuy', { eventId: 301, occurredAt: ms('2026-11-16T08:00:00Z') }),
    ];
    expect(await send(later)).toEqual(stored(2));
    await h.bot.crm.idle();
    expect(stageHistory((await dealRecord(h, 'hubspot', '5003')).stages)).toEqual([
      [null, 'contractsent', '2026-11-16T15:00:00.000Z'],
      ['contractsent', 'closedwon', '2026-11-17T09:00:00.000Z'],
    ]);

    expect(await send(earlier)).toEqual(stored(1));
    await h.bot.crm.idle();

    const { deal, stages, entries } = await dealRecord(h, 'hubspot', '5003');
    expect(deal).toMatchObject({ status: 'won', stage: 'closedwon', amountCents: 400_000, ownerUserId: 'UANA' });
    expect(stageHistory(stages)).toEqual([
      [null, 'qualifiedtobuy', '2026-11-16T08:00:00.000Z'],
      ['qualifiedtobuy', 'contractsent', '2026-11-16T15:00:00.000Z'],
      ['contractsent', 'closedwon', '2026-11-17T09:00:00.000Z'],
    ]);
    // The late event changed nothing about the outcome, so the entry stands as it was: no reversal.
    expect(entries.map((e) => [e.kind, e.quantity, e.amountCents, e.occurredAt.toISOString(), e.reversesId])).toEqual([
      ['deal_won', 1, 400_000, '2026-11-17T09:00:00.000Z', null],
    ]);
  });

  it('accepts a v1-signed batch (legacy apps), and refuses a v1 signature made with another secret', async () => {
    hubspot.addDeal('5004', {
      dealname: 'Umbrella',
      amount: '980.40',
      dealstage: 'closedwon',
      hubspot_owner_id: '77',
      closedate: '2026-11-17T16:30:00Z',
    });
    const batch = [dealCreation(5004, { eventId: 401, occurredAt: ms('2026-11-17T16:00:00Z') })];

    const before = await storedEventCount(h);
    expect(await send(batch, { v1: true, secret: 'not-the-client-secret' })).toEqual({
      status: 401,
      body: { error: 'signature does not match' },
    });
    expect(await storedEventCount(h)).toBe(before);

    expect(await send(batch, { v1: true })).toEqual(stored(1));
    await h.bot.crm.idle();
    const { deal, entries } = await dealRecord(h, 'hubspot', '5004');
    // Won according to the API: its close date there is when it closed.
    expect(deal).toMatchObject({ status: 'won', amountCents: 98_040, ownerUserId: 'UANA', name: 'Umbrella' });
    expect(entries.map((e) => [e.kind, e.amountCents, e.occurredAt.toISOString()])).toEqual([
      ['deal_won', 98_040, '2026-11-17T16:30:00.000Z'],
    ]);
  });

  it('refuses a wrong signature, a changed body and a stale timestamp with 401, storing nothing', async () => {
    const batch = [dealPropertyChange(5099, 'amount', '1', { eventId: 901, occurredAt: ms('2026-11-17T10:00:00Z') })];
    const before = await storedEventCount(h);

    expect(await send(batch, { secret: 'another-apps-secret' })).toEqual({
      status: 401,
      body: { error: 'signature does not match' },
    });
    expect(await send(batch, { tamper: (body) => body.replace('"1"', '"1000000"') })).toEqual({
      status: 401,
      body: { error: 'signature does not match' },
    });
    const fiveMinutesAgo = h.clock.now.getTime() - 5 * 60_000;
    expect(await send(batch, { timestamp: fiveMinutesAgo - 1 })).toEqual({
      status: 401,
      body: { error: 'timestamp is more than 5 minutes old' },
    });
    expect(await storedEventCount(h)).toBe(before);
    // Exactly five minutes old is still accepted.
    expect(await send(batch, { timestamp: fiveMinutesAgo })).toEqual(stored(1));
    await h.bot.crm.idle();
  });

  it('refuses a batch from another portal, signed with the same app secret, storing nothing', async () => {
    // One HubSpot app signs every portal's batches: the signature says nothing about whose deals they are.
    const batch = [dealCreation(5098, { eventId: 902, portalId: 4242, occurredAt: ms('2026-11-17T10:00:00Z') })];
    const before = await storedEventCount(h);
    expect(await send(batch)).toEqual({ status: 401, body: { error: 'this endpoint belongs to another CRM account' } });
    expect(await storedEventCount(h)).toBe(before);
  });

  it('stores the good events of a batch and reports the malformed ones by index', async () => {
    const t = ms('2026-11-17T10:00:00Z');
    const res = await send([
      dealPropertyChange(5005, 'dealname', 'Stark', { eventId: 501, occurredAt: t }),
      dealPropertyChange(5005, 'amount', 'lots', { eventId: 502, occurredAt: t }),
      dealPropertyChange(5005, 'dealstage', 'presentationscheduled', { eventId: 503, occurredAt: t + 1 }),
      { ...dealPropertyChange(5005, 'dealname', 'x'), eventId: 504, occurredAt: 'yesterday' },
    ]);
    expect(res).toEqual({
      status: 200,
      body: {
        stored: 2,
        duplicates: 0,
        rejected: [
          { index: 1, reason: 'amount: "lots" is not a number' },
          { index: 3, reason: expect.stringContaining('occurredAt') },
        ],
      },
    });
    const rows = await inboxRows(
      h,
      'hubspot',
      [501, 502, 503, 504].map((id) => eventIdOf(id, 5005)),
    );
    expect(rows.map((r) => r.eventId)).toEqual([eventIdOf(501, 5005), eventIdOf(503, 5005)]);
    await h.bot.crm.idle();
    // HubSpot's API does not know this deal (a 207 with an error): it keeps what the events said.
    const { deal } = await dealRecord(h, 'hubspot', '5005');
    expect(deal).toMatchObject({ name: 'Stark', stage: 'presentationscheduled', status: 'open', amountCents: null });
  });

  it('keeps events waiting while the HubSpot API answers 503, and applies them on the sweep after it recovers', async () => {
    hubspot.addDeal('5006', { dealname: 'Hooli', amount: '7000', dealstage: 'contractsent', hubspot_owner_id: '77' });
    const batch = [
      dealCreation(5006, { eventId: 601, occurredAt: ms('2026-11-16T12:00:00Z') }),
      dealPropertyChange(5006, 'dealstage', 'closedwon', { eventId: 602, occurredAt: ms('2026-11-17T12:00:00Z') }),
    ];
    const ids = [eventIdOf(601, 5006), eventIdOf(602, 5006)];
    hubspot.failNext({ status: 503, retryAfter: 30 });

    expect(await send(batch)).toEqual(stored(2));
    await h.bot.crm.idle();
    expect(hubspot.calls.at(-1)).toMatchObject({ path: BATCH_READ, status: 503 });
    expect(await inboxRows(h, 'hubspot', ids)).toEqual(
      ids.map((eventId) => ({ eventId, status: 'waiting', waitingFor: 'hubspot API unavailable', attempts: 1 })),
    );
    expect((await dealRecord(h, 'hubspot', '5006')).deal).toBeUndefined();

    await h.bot.runJob('crm-retry', h.clock.now);
    expect(hubspot.calls.at(-1)).toMatchObject({ path: BATCH_READ, status: 200 });
    expect(await inboxRows(h, 'hubspot', ids)).toEqual(
      ids.map((eventId) => ({ eventId, status: 'applied', waitingFor: null, attempts: 2 })),
    );
    const { deal, entries } = await dealRecord(h, 'hubspot', '5006');
    expect(deal).toMatchObject({ status: 'won', name: 'Hooli', amountCents: 700_000, ownerUserId: 'UANA' });
    expect(entries.map((e) => [e.kind, e.userId, e.amountCents, e.occurredAt.toISOString()])).toEqual([
      ['deal_won', 'UANA', 700_000, '2026-11-17T12:00:00.000Z'],
    ]);
  });

  it('is in the catalogue, every minute in UTC, so `kpi-bot jobs list` shows it and the scheduler runs it', () => {
    expect(findJob('crm-retry')).toMatchObject({ cron: '* * * * *', timezone: 'UTC' });
  });

  it('applies waiting events when run by hand, scoped to the workspace it is given', async () => {
    hubspot.addDeal('5101', { dealname: 'Pied', amount: '900', dealstage: 'contractsent', hubspot_owner_id: '77' });
    const batch = [
      dealCreation(5101, { eventId: 701, occurredAt: ms('2026-11-16T12:00:00Z') }),
      dealPropertyChange(5101, 'dealstage', 'closedwon', { eventId: 702, occurredAt: ms('2026-11-17T12:00:00Z') }),
    ];
    const ids = [eventIdOf(701, 5101), eventIdOf(702, 5101)];
    hubspot.failNext({ status: 503, retryAfter: 30 });
    expect(await send(batch)).toEqual(stored(2));
    await h.bot.crm.idle();
    expect(await inboxRows(h, 'hubspot', ids)).toMatchObject([{ status: 'waiting' }, { status: 'waiting' }]);

    // `kpi-bot jobs run crm-retry --dry-run`: decided in a transaction rolled back, so the events still wait.
    const retry = findJob('crm-retry');
    if (!retry) throw new Error('crm-retry is not catalogued');
    const preview = await previewJob(h.bot.jobDeps, retry, h.clock.now, { workspaceId: h.teamId });
    expect(preview.report).toEqual({ applied: 1, waiting: 0 });
    expect(await inboxRows(h, 'hubspot', ids)).toMatchObject([{ status: 'waiting' }, { status: 'waiting' }]);

    expect(await h.bot.runJob('crm-retry', h.clock.now, { workspaceId: 'TOTHER' })).toEqual({ applied: 0, waiting: 0 });
    expect(await h.bot.runJob('crm-retry', h.clock.now, { workspaceId: h.teamId })).toEqual({ applied: 1, waiting: 0 });
    expect(await inboxRows(h, 'hubspot', ids)).toMatchObject([
      { status: 'applied', attempts: 2 },
      { status: 'applied', attempts: 2 },
    ]);
    expect((await dealRecord(h, 'hubspot', '5101')).deal).toMatchObject({ status: 'won', ownerUserId: 'UANA' });
  });
});
