/**
 * A strict, local fake of the two Salesforce REST endpoints the app calls, and a builder of
 * outbound messages exactly as Salesforce sends them.
 *
 * - `GET /services/data/vXX.X/composite/sobjects/Opportunity?ids=…&fields=…`: the records in the
 *   order of the ids, null for unknown or malformed ids; 400 for no ids, more than 200 ids (the app's
 *   batch size; Salesforce itself only fails at about 800, with 414) or a field Opportunity lacks
 *   (`CurrencyIsoCode` too, unless the org is multi-currency).
 * - `GET /services/data/vXX.X/query?q=SELECT … FROM User WHERE Id IN ('…', …)`: only that shape of
 *   SOQL on User.
 * - `GET /services/data/vXX.X/query?q=…` on Opportunity (with its `OpportunityHistories`), Lead, Task
 *   and Event: the SOQL of fake-salesforce-soql.ts, `COUNT()` included; any other object is 400
 *   MALFORMED_QUERY, a field the object lacks 400 INVALID_FIELD. Like `query` (not `queryAll`), records
 *   marked `IsDeleted` are left out
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm).
 * - Answers come in batches of `queryBatchSize` (Salesforce's default 2,000), `{ totalSize, done,
 *   nextRecordsUrl?, records }`; a child relationship carries at most 200 rows inline, the rest behind
 *   its own `nextRecordsUrl`
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm). A
 *   `nextRecordsUrl` is good once, and not after 15 minutes unused (the injected clock): else 400
 *   INVALID_QUERY_LOCATOR
 *   (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_limits.htm).
 * - Every REST answer carries `Sforce-Limit-Info: api-usage=used/limit`; past `dailyApiLimit` calls the
 *   org's API request limit is spent: 403 REQUEST_LIMIT_EXCEEDED
 *   (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm,
 *   https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm).
 *
 * With `oauth` (a connected app), the fake is also the login host: `approve(orgId)` stands for an admin's
 * consent and gives a code good once; `POST /services/oauth2/token` (form; client id and secret, the
 * redirect URI, an unknown or used code, a revoked refresh token: 400) answers `{ access_token,
 * refresh_token, instance_url, id }`, and a refresh answers no new refresh token; sessions end after two
 * hours (Salesforce's default timeout) by the injected clock; `GET /id/{org}/{user}` with the session's
 * bearer token answers its `organization_id`; `POST /services/oauth2/revoke` revokes a refresh token.
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm,
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm; its OAuth errors keep
 * the REST error shape, which the app does not read.)
 *
 * A missing or wrong bearer token gets 401 `INVALID_SESSION_ID`, errors being Salesforce's JSON
 * array `[{ "message", "errorCode" }]`. Ids match on their 15-character form, as in Salesforce.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeXml, OUTBOUND_NS, SOAP_ENVELOPE_NS, SOBJECT_NS } from '../../src/integrations/salesforce/soap.js';
import { type ChildSelect, matches, parseSoql, SoqlError, type SoqlQuery } from './fake-salesforce-soql.js';

export type SalesforceValue = string | number | boolean | null;
/** A record as the REST API returns it: dates as `2024-03-01`, date-times as `2024-03-01T10:00:00.000+0000`. */
export type FakeRecord = { Id: string } & Record<string, SalesforceValue>;

export interface FakeUser {
  Id: string;
  Email: string | null;
  Name: string | null;
}

export interface FakeCall {
  method: string;
  path: string;
  search: URLSearchParams;
  status: number;
}

export interface FakeFailure {
  status: number;
  /** How many calls fail; default 1. */
  times?: number;
  /** Default: Salesforce's code for the status (e.g. SERVER_UNAVAILABLE for 503). */
  errorCode?: string;
  retryAfter?: number;
}

export interface FakeSalesforceOAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface FakeSalesforceOptions {
  accessToken?: string;
  /** A connected app: the fake is then also the login host (token, revoke and identity endpoints). */
  oauth?: FakeSalesforceOAuthApp;
  /** The clock that ends OAuth sessions (two hours, Salesforce's default timeout). */
  now?: () => Date;
  multiCurrency?: boolean;
  /** Records per query answer; Salesforce's default is 2000. */
  queryBatchSize?: number;
  /** The org's API requests a day (Enterprise Edition starts at 100,000); default 100,000. */
  dailyApiLimit?: number;
}

/** The objects a backfill reads, besides Opportunity. */
export type FakeObject = 'Lead' | 'Task' | 'Event' | 'OpportunityHistory';

export interface FakeSalesforce {
  instanceUrl: string;
  accessToken: string;
  /** An admin approving the connected app for the org: the code Salesforce redirects with. */
  approve(organizationId: string): string;
  liveRefreshTokens(organizationId: string): number;
  /** Every call's `Authorization` header, in order. */
  authorizations: (string | undefined)[];
  addOpportunity(record: FakeRecord): void;
  /** A Lead, Task, Event or OpportunityHistory row (`OpportunityId` names its Opportunity). */
  addRecord(type: FakeObject, record: FakeRecord): void;
  addUser(user: FakeUser): void;
  /** The org's API requests counted today (other integrations' too); set it to near the limit to test it. */
  apiUsage: number;
  failNext(failure: FakeFailure): void;
  calls: FakeCall[];
  close(): Promise<void>;
}

const OPPORTUNITY_FIELDS = [
  'Id',
  'AccountId',
  'Amount',
  'CloseDate',
  'CreatedDate',
  'Description',
  'IsClosed',
  'IsWon',
  'LastModifiedDate',
  'LeadSource',
  'Name',
  'OwnerId',
  'Probability',
  'StageName',
  'SystemModstamp',
  'Type',
];
const USER_FIELDS = ['Id', 'Email', 'Name'];
/** Fields of the object reference (…/object_reference/sforce_api_objects_lead.htm, _task.htm, _event.htm, _opportunityhistory.htm). */
const ACTIVITY_FIELDS = ['Id', 'OwnerId', 'WhoId', 'WhatId', 'Subject', 'IsDeleted', 'CreatedDate', 'LastModifiedDate'];
const OBJECT_FIELDS: Record<FakeObject, readonly string[]> = {
  Lead: [
    'Id',
    'OwnerId',
    'LeadSource',
    'Status',
    'Company',
    'Email',
    'IsConverted',
    'IsDeleted',
    'CreatedDate',
    'LastModifiedDate',
  ],
  Task: [
    ...ACTIVITY_FIELDS,
    'TaskSubtype',
    'CallDisposition',
    'CallDurationInSeconds',
    'Type',
    'Status',
    'IsClosed',
    'CompletedDateTime',
    'ActivityDate',
  ],
  Event: [...ACTIVITY_FIELDS, 'StartDateTime', 'EndDateTime', 'ActivityDateTime', 'ActivityDate'],
  OpportunityHistory: [
    'Id',
    'OpportunityId',
    'StageName',
    'Amount',
    'CloseDate',
    'Probability',
    'CreatedDate',
    'IsDeleted',
  ],
};
/** Rows of a child relationship inline in its parent's answer; the rest behind its own nextRecordsUrl. */
const CHILD_BATCH_SIZE = 200;
/** A query locator unused this long is gone. */
const LOCATOR_IDLE_MS = 15 * 60_000;
export const FAKE_MAX_IDS = 200;
const ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const SOQL = /^SELECT\s+(.+?)\s+FROM\s+User\s+WHERE\s+Id\s+IN\s*\((.*)\)$/i;

const ERROR_CODES: Record<number, string> = {
  401: 'INVALID_SESSION_ID',
  403: 'REQUEST_LIMIT_EXCEEDED',
  429: 'REQUEST_LIMIT_EXCEEDED',
  500: 'UNKNOWN_EXCEPTION',
  503: 'SERVER_UNAVAILABLE',
};

class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const key = (id: string) => id.slice(0, 15);

/** Field names are case-insensitive in Salesforce; answers use the canonical spelling. */
function canonicalFields(requested: string, known: readonly string[]): string[] {
  return requested.split(',').map((name) => {
    const canonical = known.find((field) => field.toLowerCase() === name.trim().toLowerCase());
    if (!canonical) throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${name.trim()}' on entity`);
    return canonical;
  });
}

function withAttributes(type: string, version: string, record: Record<string, SalesforceValue>, fields: string[]) {
  const result: Record<string, unknown> = {
    attributes: { type, url: `/services/data/${version}/sobjects/${type}/${record.Id}` },
  };
  for (const field of fields) result[field] = record[field] ?? null;
  return result;
}

export async function startFakeSalesforce(options: FakeSalesforceOptions = {}): Promise<FakeSalesforce> {
  const accessToken = options.accessToken ?? 'fake-salesforce-token';
  const queryBatchSize = options.queryBatchSize ?? 2000;
  const opportunityFields = options.multiCurrency
    ? [...OPPORTUNITY_FIELDS, 'CurrencyIsoCode', 'IsDeleted']
    : [...OPPORTUNITY_FIELDS, 'IsDeleted'];
  const dailyApiLimit = options.dailyApiLimit ?? 100_000;
  const opportunities = new Map<string, FakeRecord>();
  const tables: Record<FakeObject, Map<string, FakeRecord>> = {
    Lead: new Map(),
    Task: new Map(),
    Event: new Map(),
    OpportunityHistory: new Map(),
  };
  const users = new Map<string, FakeUser>();
  const failures: { status: number; times: number; errorCode: string; retryAfter?: number }[] = [];
  const pendingPages = new Map<string, { rest: unknown[]; batchSize: number; usedAt: number }>();
  const counter = { apiUsage: 0 };
  const calls: FakeCall[] = [];
  const authorizations: (string | undefined)[] = [];
  let locators = 0;
  const now = options.now ?? (() => new Date());
  let baseUrl = '';
  let issued = 0;
  type Grant = { organizationId: string; revoked: boolean };
  const codes = new Map<string, { organizationId: string; used: boolean }>();
  const refreshTokens = new Map<string, Grant>();
  const sessions = new Map<string, { grant: Grant; endsAt: number }>();
  const SESSION_MS = 2 * 60 * 60_000;

  function liveSession(token: string | undefined): Grant | null {
    const live = token === undefined ? undefined : sessions.get(token);
    return live && !live.grant.revoked && live.endsAt > now().getTime() ? live.grant : null;
  }

  function session(grant: Grant, refreshToken: string | null) {
    const accessToken = `00D!sf-at-${++issued}-${randomUUID()}`;
    sessions.set(accessToken, { grant, endsAt: now().getTime() + SESSION_MS });
    return {
      access_token: accessToken,
      ...(refreshToken && { refresh_token: refreshToken }),
      signature: 'fake',
      scope: 'api refresh_token',
      instance_url: baseUrl,
      id: `${baseUrl}/id/${grant.organizationId}/005000000000001AAA`,
      token_type: 'Bearer',
      issued_at: String(now().getTime()),
    };
  }

  /** The login host's endpoints (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm); null for others. */
  function oauthRoute(req: IncomingMessage, url: URL, text: string): unknown {
    const app = options.oauth;
    const identity = /^\/id\/(00D\w+)\/(005\w+)$/.exec(url.pathname);
    if (identity) {
      const grant = liveSession(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]);
      if (!grant || grant.organizationId !== identity[1])
        throw new SalesforceError(403, 'Bad_OAuth_Token', 'Bad_OAuth_Token');
      return {
        id: url.toString(),
        organization_id: grant.organizationId,
        user_id: identity[2],
        username: 'admin@example.com',
      };
    }
    if (url.pathname !== '/services/oauth2/token' && url.pathname !== '/services/oauth2/revoke') return null;
    if (!app || req.method !== 'POST')
      throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const form = new URLSearchParams(text);
    if (url.pathname === '/services/oauth2/revoke') {
      const grant = refreshTokens.get(form.get('token') ?? '');
      if (!grant) throw new SalesforceError(400, 'unsupported_token_type', 'this token type is not supported');
      grant.revoked = true;
      return {};
    }
    if (form.get('client_id') !== app.clientId || form.get('client_secret') !== app.clientSecret)
      throw new SalesforceError(400, 'invalid_client', 'invalid client credentials');
    if (form.get('grant_type') === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (form.get('redirect_uri') !== app.redirectUri)
        throw new SalesforceError(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      if (!code || code.used) throw new SalesforceError(400, 'invalid_grant', 'invalid authorization code');
      code.used = true;
      const grant = { organizationId: code.organizationId, revoked: false };
      const refreshToken = `5Aep-sf-rt-${randomUUID()}`;
      refreshTokens.set(refreshToken, grant);
      return session(grant, refreshToken);
    }
    if (form.get('grant_type') === 'refresh_token') {
      const grant = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked) throw new SalesforceError(400, 'invalid_grant', 'expired access/refresh token');
      // A refresh answers a new session and no new refresh token.
      return session(grant, null);
    }
    throw new SalesforceError(400, 'unsupported_grant_type', 'grant type not supported');
  }

  function retrieveOpportunities(version: string, search: URLSearchParams) {
    const ids = (search.get('ids') ?? '').split(',').filter(Boolean);
    const fieldList = search.get('fields');
    if (ids.length === 0 || !fieldList)
      throw new SalesforceError(400, 'MISSING_ARGUMENT', 'ids and fields are required');
    if (ids.length > FAKE_MAX_IDS) throw new SalesforceError(400, 'LIMIT_EXCEEDED', `More than ${FAKE_MAX_IDS} ids`);
    const fields = canonicalFields(fieldList, opportunityFields);
    return ids.map((id) => {
      const record = ID.test(id) ? opportunities.get(key(id)) : undefined;
      return record ? withAttributes('Opportunity', version, record, fields) : null;
    });
  }

  function page(version: string, records: unknown[], batchSize = queryBatchSize, totalSize = records.length) {
    const rest = records.slice(batchSize);
    const answer: Record<string, unknown> = { totalSize, done: rest.length === 0 };
    if (rest.length > 0) {
      const locator = `01gFAKE${++locators}-${batchSize}`;
      pendingPages.set(locator, { rest, batchSize, usedAt: now().getTime() });
      answer.nextRecordsUrl = `/services/data/${version}/query/${locator}`;
    }
    answer.records = records.slice(0, batchSize);
    return answer;
  }

  /** The field's canonical name on the object, or INVALID_FIELD. */
  function fieldOn(object: string, known: readonly string[]) {
    return (name: string) => {
      const field = known.find((f) => f.toLowerCase() === name.toLowerCase());
      if (!field) throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${object}'`);
      return field;
    };
  }

  /** Opportunity's child relationship to OpportunityHistory, as the parent's answer nests it. */
  function histories(version: string, opportunityId: string, child: ChildSelect) {
    if (child.relationship.toLowerCase() !== 'opportunityhistories')
      throw new SalesforceError(400, 'INVALID_TYPE', `Didn't understand relationship '${child.relationship}'`);
    const field = fieldOn('OpportunityHistory', OBJECT_FIELDS.OpportunityHistory);
    const fields = child.fields.map(field);
    const order = child.orderBy === null ? null : field(child.orderBy);
    const rows = [...tables.OpportunityHistory.values()].filter(
      (row) => row.IsDeleted !== true && key(String(row.OpportunityId)) === key(opportunityId),
    );
    if (order) rows.sort((a, b) => String(a[order]).localeCompare(String(b[order])));
    if (rows.length === 0) return null;
    const records = rows.map((row) => withAttributes('OpportunityHistory', version, row, fields));
    return page(version, records, CHILD_BATCH_SIZE);
  }

  /** A SOQL query on the objects a backfill reads. */
  function queryRecords(version: string, soql: string) {
    let query: SoqlQuery;
    try {
      query = parseSoql(soql);
    } catch (error) {
      if (error instanceof SoqlError) throw new SalesforceError(400, error.errorCode, error.message);
      throw error;
    }
    const object = query.object;
    const table = object === 'Opportunity' ? opportunities : tables[object as FakeObject];
    if (!table) throw new SalesforceError(400, 'MALFORMED_QUERY', `sObject type '${object}' is not supported here`);
    const field = fieldOn(object, object === 'Opportunity' ? opportunityFields : OBJECT_FIELDS[object as FakeObject]);
    const fields = query.fields.map(field);
    if (query.children.length > 0 && object !== 'Opportunity')
      throw new SalesforceError(400, 'INVALID_TYPE', `${object} has no child relationships here`);
    let rows = [...table.values()].filter((row) => row.IsDeleted !== true);
    try {
      const where = query.where;
      if (where) rows = rows.filter((row) => matches(row, where, field));
    } catch (error) {
      if (error instanceof SoqlError) throw new SalesforceError(400, error.errorCode, error.message);
      throw error;
    }
    if (query.count) return { totalSize: rows.length, done: true, records: [] };
    const order = query.orderBy;
    if (order) {
      const name = field(order.field);
      rows.sort((a, b) => (String(a[name]) < String(b[name]) ? -1 : String(a[name]) > String(b[name]) ? 1 : 0));
      if (order.descending) rows.reverse();
    }
    const records = rows.map((row) => {
      const record = withAttributes(object, version, row, fields);
      for (const child of query.children) record[child.relationship] = histories(version, row.Id, child);
      return record;
    });
    return page(version, records);
  }

  function queryUsers(version: string, soql: string) {
    const match = SOQL.exec(soql.trim());
    if (!match) throw new SalesforceError(400, 'MALFORMED_QUERY', `unexpected token: ${soql.slice(0, 60)}`);
    const fields = canonicalFields(match[1] ?? '', USER_FIELDS);
    const ids = (match[2] ?? '').split(',').map((literal) => {
      const quoted = /^\s*'([^'\\]*)'\s*$/.exec(literal);
      if (!quoted) throw new SalesforceError(400, 'MALFORMED_QUERY', `unexpected token: ${literal.trim()}`);
      const id = quoted[1] ?? '';
      if (!ID.test(id)) throw new SalesforceError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${id}`);
      return key(id);
    });
    const found = [...new Set(ids)].flatMap((id) => {
      const user = users.get(id);
      return user ? [withAttributes('User', version, { ...user }, fields)] : [];
    });
    return page(version, found);
  }

  function queryMore(version: string, locator: string) {
    const pending = pendingPages.get(locator);
    pendingPages.delete(locator);
    if (!pending || now().getTime() - pending.usedAt > LOCATOR_IDLE_MS)
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(version, pending.rest, pending.batchSize);
  }

  function route(req: IncomingMessage, url: URL, text: string): unknown {
    const oauth = oauthRoute(req, url, text);
    if (oauth !== null) return oauth;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== accessToken && !liveSession(bearer))
      throw new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (req.method !== 'GET')
      throw new SalesforceError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed`);
    if (++counter.apiUsage > dailyApiLimit)
      throw new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    const match = /^\/services\/data\/(v\d+\.\d+)\/(composite\/sobjects\/Opportunity|query)(?:\/([\w-]+))?$/.exec(
      url.pathname,
    );
    const [, version = '', resource, locator] = match ?? [];
    if (resource === 'composite/sobjects/Opportunity' && !locator)
      return retrieveOpportunities(version, url.searchParams);
    if (resource === 'query' && locator) return queryMore(version, locator);
    const soql = url.searchParams.get('q') ?? '';
    if (resource === 'query' && /\bFROM\s+User\b/i.test(soql)) return queryUsers(version, soql);
    if (resource === 'query') return queryRecords(version, soql);
    throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }

  function injectedFailure(): SalesforceError | null {
    const failure = failures[0];
    if (!failure) return null;
    if (--failure.times <= 0) failures.shift();
    return new SalesforceError(failure.status, failure.errorCode, 'Injected failure', failure.retryAfter);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    authorizations.push(req.headers.authorization);
    const url = new URL(req.url ?? '/', baseUrl || 'http://127.0.0.1');
    let status = 200;
    let body: unknown;
    const headers: Record<string, string> = { 'content-type': 'application/json;charset=UTF-8' };
    try {
      const failure = injectedFailure();
      if (failure) throw failure;
      body = route(req, url, text);
    } catch (error) {
      if (!(error instanceof SalesforceError)) throw error;
      status = error.status;
      body = [{ message: error.message, errorCode: error.errorCode }];
      if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
    }
    if (url.pathname.startsWith('/services/data/'))
      headers['sforce-limit-info'] = `api-usage=${counter.apiUsage}/${dailyApiLimit}`;
    calls.push({ method: req.method ?? '', path: url.pathname, search: url.searchParams, status });
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    instanceUrl: baseUrl,
    accessToken,
    approve(organizationId) {
      const code = `aPrx-sf-code-${++issued}`;
      codes.set(code, { organizationId, used: false });
      return code;
    },
    liveRefreshTokens: (organizationId) =>
      [...refreshTokens.values()].filter((g) => g.organizationId === organizationId && !g.revoked).length,
    authorizations,
    addOpportunity: (record) => opportunities.set(key(record.Id), record),
    addRecord: (type, record) => tables[type].set(key(record.Id), record),
    get apiUsage() {
      return counter.apiUsage;
    },
    set apiUsage(used) {
      counter.apiUsage = used;
    },
    addUser: (user) => users.set(key(user.Id), user),
    failNext: ({ status, times = 1, errorCode = ERROR_CODES[status] ?? 'UNKNOWN_EXCEPTION', retryAfter }) =>
      failures.push({ status, times, errorCode, retryAfter }),
    calls,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Outbound messages
// ---------------------------------------------------------------------------------------------------------------------

export interface OutboundNotification {
  /** The notification id (`04l…`), the same on every retry. */
  id: string;
  /** Fields by API name, without prefix; null is sent as `xsi:nil="true"`. */
  sObject: { type: string; fields: Record<string, SalesforceValue> };
}

export interface OutboundMessageOptions {
  organizationId: string;
  notifications: readonly OutboundNotification[];
  actionId?: string;
  /** Sent only when the outbound message is set to include a session id; nil otherwise. */
  sessionId?: string | null;
  /** Salesforce writes `soapenv` and `sf`; other senders (and proxies) choose others. */
  envelopePrefix?: string;
  sObjectPrefix?: string;
}

/** Doubles as Salesforce (Java) writes them: `45000.0`, `12500.5`. */
function soapValue(value: string | number | boolean): string {
  return typeof value === 'number' && Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function sObjectXml(sObject: OutboundNotification['sObject'], sf: string): string {
  // Salesforce writes Id first, then the chosen fields in alphabetical order.
  const names = Object.keys(sObject.fields).sort((a, b) => (a === 'Id' ? -1 : b === 'Id' ? 1 : a.localeCompare(b)));
  const fields = names.map((name) => {
    const value = sObject.fields[name] ?? null;
    return value === null
      ? `     <${sf}:${name} xsi:nil="true"/>`
      : `     <${sf}:${name}>${escapeXml(soapValue(value))}</${sf}:${name}>`;
  });
  return [
    `    <sObject xsi:type="${sf}:${sObject.type}" xmlns:${sf}="${SOBJECT_NS}">`,
    ...fields,
    '    </sObject>',
  ].join('\n');
}

/** An outbound message in the shape of the documented example (one-space indentation included). */
export function outboundMessage(options: OutboundMessageOptions): string {
  const env = options.envelopePrefix ?? 'soapenv';
  const sf = options.sObjectPrefix ?? 'sf';
  const org = options.organizationId;
  const instance = 'https://example.my.salesforce.com/services/Soap';
  const sessionId = options.sessionId ?? null;
  const notifications = options.notifications.map((n) =>
    ['   <Notification>', `    <Id>${escapeXml(n.id)}</Id>`, sObjectXml(n.sObject, sf), '   </Notification>'].join(
      '\n',
    ),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<${env}:Envelope xmlns:${env}="${SOAP_ENVELOPE_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
    ` <${env}:Body>`,
    `  <notifications xmlns="${OUTBOUND_NS}">`,
    `   <OrganizationId>${escapeXml(org)}</OrganizationId>`,
    `   <ActionId>${escapeXml(options.actionId ?? '04k5w000000TSwMAAW')}</ActionId>`,
    sessionId === null ? '   <SessionId xsi:nil="true"/>' : `   <SessionId>${escapeXml(sessionId)}</SessionId>`,
    `   <EnterpriseUrl>${instance}/c/60.0/${escapeXml(org.slice(0, 15))}</EnterpriseUrl>`,
    `   <PartnerUrl>${instance}/u/60.0/${escapeXml(org.slice(0, 15))}</PartnerUrl>`,
    ...notifications,
    '  </notifications>',
    ` </${env}:Body>`,
    `</${env}:Envelope>`,
  ].join('\n');
}
