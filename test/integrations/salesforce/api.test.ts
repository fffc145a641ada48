import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CrmApi, CrmApiAuthError, CrmApiUnavailableError } from '../../../src/integrations/adapter.js';
import { createSalesforceApi, MAX_IDS_PER_CALL } from '../../../src/integrations/salesforce/api.js';
import { parseOutboundMessage } from '../../../src/integrations/salesforce/parse.js';
import { type FakeSalesforce, outboundMessage, startFakeSalesforce } from '../../support/fake-salesforce.js';
import { rejection } from '../../support/refusal.js';

const DEAL = '0065w000023STAmAAO';
const OWNER = '0055w00000BhqR0AAJ';

/** Ids that differ in their last four characters before the checksum, like real ones do. */
function ids(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}AAA`);
}

let fake: FakeSalesforce;
let api: CrmApi;

beforeEach(async () => {
  fake = await startFakeSalesforce();
  api = createSalesforceApi({ instanceUrl: fake.instanceUrl, accessToken: fake.accessToken });
});

afterEach(async () => {
  await fake.close();
});

describe('fetchDeals', () => {
  it('reads an Opportunity the way an outbound message with the same fields is read', async () => {
    fake.addOpportunity({
      Id: DEAL,
      Name: 'Northwind & Sons',
      Amount: 12500.5,
      StageName: 'Closed Won',
      IsClosed: true,
      IsWon: true,
      CloseDate: '2024-05-31',
      CreatedDate: '2024-04-02T13:40:22.000+0000',
      OwnerId: OWNER,
      AccountId: '0015w00002BFDeLAAX',
      LeadSource: null,
      Type: 'Existing Customer - Upgrade',
    });
    const deals = await api.fetchDeals([DEAL]);

    const message = outboundMessage({
      organizationId: '00D5w000004qGTOEA2',
      notifications: [
        {
          id: '04l5w00005286hAAAQ',
          sObject: {
            type: 'Opportunity',
            fields: {
              Id: DEAL,
              Name: 'Northwind & Sons',
              Amount: '12500.50',
              StageName: 'Closed Won',
              IsClosed: true,
              IsWon: true,
              CloseDate: '2024-05-31',
              CreatedDate: '2024-04-02T13:40:22.000Z',
              OwnerId: OWNER,
              AccountId: '0015w00002BFDeLAAX',
              LeadSource: null,
              Type: 'Existing Customer - Upgrade',
            },
          },
        },
      ],
    });
    const parsed = parseOutboundMessage(Buffer.from(message));
    const fromMessage =
      parsed.ok && parsed.batch.events[0]?.type === 'deal.upsert' ? parsed.batch.events[0].fields : null;

    expect(deals.get(DEAL)).toEqual({
      name: 'Northwind & Sons',
      amountCents: 1_250_050,
      stage: 'Closed Won',
      status: 'won',
      ownerId: OWNER,
      createdAt: new Date('2024-04-02T13:40:22.000Z'),
      closedAt: new Date('2024-05-31T12:00:00.000Z'),
      leadSource: null,
      dealType: 'upsell',
      customerId: '0015w00002BFDeLAAX',
    });
    expect(deals.get(DEAL)).toEqual(fromMessage);
  });

  it('leaves out ids Salesforce does not know, and never sends ids that are not ids', async () => {
    fake.addOpportunity({ Id: DEAL, Amount: 10 });
    const deals = await api.fetchDeals([DEAL, '0065w000023STAnAAO', "006' OR 1=1", '']);
    expect([...deals.keys()]).toEqual([DEAL]);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.search.get('ids')).toBe(`${DEAL},0065w000023STAnAAO`);
  });

  it('keys the answer by the id asked for, 15-character ones included', async () => {
    fake.addOpportunity({ Id: DEAL, Amount: 10 });
    const deals = await api.fetchDeals([DEAL.slice(0, 15)]);
    expect(deals.get(DEAL.slice(0, 15))).toMatchObject({ amountCents: 1000 });
  });

  it(`asks for 450 ids in 3 calls of at most ${MAX_IDS_PER_CALL}`, async () => {
    const all = ids('0065w000023', 450);
    for (const [i, Id] of all.entries()) fake.addOpportunity({ Id, Amount: i });
    const deals = await api.fetchDeals([...all, ...all.slice(0, 10)]);
    expect(deals.size).toBe(450);
    expect(deals.get(all[449] ?? '')).toMatchObject({ amountCents: 44_900 });
    expect(fake.calls.map((call) => call.search.get('ids')?.split(',').length)).toEqual([200, 200, 50]);
  });

  it('makes no call for no ids', async () => {
    expect((await api.fetchDeals([])).size).toBe(0);
    expect(fake.calls).toHaveLength(0);
  });

  it('asks for CurrencyIsoCode only in multi-currency organizations', async () => {
    expect(fake.calls).toHaveLength(0);
    await api.fetchDeals([DEAL]);
    expect(fake.calls[0]?.search.get('fields')).not.toContain('CurrencyIsoCode');

    const multi = await startFakeSalesforce({ multiCurrency: true });
    try {
      multi.addOpportunity({ Id: DEAL, Amount: 10, CurrencyIsoCode: 'EUR' });
      const multiApi = createSalesforceApi({
        instanceUrl: multi.instanceUrl,
        accessToken: multi.accessToken,
        multiCurrency: true,
      });
      expect((await multiApi.fetchDeals([DEAL])).get(DEAL)).toMatchObject({ amountCents: 1000, currency: 'EUR' });
    } finally {
      await multi.close();
    }
  });

  it('refuses, as Salesforce does, CurrencyIsoCode in a single-currency organization (a plain error)', async () => {
    const wrong = createSalesforceApi({
      instanceUrl: fake.instanceUrl,
      accessToken: fake.accessToken,
      multiCurrency: true,
    });
    const error = await rejection(wrong.fetchDeals([DEAL]));
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(CrmApiUnavailableError);
    expect(error).not.toBeInstanceOf(CrmApiAuthError);
    expect((error as Error).message).toMatch(/400 \(INVALID_FIELD/);
  });

  it('uses the API version it is given', async () => {
    const v58 = createSalesforceApi({
      instanceUrl: fake.instanceUrl,
      accessToken: fake.accessToken,
      apiVersion: 'v58.0',
    });
    await v58.fetchDeals([DEAL]);
    expect(fake.calls[0]?.path).toBe('/services/data/v58.0/composite/sobjects/Opportunity');
    expect(() => createSalesforceApi({ instanceUrl: fake.instanceUrl, accessToken: 'x', apiVersion: '58' })).toThrow(
      /v60.0/,
    );
  });
});

describe('fetchOwners', () => {
  it('reads users by SOQL', async () => {
    fake.addUser({ Id: OWNER, Email: 'ada@example.com', Name: 'Ada Lovelace' });
    fake.addUser({ Id: '0055w00000BhqR1AAJ', Email: null, Name: 'Integration User' });
    const owners = await api.fetchOwners([OWNER, '0055w00000BhqR1AAJ', '0055w00000BhqR2AAJ']);
    expect(owners).toEqual(
      new Map([
        [OWNER, { email: 'ada@example.com', name: 'Ada Lovelace' }],
        ['0055w00000BhqR1AAJ', { email: null, name: 'Integration User' }],
      ]),
    );
    expect(fake.calls[0]?.search.get('q')).toBe(
      `SELECT Id, Email, Name FROM User WHERE Id IN ('${OWNER}', '0055w00000BhqR1AAJ', '0055w00000BhqR2AAJ')`,
    );
  });

  it('keys the answer by the id asked for, 15-character ones included', async () => {
    fake.addUser({ Id: OWNER, Email: 'ada@example.com', Name: 'Ada Lovelace' });
    const owners = await api.fetchOwners([OWNER.slice(0, 15)]);
    expect(owners.get(OWNER.slice(0, 15))).toEqual({ email: 'ada@example.com', name: 'Ada Lovelace' });
  });

  it('never writes anything but 15 or 18 letters and digits into SOQL', async () => {
    fake.addUser({ Id: OWNER, Email: 'ada@example.com', Name: 'Ada' });
    const hostile = [
      "005' OR Name != '",
      `${OWNER}'`,
      '0055w00000BhqR0AAJ)--',
      '0055w00000BhqR0',
      '005 5w00000BhqR0',
      'ü055w00000BhqR0',
    ];
    const owners = await api.fetchOwners(hostile);
    expect([...owners.keys()]).toEqual(['0055w00000BhqR0']);
    expect(fake.calls.map((call) => call.search.get('q'))).toEqual([
      "SELECT Id, Email, Name FROM User WHERE Id IN ('0055w00000BhqR0')",
    ]);
  });

  it('makes no call when no id is valid', async () => {
    expect((await api.fetchOwners(["' OR 1=1 --"])).size).toBe(0);
    expect(fake.calls).toHaveLength(0);
  });

  it('follows nextRecordsUrl when Salesforce answers in several batches', async () => {
    const paged = await startFakeSalesforce({ queryBatchSize: 2 });
    try {
      const all = ids('0055w000002', 5);
      for (const Id of all) paged.addUser({ Id, Email: `${Id}@example.com`, Name: Id });
      const pagedApi = createSalesforceApi({ instanceUrl: paged.instanceUrl, accessToken: paged.accessToken });
      const owners = await pagedApi.fetchOwners(all);
      expect(owners.size).toBe(5);
      expect(paged.calls.map((call) => call.path)).toEqual([
        '/services/data/v60.0/query',
        '/services/data/v60.0/query/01gFAKE1-2',
        '/services/data/v60.0/query/01gFAKE2-2',
      ]);
    } finally {
      await paged.close();
    }
  });

  it(`asks for at most ${MAX_IDS_PER_CALL} users a query`, async () => {
    await api.fetchOwners(ids('0055w000002', 450));
    expect(fake.calls.map((call) => call.search.get('q')?.match(/'/g)?.length)).toEqual([400, 400, 100]);
  });
});

describe('failures', () => {
  it('throws CrmApiAuthError when the token is refused (401 INVALID_SESSION_ID)', async () => {
    const stale = createSalesforceApi({ instanceUrl: fake.instanceUrl, accessToken: 'tok-9f8e7d' });
    const error = await rejection(stale.fetchDeals([DEAL]));
    expect(error).toBeInstanceOf(CrmApiAuthError);
    expect(error).toMatchObject({
      status: 401,
      message: 'Salesforce API answered 401 (INVALID_SESSION_ID: Session expired or invalid)',
    });
    expect((error as Error).message).not.toContain('tok-9f8e7d');
  });

  it('throws CrmApiUnavailableError with Retry-After on 429', async () => {
    fake.failNext({ status: 429, retryAfter: 30 });
    const error = await rejection(api.fetchOwners([OWNER]));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ retryAfterSeconds: 30 });
  });

  it.each([500, 502, 503])('throws CrmApiUnavailableError on %i', async (status) => {
    fake.failNext({ status });
    const error = await rejection(api.fetchDeals([DEAL]));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect(error).toMatchObject({ retryAfterSeconds: null });
  });

  it('treats the organization’s API limit (403 REQUEST_LIMIT_EXCEEDED) as passing', async () => {
    fake.failNext({ status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(await rejection(api.fetchDeals([DEAL]))).toBeInstanceOf(CrmApiUnavailableError);
  });

  it('treats any other 403 as a credential problem', async () => {
    fake.failNext({ status: 403, errorCode: 'API_DISABLED_FOR_ORG' });
    expect(await rejection(api.fetchDeals([DEAL]))).toMatchObject({ status: 403, code: 'kpi_bot.crm_api_auth' });
  });

  it('recovers once the failure passes', async () => {
    fake.addOpportunity({ Id: DEAL, Amount: 10 });
    fake.failNext({ status: 503, times: 2 });
    await rejection(api.fetchDeals([DEAL]));
    await rejection(api.fetchDeals([DEAL]));
    expect((await api.fetchDeals([DEAL])).get(DEAL)).toMatchObject({ amountCents: 1000 });
  });

  it('throws CrmApiUnavailableError when the network fails', async () => {
    const down = createSalesforceApi({ instanceUrl: fake.instanceUrl, accessToken: fake.accessToken });
    await fake.close();
    expect(await rejection(down.fetchDeals([DEAL]))).toBeInstanceOf(CrmApiUnavailableError);
    fake = await startFakeSalesforce();
  });

  it('throws CrmApiUnavailableError for an unreadable answer', async () => {
    const html = createSalesforceApi({
      instanceUrl: 'https://acme.my.salesforce.com',
      accessToken: 'x',
      fetch: async () => new Response('<html>maintenance</html>', { status: 200 }),
    });
    expect(await rejection(html.fetchDeals([DEAL]))).toBeInstanceOf(CrmApiUnavailableError);
    const short = createSalesforceApi({
      instanceUrl: 'https://acme.my.salesforce.com',
      accessToken: 'x',
      fetch: async () => Response.json([]),
    });
    expect(await rejection(short.fetchDeals([DEAL]))).toBeInstanceOf(CrmApiUnavailableError);
  });

  it('does not follow a nextRecordsUrl that leaves the instance', async () => {
    const requested: string[] = [];
    const evil = createSalesforceApi({
      instanceUrl: 'https://acme.my.salesforce.com',
      accessToken: 'secret',
      fetch: async (url) => {
        requested.push(String(url));
        return Response.json({ done: false, nextRecordsUrl: '//evil.example.com/steal', records: [] });
      },
    });
    expect(await rejection(evil.fetchOwners([OWNER]))).toBeInstanceOf(CrmApiUnavailableError);
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatch(/^https:\/\/acme\.my\.salesforce\.com\//);
  });

  it('sends the bearer token', async () => {
    const headers: Headers[] = [];
    const spy = createSalesforceApi({
      instanceUrl: 'https://acme.my.salesforce.com',
      accessToken: 'tok',
      fetch: async (_, init) => {
        headers.push(new Headers(init?.headers));
        return Response.json([null]);
      },
    });
    expect((await spy.fetchDeals([DEAL])).size).toBe(0);
    expect(headers[0]?.get('authorization')).toBe('Bearer tok');
  });
});
