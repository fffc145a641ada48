import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePipedrive, startFakePipedrive } from '../../support/fake-pipedrive.js';

/**
 * The fake's collections and burst limit hold to Pipedrive's documentation
 * (https://pipedrive.readme.io/docs/core-api-concepts-pagination,
 * https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting): the backfill's tests lean on them.
 */
describe('the fake Pipedrive’s collections and burst limit', () => {
  let fake: FakePipedrive;
  let clock = Date.parse('2026-12-01T00:00:00Z');

  const get = async (path: string) => {
    const response = await fetch(`${fake.baseUrl}${path}`, { headers: { 'x-api-token': fake.apiToken } });
    const limits = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after'].map((name) =>
      response.headers.get(name),
    );
    const body = (await response.json()) as {
      data: { id: number | string }[];
      additional_data: { next_cursor?: string | null; pagination?: unknown };
    };
    return { status: response.status, limits, body };
  };

  beforeAll(async () => {
    fake = await startFakePipedrive({ now: () => new Date(clock), burstLimit: 6 });
    for (let id = 1; id <= 5; id++)
      fake.addActivity({ id, update_time: `2026-10-0${id}T10:00:00Z`, is_deleted: id === 2 });
    for (let n = 1; n <= 3; n++)
      fake.addLead({ id: `adf21080-0e10-11eb-879b-00000000000${n}`, add_time: `2026-10-0${n}T10:00:00.000Z` });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('pages a v2 collection with opaque cursors, leaving deleted and out-of-window records out', async () => {
    const first = await get('/api/v2/activities?updated_since=2026-10-01T12:00:00Z&limit=2');
    expect(first).toMatchObject({ status: 200, limits: ['6', '5', '2', null] });
    expect(first.body.data.map((a) => a.id)).toEqual([3, 4]);
    const cursor = first.body.additional_data.next_cursor;
    const next = await get(`/api/v2/activities?updated_since=2026-10-01T12:00:00Z&limit=2&cursor=${cursor}`);
    expect(next.body).toMatchObject({ data: [{ id: 5 }], additional_data: { next_cursor: null } });
    expect((await get('/api/v2/activities?limit=501')).status).toBe(400);
    expect((await get('/api/v2/activities?cursor=bm90LW91cnM')).status).toBe(400);
  });

  it('pages v1 leads by offset, and refuses past the burst limit with Retry-After until the window passes', async () => {
    const leads = await get('/api/v1/leads?start=1&limit=1&sort=add_time%20DESC');
    expect(leads.body.data.map((l) => String(l.id).slice(-1))).toEqual(['2']);
    expect(leads.body.additional_data.pagination).toEqual({
      start: 1,
      limit: 1,
      more_items_in_collection: true,
      next_start: 2,
    });
    expect((await get('/api/v1/leads?sort=title%20DESC')).status).toBe(400);
    expect(await get('/api/v1/leads')).toMatchObject({ status: 429, limits: ['6', '0', '2', '2'] });
    clock += 2000;
    expect((await get('/api/v1/leads')).status).toBe(200);
  });
});
