import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CrmApiAuthError, CrmApiUnavailableError } from '../../../src/integrations/adapter.js';
import { createPipedriveApi, MAX_IDS_PER_REQUEST } from '../../../src/integrations/pipedrive/api.js';
import { parsePipedriveWebhook } from '../../../src/integrations/pipedrive/parse.js';
import { type FakePipedrive, OWNER_ID, startFakePipedrive, v2DealEvent } from '../../support/fake-pipedrive.js';

let fake: FakePipedrive;

beforeEach(async () => {
  fake = await startFakePipedrive();
});

afterEach(async () => {
  await fake.close();
});

function api(apiToken = fake.apiToken) {
  return createPipedriveApi({ apiToken, baseUrl: `${fake.baseUrl}/` });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a failure'),
    (error: unknown) => error,
  );
}

describe('fetchDeals', () => {
  it('maps each record to DealFields', async () => {
    fake.addDeal({ id: 7, value: 1234.56, status: 'won', won_time: '2026-01-14T17:18:22Z', stage_id: 3 });
    const deals = await api().fetchDeals(['7']);
    expect(deals).toEqual(
      new Map([
        [
          '7',
          {
            name: 'Acme renewal',
            amountCents: 123456,
            currency: 'USD',
            stage: '3',
            status: 'won',
            ownerId: String(OWNER_ID),
            createdAt: new Date('2025-12-23T15:39:38Z'),
            closedAt: new Date('2026-01-14T17:18:22Z'),
            leadSource: 'ManuallyCreated',
            customerId: '5063',
          },
        ],
      ]),
    );
    expect(fake.calls).toMatchObject([
      { method: 'GET', path: '/api/v2/deals', query: { ids: '7' }, token: fake.apiToken, status: 200 },
    ]);
  });

  it('maps a record exactly as the webhook parser does', async () => {
    const record = { id: 8, value: 0.1, status: 'lost', lost_time: '2026-01-14T17:18:17Z', channel: 52 } as const;
    fake.addDeal(record);
    const parsed = parsePipedriveWebhook(Buffer.from(JSON.stringify(v2DealEvent('change', record))));
    const fromWebhook = parsed.ok ? parsed.batch.events[0] : undefined;
    expect(fromWebhook?.type === 'deal.upsert' && fromWebhook.fields).toEqual((await api().fetchDeals(['8'])).get('8'));
  });

  it(`asks for at most ${MAX_IDS_PER_REQUEST} ids at a time`, async () => {
    const ids = Array.from({ length: 250 }, (_, i) => String(i + 1));
    for (const id of ids) fake.addDeal({ id: Number(id) });
    const deals = await api().fetchDeals(ids);
    expect(deals.size).toBe(250);
    expect(fake.calls.map((call) => call.query.ids?.split(',').length)).toEqual([100, 100, 50]);
    expect(fake.calls[2]?.query.ids?.split(',')[0]).toBe('201');
  });

  it('leaves out unknown and deleted deals, and does not ask for ids that cannot exist', async () => {
    fake.addDeal({ id: 1 });
    fake.addDeal({ id: 2, is_deleted: true });
    const deals = await api().fetchDeals(['1', '2', '3', '1', 'abc', '']);
    expect([...deals.keys()]).toEqual(['1']);
    expect(fake.calls.map((call) => call.query.ids)).toEqual(['1,2,3']);
  });

  it('makes no request for no ids', async () => {
    expect(await api().fetchDeals([])).toEqual(new Map());
    expect(fake.calls).toEqual([]);
  });
});

describe('fetchOwners', () => {
  it('returns the email and name of known users and leaves out the others', async () => {
    fake.addUser({ id: 11, email: 'olivia@acme.test', name: 'Olivia Owner' });
    fake.addUser({ id: 12, email: null, name: 'No Mail' });
    const owners = await api().fetchOwners(['11', '12', '13']);
    expect(owners).toEqual(
      new Map([
        ['11', { email: 'olivia@acme.test', name: 'Olivia Owner' }],
        ['12', { email: null, name: 'No Mail' }],
      ]),
    );
    expect(fake.calls.map((call) => `${call.path} ${call.status}`)).toEqual([
      '/api/v1/users/11 200',
      '/api/v1/users/12 200',
      '/api/v1/users/13 404',
    ]);
  });
});

describe('failures', () => {
  it('throws CrmApiAuthError when the token is refused', async () => {
    const error = await failure(api('wrong-token').fetchDeals(['1']));
    expect(error).toBeInstanceOf(CrmApiAuthError);
    expect(fake.calls[0]?.status).toBe(401);
  });

  it('throws CrmApiUnavailableError with Retry-After on 429', async () => {
    fake.failNext({ status: 429, retryAfter: 7 });
    const error = await failure(api().fetchOwners(['1']));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect((error as CrmApiUnavailableError).retryAfterSeconds).toBe(7);
  });

  it('throws CrmApiUnavailableError without a delay on 500, and recovers after', async () => {
    fake.addDeal({ id: 1 });
    fake.failNext({ status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await failure(api().fetchDeals(['1']));
      expect(error).toBeInstanceOf(CrmApiUnavailableError);
      expect((error as CrmApiUnavailableError).retryAfterSeconds).toBeNull();
    }
    expect((await api().fetchDeals(['1'])).size).toBe(1);
  });

  it('throws CrmApiUnavailableError when Pipedrive cannot be reached', async () => {
    const unreachable = createPipedriveApi({
      apiToken: 't',
      baseUrl: 'https://acme.pipedrive.com',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    const error = await failure(unreachable.fetchDeals(['1']));
    expect(error).toBeInstanceOf(CrmApiUnavailableError);
    expect((error as Error).message).toMatch(/fetch failed/);
  });

  it('reports other refusals with Pipedrive’s error message', async () => {
    const badRequest = createPipedriveApi({
      apiToken: 't',
      baseUrl: 'https://acme.pipedrive.com',
      fetch: async () => Response.json({ success: false, error: 'Bad request' }, { status: 400 }),
    });
    await expect(badRequest.fetchDeals(['1'])).rejects.toThrow(
      'Pipedrive answered 400 to GET /api/v2/deals: Bad request',
    );
  });
});

describe('the fake', () => {
  it('refuses a wrong token with Pipedrive’s error JSON', async () => {
    const response = await fetch(`${fake.baseUrl}/api/v2/deals?ids=1`, { headers: { 'x-api-token': 'nope' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ success: false, error: 'unauthorized access', errorCode: 401 });
  });

  it('refuses more than 100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    const response = await fetch(`${fake.baseUrl}/api/v2/deals?ids=${ids}`, {
      headers: { 'x-api-token': fake.apiToken },
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ success: false });
  });
});
