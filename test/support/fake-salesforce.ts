/**
 * A strict, local fake of the two Salesforce REST endpoints the app calls, and a builder of
 * outbound messages exactly as Salesforce sends them.
 *
 * - `GET /services/data/vXX.X/composite/sobjects/Opportunity?ids=…&fields=…`: the records in the
 *   order of the ids, null for unknown or malformed ids; 400 for no ids, more than 200 ids (the app's
 *   batch size; Salesforce itself only fails at about 800, with 414) or a field Opportunity lacks
 *   (`CurrencyIsoCode` too, unless the org is multi-currency).
 * - `GET /services/data/vXX.X/query?q=SELECT … FROM User WHERE Id IN ('…', …)`: only that shape of
 *   SOQL; anything else is 400 MALFORMED_QUERY. Answers come in batches of `queryBatchSize`,
 *   the rest behind `nextRecordsUrl`.
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
}

export interface FakeSalesforce {
  instanceUrl: string;
  accessToken: string;
  /** An admin approving the connected app for the org: the code Salesforce redirects with. */
  approve(organizationId: string): string;
  liveRefreshTokens(organizationId: string): number;
  /** Every call's `Authorization` header, in order. */
  authorizations: (string | undefined)[];
  addOpportunity(record: FakeRecord): void;
  addUser(user: FakeUser): void;
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
  const opportunityFields = options.multiCurrency ? [...OPPORTUNITY_FIELDS, 'CurrencyIsoCode'] : OPPORTUNITY_FIELDS;
  const opportunities = new Map<string, FakeRecord>();
  const users = new Map<string, FakeUser>();
  const failures: { status: number; times: number; errorCode: string; retryAfter?: number }[] = [];
  const pendingPages = new Map<string, unknown[]>();
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

  function page(version: string, records: unknown[]) {
    const rest = records.slice(queryBatchSize);
    const answer: Record<string, unknown> = { totalSize: records.length, done: rest.length === 0 };
    if (rest.length > 0) {
      const locator = `01gFAKE${++locators}-${queryBatchSize}`;
      pendingPages.set(locator, rest);
      answer.nextRecordsUrl = `/services/data/${version}/query/${locator}`;
    }
    answer.records = records.slice(0, queryBatchSize);
    return answer;
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
    const rest = pendingPages.get(locator);
    if (!rest) throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    pendingPages.delete(locator);
    return page(version, rest);
  }

  function route(req: IncomingMessage, url: URL, text: string): unknown {
    const oauth = oauthRoute(req, url, text);
    if (oauth !== null) return oauth;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== accessToken && !liveSession(bearer))
      throw new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (req.method !== 'GET')
      throw new SalesforceError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed`);
    const match = /^\/services\/data\/(v\d+\.\d+)\/(composite\/sobjects\/Opportunity|query)(?:\/([\w-]+))?$/.exec(
      url.pathname,
    );
    const [, version = '', resource, locator] = match ?? [];
    if (resource === 'composite/sobjects/Opportunity' && !locator)
      return retrieveOpportunities(version, url.searchParams);
    if (resource === 'query' && locator) return queryMore(version, locator);
    if (resource === 'query') return queryUsers(version, url.searchParams.get('q') ?? '');
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
