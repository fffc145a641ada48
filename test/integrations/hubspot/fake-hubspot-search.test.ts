import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeHubSpot, startFakeHubSpot } from '../../support/fake-hubspot.js';

/** The fake's search refuses what HubSpot refuses (https://developers.hubspot.com/docs/api/crm/search). */
describe('fake HubSpot search', () => {
  const clock = { now: new Date('2026-11-18T15:00:00Z') };
  let hubspot: FakeHubSpot;

  beforeAll(async () => {
    hubspot = await startFakeHubSpot({ now: () => clock.now });
    for (let i = 0; i < 10_050; i++) {
      const at = new Date(Date.UTC(2026, 9, 1) + i * 1000).toISOString();
      hubspot.putEngagement('calls', String(1 + i), { properties: { hs_timestamp: at } });
    }
  });
  afterAll(() => hubspot?.close());

  const search = async (body: Record<string, unknown>, token = hubspot.accessToken) => {
    const response = await fetch(`${hubspot.baseUrl}/crm/v3/objects/calls/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        filterGroups: [{ filters: [{ propertyName: 'hs_timestamp', operator: 'GTE', value: '0' }] }],
        sorts: [{ propertyName: 'hs_timestamp', direction: 'ASCENDING' }],
        ...body,
      }),
    });
    clock.now = new Date(clock.now.getTime() + 1000);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('pages by `after` and says the total', async () => {
    const first = await search({ limit: 200 });
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(10_050);
    expect(first.body.paging).toEqual({ next: { after: '200' } });
    const next = await search({ limit: 200, after: '200' });
    expect((next.body.results as { id: string }[])[0]?.id).toBe('201');
  });

  it('refuses a limit over 200, an `after` at the 10,000 cap, and a bad token', async () => {
    expect((await search({ limit: 201 })).status).toBe(400);
    expect((await search({ limit: 200, after: '10000' })).status).toBe(400);
    // The last page under the cap has no next page, though more match.
    const last = await search({ limit: 200, after: '9800' });
    expect(last.status).toBe(200);
    expect(last.body.paging).toBeUndefined();
    expect((await search({ limit: 10 }, 'not-a-token')).status).toBe(401);
  });

  it('answers the 6th search within a second with 429, and Retry-After when asked', async () => {
    const at = clock.now.getTime();
    const statuses: number[] = [];
    hubspot.searchRetryAfter(2);
    for (let i = 0; i < 6; i++) {
      clock.now = new Date(at + i * 100);
      const response = await fetch(`${hubspot.baseUrl}/crm/v3/objects/calls/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hubspot.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          filterGroups: [{ filters: [{ propertyName: 'hs_timestamp', operator: 'GTE', value: '0' }] }],
          limit: 1,
        }),
      });
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toBe('2');
      await response.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    hubspot.searchRetryAfter(null);
  });

  it('answers the 101st other request within 10 s with 429, searches aside, and takes more once the window moved', async () => {
    const at = clock.now.getTime() + 60_000;
    const associations = async (ms: number) => {
      clock.now = new Date(at + ms);
      const response = await fetch(`${hubspot.baseUrl}/crm/v4/associations/calls/deals/batch/read`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hubspot.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ id: '1' }] }),
      });
      await response.body?.cancel();
      return response.status;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push(await associations(i * 90));
    expect(new Set(statuses)).toEqual(new Set([207]));
    expect(await associations(9_500)).toBe(429);
    expect((await search({ limit: 1 })).status).toBe(200);
    expect(await associations(10_001)).toBe(207);
  });
});
