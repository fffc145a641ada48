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
