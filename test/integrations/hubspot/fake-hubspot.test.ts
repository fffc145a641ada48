import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHubSpot, startFakeHubSpot } from '../../support/fake-hubspot.js';

let fake: FakeHubSpot;

beforeAll(async () => {
  fake = await startFakeHubSpot();
  fake.addDeal('1', { dealname: 'One' });
});

afterAll(async () => {
  await fake.close();
});

/** A raw call, so the fake's refusals can be seen without the client's own checks in the way. */
async function call(path: string, init: { method?: string; token?: string | null; body?: string; type?: string }) {
  const headers: Record<string, string> = { 'content-type': init.type ?? 'application/json' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? fake.accessToken}`;
  const response = await fetch(`${fake.baseUrl}${path}`, { method: init.method ?? 'POST', headers, body: init.body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const BATCH_READ = '/crm/v3/objects/deals/batch/read';
const inputs = (count: number) => JSON.stringify({ inputs: Array.from({ length: count }, (_, i) => ({ id: `${i}` })) });

describe('the fake HubSpot', () => {
  it('refuses a missing or wrong bearer token with 401', async () => {
    expect(await call(BATCH_READ, { token: null, body: inputs(1) })).toMatchObject({
      status: 401,
      body: { status: 'error', category: 'INVALID_AUTHENTICATION' },
    });
    expect((await call(BATCH_READ, { token: 'nope', body: inputs(1) })).status).toBe(401);
  });

  it('refuses more than 100 inputs, bad JSON, a bad shape and a non-JSON content type', async () => {
    expect(await call(BATCH_READ, { body: inputs(101) })).toMatchObject({
      status: 400,
      body: { message: 'Too many inputs: 101 > 100' },
    });
    expect((await call(BATCH_READ, { body: '{"inputs": [' })).status).toBe(400);
    expect((await call(BATCH_READ, { body: '{"inputs": [{"id": 1}]}' })).status).toBe(400);
    expect((await call(BATCH_READ, { body: '{"inputs": [], "properties": "amount"}' })).status).toBe(400);
    expect((await call(BATCH_READ, { body: inputs(1), type: 'text/plain' })).status).toBe(415);
  });

  it('answers 200 when every id is known and returns requested properties, null when unset', async () => {
    const body = JSON.stringify({ inputs: [{ id: '1' }], properties: ['dealname', 'amount'] });
    expect(await call(BATCH_READ, { body })).toMatchObject({
      status: 200,
      body: { results: [{ id: '1', properties: { dealname: 'One', amount: null, hs_object_id: '1' } }] },
    });
  });

  it('refuses wrong methods and unknown routes', async () => {
    expect((await call(BATCH_READ, { method: 'GET' })).status).toBe(405);
    expect((await call('/crm/v3/objects/contacts/batch/read', { body: inputs(1) })).status).toBe(404);
  });

  it('serves engagements as HubSpot does: 401 without the token, 404 once deleted, 400 for an unknown association', async () => {
    fake.putEngagement('calls', '9', { properties: { hs_call_title: 'Hi' }, associations: { deals: ['1'] } });
    const path = '/crm/v3/objects/calls/9?properties=hs_call_title,hs_call_status&associations=deals,contacts';
    expect((await call(path, { method: 'GET', token: null })).status).toBe(401);
    const ok = await call(path, { method: 'GET' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      id: '9',
      properties: { hs_object_id: '9', hs_call_title: 'Hi', hs_call_status: null },
      associations: { deals: { results: [{ id: '1', type: 'call_to_deal' }] } },
    });
    expect(ok.body.associations).not.toHaveProperty('contacts');
    expect((await call('/crm/v3/objects/calls/9?associations=widgets', { method: 'GET' })).status).toBe(400);
    expect((await call('/crm/v3/objects/calls/9', { method: 'DELETE' })).status).toBe(405);
    fake.deleteEngagement('calls', '9');
    expect((await call(path, { method: 'GET' })).body).toMatchObject({ category: 'OBJECT_NOT_FOUND' });
  });

  it('records every call, refused ones included, and fails on demand', async () => {
    fake.failNext({ status: 502, times: 2 });
    expect((await call('/crm/v3/owners/1', { method: 'GET' })).status).toBe(502);
    expect((await call('/crm/v3/owners/1', { method: 'GET' })).status).toBe(502);
    expect((await call('/crm/v3/owners/1', { method: 'GET' })).status).toBe(404);
    expect(fake.calls.slice(-3).map((recorded) => recorded.status)).toEqual([502, 502, 404]);
  });
});
