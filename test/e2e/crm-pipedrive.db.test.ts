import { afterAll, beforeAll, expect, it } from 'vitest';
import { basicAuth, PIPEDRIVE_PASSWORD, PIPEDRIVE_USER, pipedriveCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import {
  type FakePipedrive,
  type Json,
  OWNER_ID,
  startFakePipedrive,
  v1DealEvent,
  v2DealEvent,
} from '../support/fake-pipedrive.js';
import { type Harness, startHarness } from '../support/harness.js';
import {
  addRep,
  dealRecord,
  entrySummary,
  jsonOf,
  ms,
  netOf,
  postWebhook,
  stageHistory,
  storedEventCount,
} from '../support/webhooks.js';

const USER = PIPEDRIVE_USER;
const PASSWORD = PIPEDRIVE_PASSWORD;
const OWNER = { id: OWNER_ID, email: 'ana@acme.test', name: 'Ana Lopez' };

const basic = basicAuth;

describeDb('CRM webhooks end to end: Pipedrive', () => {
  let h: Harness;
  let pipedrive: FakePipedrive;

  /** POSTs one webhook as Pipedrive does: JSON, with the HTTP Basic credentials set on the webhook. */
  async function send(body: Json, o: { authorization?: string | null } = {}) {
    const authorization = o.authorization === undefined ? basic(USER, PASSWORD) : o.authorization;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== null) headers.authorization = authorization;
    return jsonOf(await postWebhook(h, '/webhooks/pipedrive', JSON.stringify(body), headers));
  }

  const stored = (n: number, duplicates = 0) => ({ status: 200, body: { stored: n, duplicates, rejected: [] } });

  /** A v2 deal event that happened at `at` (meta.timestamp), about a deal with these fields. */
  const v2 = (action: 'create' | 'change' | 'delete', at: string, deal: Json & { id: number }, previous?: Json) =>
    v2DealEvent(action, deal, { previous, meta: { timestamp: at } });

  /** The deal won at `wonAt` (RFC 3339), in stage 5. */
  const won = (deal: Json & { id: number }, wonAt: string): Json & { id: number } => ({
    ...deal,
    stage_id: 5,
    status: 'won',
    won_time: wonAt,
    close_time: wonAt,
  });

  beforeAll(async () => {
    pipedrive = await startFakePipedrive();
    h = await startHarness({ crm: pipedriveCrm(pipedrive) });
    addRep(h, 'UANA', OWNER.email, 'Ana');
    pipedrive.addUser(OWNER);
  });
  afterAll(async () => {
    await h?.close();
    await pipedrive?.close();
  });

  it('turns a v2 change from open to won into one deal-won entry, the owner found through the API', async () => {
    const deal = { id: 101, title: 'Wayne Enterprises', value: 1200, stage_id: 1, add_time: '2026-11-16T09:30:00Z' };
    expect(await send(v2('create', '2026-11-16T09:30:00.000Z', deal))).toEqual(stored(1));
    const change = v2('change', '2026-11-17T14:05:00.120Z', won({ ...deal, value: 1500.75 }, '2026-11-17T14:05:00Z'), {
      status: 'open',
      stage_id: 1,
      value: 1200,
      won_time: null,
      close_time: null,
    });
    expect(await send(change)).toEqual(stored(1));
    // Pipedrive redelivers with the same meta.id: stored once.
    expect(await send(change)).toEqual(stored(0, 1));
    await h.bot.crm.idle();

    const { deal: row, stages, entries } = await dealRecord(h, 'pipedrive', '101');
    expect(row).toMatchObject({
      name: 'Wayne Enterprises',
      amountCents: 150_075,
      stage: '5',
      status: 'won',
      ownerUserId: 'UANA',
      crmOwnerId: String(OWNER_ID),
      deletedAt: null,
    });
    expect(row?.openedAt.toISOString()).toBe('2026-11-16T09:30:00.000Z');
    expect(row?.closedAt?.toISOString()).toBe('2026-11-17T14:05:00.000Z');
    expect(stageHistory(stages)).toEqual([
      [null, '1', '2026-11-16T09:30:00.000Z'],
      ['1', '5', '2026-11-17T14:05:00.120Z'],
    ]);
    expect(entries.map(entrySummary)).toEqual([
      {
        kind: 'deal_won',
        userId: 'UANA',
        quantity: 1,
        amountCents: 150_075,
        occurredAt: '2026-11-17T14:05:00.000Z',
        source: 'pipedrive',
        reverses: null,
      },
    ]);
    // The webhook names the owner by id only: one users call for the email, no deals call (the record is whole).
    expect(pipedrive.calls.map((c) => [c.method, c.path, c.status, c.token])).toEqual([
      ['GET', `/api/v1/users/${OWNER_ID}`, 200, pipedrive.apiToken],
    ]);
  });

  it('reads a v1 updated.deal (owner in user_id, times in UTC without a zone), and stores its retry once', async () => {
    const at = ms('2026-11-17T10:15:30Z') / 1000;
    const event = (retry: number) =>
      v1DealEvent(
        'updated',
        {
          id: 102,
          title: 'Cyberdyne',
          value: 980.4,
          stage_id: 4,
          status: 'won',
          won_time: '2026-11-17 10:15:30',
          close_time: '2026-11-17 10:15:30',
          add_time: '2026-11-02 08:00:00',
        },
        {
          previous: { status: 'open', stage_id: 3, won_time: null, close_time: null },
          meta: { timestamp: at, timestamp_micro: at * 1_000_000 + 250_000 },
          retry,
        },
      );
    expect(await send(event(0))).toEqual(stored(1));
    expect(await send(event(1))).toEqual(stored(0, 1));
    await h.bot.crm.idle();

    const { deal, stages, entries } = await dealRecord(h, 'pipedrive', '102');
    expect(deal).toMatchObject({
      name: 'Cyberdyne',
      amountCents: 98_040,
      stage: '4',
      status: 'won',
      ownerUserId: 'UANA',
    });
    expect(deal?.openedAt.toISOString()).toBe('2026-11-02T08:00:00.000Z');
    expect(stageHistory(stages)).toEqual([[null, '4', '2026-11-17T10:15:30.250Z']]);
    expect(entries.map((e) => [e.kind, e.userId, e.quantity, e.amountCents, e.occurredAt.toISOString()])).toEqual([
      ['deal_won', 'UANA', 1, 98_040, '2026-11-17T10:15:30.000Z'],
    ]);
  });

  it('refuses missing or wrong HTTP Basic credentials with 401, storing nothing', async () => {
    const body = v2('create', '2026-11-17T09:00:00.000Z', won({ id: 103, value: 5000 }, '2026-11-17T09:00:00Z'));
    const before = await storedEventCount(h);
    const refused = (error: string) => ({ status: 401, body: { error } });
    expect(await send(body, { authorization: null })).toEqual(refused('HTTP Basic credentials are missing'));
    expect(await send(body, { authorization: basic(USER, 'pd-hook-guess') })).toEqual(
      refused('HTTP Basic credentials are wrong'),
    );
    expect(await send(body, { authorization: basic('admin', PASSWORD) })).toEqual(
      refused('HTTP Basic credentials are wrong'),
    );
    expect(await send(body, { authorization: 'Basic not base64!' })).toEqual(
      refused('HTTP Basic credentials are malformed'),
    );
    expect(await storedEventCount(h)).toBe(before);
    expect((await dealRecord(h, 'pipedrive', '103')).deal).toBeUndefined();
  });

  it('reverses the entry when a won deal is moved back to open, so the deal nets to zero', async () => {
    const deal = won(
      { id: 104, title: 'Soylent', value: 2000, add_time: '2026-11-10T08:00:00Z' },
      '2026-11-16T16:00:00Z',
    );
    expect(await send(v2('create', '2026-11-16T16:00:00.000Z', deal))).toEqual(stored(1));
    await h.bot.crm.idle();
    expect((await dealRecord(h, 'pipedrive', '104')).entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ['deal_won', 200_000],
    ]);

    const reopened = { ...deal, status: 'open', stage_id: 3, won_time: null, close_time: null };
    const back = v2('change', '2026-11-17T09:30:00.000Z', reopened, {
      status: 'won',
      stage_id: 5,
      won_time: '2026-11-16T16:00:00Z',
      close_time: '2026-11-16T16:00:00Z',
    });
    expect(await send(back)).toEqual(stored(1));
    await h.bot.crm.idle();

    const { deal: row, stages, entries } = await dealRecord(h, 'pipedrive', '104');
    expect(row).toMatchObject({ status: 'open', stage: '3', closedAt: null, amountCents: 200_000 });
    expect(stageHistory(stages)).toEqual([
      [null, '5', '2026-11-16T16:00:00.000Z'],
      ['5', '3', '2026-11-17T09:30:00.000Z'],
    ]);
    const [original] = entries;
    expect(entries.map(entrySummary)).toEqual([
      {
        kind: 'deal_won',
        userId: 'UANA',
        quantity: 1,
        amountCents: 200_000,
        occurredAt: '2026-11-16T16:00:00.000Z',
        source: 'pipedrive',
        reverses: null,
      },
      {
        kind: 'deal_won',
        userId: 'UANA',
        quantity: -1,
        amountCents: -200_000,
        occurredAt: '2026-11-16T16:00:00.000Z',
        source: 'pipedrive',
        reverses: original?.id,
      },
    ]);
    expect(netOf(entries)).toEqual({ quantity: 0, amountCents: 0 });
  });

  it('marks a deleted deal deleted and reverses its won entry', async () => {
    const deal = won(
      { id: 105, title: 'Tyrell', value: 3333.33, add_time: '2026-11-12T08:00:00Z' },
      '2026-11-16T11:00:00Z',
    );
    expect(await send(v2('create', '2026-11-16T11:00:00.000Z', deal))).toEqual(stored(1));
    await h.bot.crm.idle();
    expect((await dealRecord(h, 'pipedrive', '105')).entries.map((e) => [e.kind, e.amountCents])).toEqual([
      ['deal_won', 333_333],
    ]);

    expect(await send(v2('delete', '2026-11-17T08:00:00.000Z', deal))).toEqual(stored(1));
    await h.bot.crm.idle();

    const { deal: row, entries } = await dealRecord(h, 'pipedrive', '105');
    expect(row?.deletedAt?.toISOString()).toBe(h.clock.now.toISOString());
    expect(entries.map((e) => [e.quantity, e.amountCents, e.reversesId])).toEqual([
      [1, 333_333, null],
      [-1, -333_333, entries[0]?.id],
    ]);
    expect(netOf(entries)).toEqual({ quantity: 0, amountCents: 0 });
  });
});
