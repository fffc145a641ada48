import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmApiAuthError, CrmApiUnavailableError } from '../../../src/integrations/adapter.js';
import { createHubSpotApi } from '../../../src/integrations/hubspot/api.js';
import { DEAL_PROPERTIES } from '../../../src/integrations/hubspot/deal-properties.js';
import { type FakeHubSpot, startFakeHubSpot } from '../../support/fake-hubspot.js';

let fake: FakeHubSpot;

beforeEach(async () => {
  fake = await startFakeHubSpot();
});

afterEach(async () => {
  await fake.close();
});

const api = (accessToken = fake.accessToken) => createHubSpotApi({ accessToken, baseUrl: fake.baseUrl });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

const dealIds = (count: number) => Array.from({ length: count }, (_, i) => String(7000 + i));

describe('createHubSpotApi().fetchDeals', () => {
  it('reads the properties of known deals into DealFields', async () => {
    fake.addDeal('5001', {
      dealname: 'Acme — 40 seats',
      amount: '12500.50',
      dealstage: 'closedwon',
      hubspot_owner_id: '910',
      closedate: '2024-04-03T10:00:00.000Z',
      createdate: '2024-03-01T09:00:00.000Z',
      deal_currency_code: 'EUR',
      dealtype: 'existingbusiness',
      hs_priority: 'high',
    });
    fake.addDeal('5002', { dealname: 'Beta', amount: '' });

    const deals = await api().fetchDeals(['5001', '5002']);

    expect(deals).toEqual(
      new Map([
        [
          '5001',
          {
            name: 'Acme — 40 seats',
            amountCents: 1_250_050,
            stage: 'closedwon',
            ownerId: '910',
            closedAt: new Date('2024-04-03T10:00:00.000Z'),
            createdAt: new Date('2024-03-01T09:00:00.000Z'),
            currency: 'EUR',
            dealType: 'upsell',
          },
        ],
        [
          '5002',
          {
            name: 'Beta',
            amountCents: null,
            stage: null,
            ownerId: null,
            closedAt: null,
            createdAt: null,
            currency: null,
            dealType: null,
          },
        ],
      ]),
    );
  });

  it('sends a bearer token and the batch-read body HubSpot expects', async () => {
    fake.addDeal('5001', { dealname: 'Acme' });
    await api().fetchDeals(['5001']);
    expect(fake.calls).toEqual([
      {
        method: 'POST',
        path: '/crm/v3/objects/deals/batch/read',
        body: { inputs: [{ id: '5001' }], properties: DEAL_PROPERTIES },
        authorization: `Bearer ${fake.accessToken}`,
        status: 200,
      },
    ]);
  });

  it('reads 250 ids in 3 calls of at most 100, asking once for a repeated id', async () => {
    for (const id of dealIds(250)) fake.addDeal(id, { amount: '1' });
    const deals = await api().fetchDeals([...dealIds(250), '7000', '7249']);
    expect(deals.size).toBe(250);
    expect(fake.calls.map((call) => (call.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 100, 50]);
  });

  it('makes no call for no ids', async () => {
    expect(await api().fetchDeals([])).toEqual(new Map());
    expect(fake.calls).toEqual([]);
  });

  it('leaves out ids HubSpot does not know (207 with errors)', async () => {
    fake.addDeal('5001', { dealstage: 'qualifiedtobuy' });
    const deals = await api().fetchDeals(['404404', '5001', '404405']);
    expect([...deals.keys()]).toEqual(['5001']);
    expect(fake.calls[0]?.status).toBe(207);
    expect(await api().fetchDeals(['404404'])).toEqual(new Map());
  });

  it('leaves out a value it cannot read and keeps the rest of the deal', async () => {
    fake.addDeal('5001', { amount: 'n/a', dealstage: 'closedlost' });
    const deal = (await api().fetchDeals(['5001'])).get('5001');
    expect(deal).toMatchObject({ stage: 'closedlost' });
    expect(deal).not.toHaveProperty('amountCents');
  });

  it('throws CrmApiUnavailableError with Retry-After on 429', async () => {
    fake.failNext({ status: 429, retryAfter: 7 });
    const error = await rejection(api().fetchDeals(['5001']));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ retryAfterSeconds: 7, message: expect.stringMatching(/429/) });
  });

  it('throws CrmApiUnavailableError on 5xx, with Retry-After when HubSpot sends one', async () => {
    fake.failNext({ status: 503 });
    const error = await rejection(api().fetchDeals(['5001']));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ retryAfterSeconds: null });
    fake.failNext({ status: 500, retryAfter: 30 });
    expect(await rejection(api().fetchDeals(['5001']))).toMatchObject({ retryAfterSeconds: 30 });
  });

  it('throws CrmApiAuthError on a refused token, without echoing the token', async () => {
    const token = 'pat-na1-revoked-token';
    const error = await rejection(api(token).fetchDeals(['5001']));
    expect(error).toBeInstanceOf(CrmApiAuthError);
    expect(error).not.toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ status: 401, code: 'kpi_bot.crm_api_auth' });
    expect((error as Error).message).not.toContain(token);
    fake.failNext({ status: 403 });
    expect(await rejection(api().fetchDeals(['5001']))).toMatchObject({ status: 403 });
  });

  it('throws CrmApiUnavailableError when HubSpot cannot be reached', async () => {
    const unreachable = createHubSpotApi({
      accessToken: 'token',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    const error = await rejection(unreachable.fetchDeals(['5001']));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ message: 'HubSpot POST /crm/v3/objects/deals/batch/read failed: fetch failed' });
  });

  it('throws CrmApiUnavailableError on a 200 it cannot read', async () => {
    const garbled = createHubSpotApi({
      accessToken: 'token',
      fetch: () => Promise.resolve(new Response('<html>maintenance</html>', { status: 200 })),
    });
    expect(await rejection(garbled.fetchDeals(['5001']))).toBeInstanceOf(CrmApiUnavailableError);
  });

  it('uses https://api.hubapi.com by default and tolerates a trailing slash on baseUrl', async () => {
    const urls: string[] = [];
    const recording = (url: string | URL | Request) => {
      urls.push(String(url));
      return Promise.resolve(Response.json({ results: [] }));
    };
    await createHubSpotApi({ accessToken: 't', fetch: recording as typeof fetch }).fetchDeals(['1']);
    await createHubSpotApi({ accessToken: 't', baseUrl: 'http://h/', fetch: recording as typeof fetch }).fetchDeals([
      '1',
    ]);
    expect(urls).toEqual([
      'https://api.hubapi.com/crm/v3/objects/deals/batch/read',
      'http://h/crm/v3/objects/deals/batch/read',
    ]);
  });
});

describe('createHubSpotApi().fetchOwners', () => {
  beforeEach(() => {
    fake.addOwner({ id: '910', email: 'ana@example.com', firstName: 'Ana', lastName: 'Lima' });
    fake.addOwner({ id: '911', email: 'bo@example.com', firstName: 'Bo', lastName: '' });
    fake.addOwner({ id: '912', email: '', firstName: '', lastName: '' });
  });

  it('reads email and full name, with missing parts as null', async () => {
    expect(await api().fetchOwners(['910', '911', '912'])).toEqual(
      new Map([
        ['910', { email: 'ana@example.com', name: 'Ana Lima' }],
        ['911', { email: 'bo@example.com', name: 'Bo' }],
        ['912', { email: null, name: null }],
      ]),
    );
    expect(fake.calls.map((call) => `${call.method} ${call.path}`).sort()).toEqual([
      'GET /crm/v3/owners/910',
      'GET /crm/v3/owners/911',
      'GET /crm/v3/owners/912',
    ]);
  });

  it('leaves out owners HubSpot does not know (404)', async () => {
    expect([...(await api().fetchOwners(['910', '404404'])).keys()]).toEqual(['910']);
  });

  it('asks once per distinct id and makes no call for none', async () => {
    await api().fetchOwners(['910', '910', '911']);
    expect(fake.calls).toHaveLength(2);
    expect(await api().fetchOwners([])).toEqual(new Map());
    expect(fake.calls).toHaveLength(2);
  });

  it('looks up many owners a few at a time', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => String(800 + i));
    for (const id of ids) fake.addOwner({ id, email: `rep${id}@example.com`, firstName: 'Rep', lastName: id });
    const owners = await api().fetchOwners(ids);
    expect(owners.size).toBe(12);
    expect(owners.get('805')).toEqual({ email: 'rep805@example.com', name: 'Rep 805' });
  });

  it('escapes the id in the path', async () => {
    expect(await api().fetchOwners(['../deals'])).toEqual(new Map());
    expect(fake.calls[0]?.path).toBe('/crm/v3/owners/..%2Fdeals');
  });

  it('throws CrmApiUnavailableError on 429 and CrmApiAuthError on 401', async () => {
    fake.failNext({ status: 429, retryAfter: 2 });
    expect(await rejection(api().fetchOwners(['910']))).toMatchObject({ retryAfterSeconds: 2 });
    expect(await rejection(api('wrong').fetchOwners(['910']))).toBeInstanceOf(CrmApiAuthError);
  });
});

describe('createHubSpotApi().fetchActivity', () => {
  it('reads an engagement with its properties and its first contact and deal in one GET', async () => {
    fake.putEngagement('meetings', '911', {
      properties: {
        hs_meeting_start_time: '2026-11-18T11:00:00.000Z',
        hubspot_owner_id: '77',
        hs_meeting_outcome: 'COMPLETED',
        hs_meeting_title: 'Demo',
      },
      associations: { contacts: ['501', '502'], deals: ['7001'] },
    });
    expect(await api().fetchActivity?.('meeting:911')).toEqual({
      type: 'meeting',
      ownerId: '77',
      doneAt: new Date('2026-11-18T11:00:00.000Z'),
      outcome: 'completed',
      done: true,
      subject: 'Demo',
      dealId: '7001',
      leadId: '501',
    });
    expect(fake.calls.map((c) => [c.method, c.path, c.status])).toEqual([['GET', '/crm/v3/objects/meetings/911', 200]]);
  });

  it('says null for an engagement HubSpot no longer has, and links none it has none of', async () => {
    expect(await api().fetchActivity?.('call:404')).toBeNull();
    fake.putEngagement('calls', '5', { properties: { hubspot_owner_id: '77' } });
    expect(await api().fetchActivity?.('call:5')).toMatchObject({ type: 'call', dealId: null, leadId: null });
  });

  it('throws the same errors as for deals: a refused token, HubSpot unavailable', async () => {
    expect(await rejection(api('wrong').fetchActivity?.('call:5') ?? Promise.resolve())).toBeInstanceOf(
      CrmApiAuthError,
    );
    fake.failNext({ status: 429, retryAfter: 10 });
    const error = await rejection(api().fetchActivity?.('call:5') ?? Promise.resolve());
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect((error as CrmApiUnavailableError).retryAfterSeconds).toBe(10);
  });
});
