import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_MAX_IDS, type FakeSalesforce, startFakeSalesforce } from '../../support/fake-salesforce.js';

const DEAL = '0065w000023STAmAAO';
let fake: FakeSalesforce;

beforeAll(async () => {
  fake = await startFakeSalesforce();
  fake.addOpportunity({ Id: DEAL, Name: 'Northwind', Amount: 10 });
  fake.addUser({ Id: '0055w00000BhqR0AAJ', Email: 'ada@example.com', Name: 'Ada' });
});

afterAll(async () => {
  await fake.close();
});

async function get(path: string, token: string | null = fake.accessToken, method = 'GET') {
  const response = await fetch(`${fake.instanceUrl}${path}`, {
    method,
    headers: token === null ? {} : { Authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

const retrieve = (ids: string, fields = 'Id,Name') =>
  `/services/data/v60.0/composite/sobjects/Opportunity?${new URLSearchParams({ ids, fields })}`;
const query = (q: string) => `/services/data/v60.0/query?${new URLSearchParams({ q })}`;

describe('the fake Salesforce', () => {
  it('answers records in the order asked, null for unknown and malformed ids, fields case-insensitively', async () => {
    expect(await get(retrieve(`0065w000023STAnAAO,${DEAL.slice(0, 15)},bad`, 'id,NAME,Amount,StageName'))).toEqual({
      status: 200,
      body: [
        null,
        {
          attributes: { type: 'Opportunity', url: `/services/data/v60.0/sobjects/Opportunity/${DEAL}` },
          Id: DEAL,
          Name: 'Northwind',
          Amount: 10,
          StageName: null,
        },
        null,
      ],
    });
  });

  it.each([
    ['a wrong token', 'nope'],
    ['no token', null],
  ])('refuses %s with 401 INVALID_SESSION_ID, as a JSON array', async (_, token) => {
    expect(await get(retrieve(DEAL), token)).toEqual({
      status: 401,
      body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    });
  });

  it(`refuses more than ${FAKE_MAX_IDS} ids, no ids, and unknown fields`, async () => {
    const many = Array.from({ length: FAKE_MAX_IDS + 1 }, () => DEAL).join(',');
    expect(await get(retrieve(many))).toMatchObject({ status: 400, body: [{ errorCode: 'LIMIT_EXCEEDED' }] });
    expect(await get(retrieve(''))).toMatchObject({ status: 400, body: [{ errorCode: 'MISSING_ARGUMENT' }] });
    expect(await get(retrieve(DEAL, 'Id,CurrencyIsoCode'))).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_FIELD' }],
    });
  });

  it('answers the one SOQL shape the app sends', async () => {
    expect(await get(query("SELECT Id, Email FROM User WHERE Id IN ('0055w00000BhqR0')"))).toEqual({
      status: 200,
      body: {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'User', url: '/services/data/v60.0/sobjects/User/0055w00000BhqR0AAJ' },
            Id: '0055w00000BhqR0AAJ',
            Email: 'ada@example.com',
          },
        ],
      },
    });
  });

  it.each([
    ['SELECT Id FROM Contact', 'MALFORMED_QUERY'],
    ["SELECT Id FROM User WHERE Id IN ('0055w00000BhqR0' OR 1=1)", 'MALFORMED_QUERY'],
    ["SELECT Id FROM User WHERE Id IN ('0055w00000BhqR0', 0055w00000BhqR1)", 'MALFORMED_QUERY'],
    ['SELECT Id FROM User WHERE Id IN ()', 'MALFORMED_QUERY'],
    ["SELECT Id FROM User WHERE Id IN ('nope')", 'INVALID_QUERY_FILTER_OPERATOR'],
    ["SELECT Id, Password FROM User WHERE Id IN ('0055w00000BhqR0')", 'INVALID_FIELD'],
  ])('refuses the SOQL %j', async (soql, errorCode) => {
    expect(await get(query(soql))).toMatchObject({ status: 400, body: [{ errorCode }] });
  });

  it('refuses other resources, methods and query locators', async () => {
    expect(await get('/services/data/v60.0/sobjects/Opportunity')).toMatchObject({ status: 404 });
    expect(await get(retrieve(DEAL), fake.accessToken, 'POST')).toMatchObject({ status: 405 });
    expect(await get('/services/data/v60.0/query/01gNOPE-2000')).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_QUERY_LOCATOR' }],
    });
  });
});

describe('the fake Salesforce’s query resource, as a backfill reads it', () => {
  let paged: FakeSalesforce;
  const task = (n: number, fields: Record<string, string | boolean | null> = {}) => ({
    Id: `00T5w00000${String(n).padStart(5, '0')}AAA`,
    Subject: `Task ${n}`,
    IsDeleted: false,
    LastModifiedDate: `2026-10-${String(n).padStart(2, '0')}T10:00:00.000+0000`,
    ...fields,
  });
  const ask = async (q: string, path = query(q)) => {
    const response = await fetch(`${paged.instanceUrl}${path}`, {
      headers: { Authorization: `Bearer ${paged.accessToken}` },
    });
    const body = (await response.json()) as { nextRecordsUrl: string; records: { Id: string }[] };
    return { status: response.status, usage: response.headers.get('sforce-limit-info'), body };
  };

  beforeAll(async () => {
    paged = await startFakeSalesforce({ queryBatchSize: 2, dailyApiLimit: 9 });
    for (let n = 1; n <= 5; n++) paged.addRecord('Task', task(n));
    paged.addRecord('Task', task(6, { IsDeleted: true }));
  });
  afterAll(async () => {
    await paged.close();
  });

  it('filters, orders and pages, leaves deleted records out, and takes each nextRecordsUrl once', async () => {
    const soql =
      'SELECT Id FROM Task WHERE (LastModifiedDate >= 2026-10-02T00:00:00Z AND IsDeleted = false) ORDER BY Id DESC';
    const first = await ask(soql);
    expect(first).toMatchObject({ status: 200, usage: 'api-usage=1/9', body: { totalSize: 4, done: false } });
    expect(first.body.records.map((r) => r.Id.slice(10, 15))).toEqual(['00005', '00004']);
    const next = await ask('', first.body.nextRecordsUrl);
    expect(next.body).toMatchObject({ totalSize: 2, done: true });
    expect(await ask('', first.body.nextRecordsUrl)).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_QUERY_LOCATOR' }],
    });
    expect((await ask('SELECT COUNT() FROM Task')).body).toEqual({ totalSize: 5, done: true, records: [] });
  });

  it.each([
    ["SELECT Id FROM Task WHERE IsClosed = true AND Id > 'a' OR Subject = 'x'", 'MALFORMED_QUERY'],
    ['SELECT Id FROM Task WHERE LastModifiedDate >= 2026-10-02T00:00:00.000Z', 'MALFORMED_QUERY'],
    ['SELECT Id, Password FROM Task', 'INVALID_FIELD'],
    ['SELECT Id FROM Task WHERE Nope = 1', 'INVALID_FIELD'],
    ['SELECT Id, (SELECT Id FROM OpportunityHistories) FROM Task', 'INVALID_TYPE'],
  ])('refuses the SOQL %j', async (soql, errorCode) => {
    expect(await ask(soql)).toMatchObject({ status: 400, body: [{ errorCode }] });
  });

  it('refuses every call once the org’s daily API requests are spent', async () => {
    paged.apiUsage = 9;
    expect(await ask('SELECT Id FROM Task')).toMatchObject({
      status: 403,
      usage: 'api-usage=10/9',
      body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
  });
});
