/**
 * A strict, local fake of the two HubSpot endpoints the app calls, plus signers for webhook requests.
 *
 * - `POST /crm/v3/objects/deals/batch/read`: 200 when every id is known, 207 with an `OBJECT_NOT_FOUND`
 *   error listing the unknown ids otherwise; requested properties the deal lacks come back as null, as
 *   HubSpot does. Refuses more than 100 inputs, bad JSON and a non-JSON content type.
 * - `GET /crm/v3/owners/{ownerId}`: the owner, or 404.
 * - `GET /crm/v3/objects/{calls|meetings|emails|tasks}/{id}?properties=a,b&associations=contacts,deals`: the
 *   engagement with the requested properties (null when unset, plus `hs_object_id`, `hs_createdate`,
 *   `hs_lastmodifieddate`, as HubSpot always adds) and, per association type asked for that it has, `{ results:
 *   [{ id, type }] }` (types it has none of are left out). 404 `OBJECT_NOT_FOUND` for an id it does not have
 *   (deleted included), 400 for an association type that is not an object type. Shapes from
 *   https://developers.hubspot.com/docs/api-reference/crm-calls-v3/basic/get-crm-v3-objects-calls-callId
 *
 * OAuth, when started with `oauth` (the app's client id, secret and redirect URI), on the dated API
 * (https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide), form-encoded bodies only:
 * - `approve(hubId)` stands for an admin approving on HubSpot's consent page: it returns a code, which
 *   works once, with the redirect URI given;
 * - `POST /oauth/2026-03/token`: `authorization_code` and `refresh_token` grants, answering
 *   `{ access_token, refresh_token, expires_in, token_type }`; a bad client id or secret, an unknown or
 *   used code, another redirect URI, an unknown or revoked refresh token: 400 `VALIDATION_ERROR`
 *   (https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token).
 *   Access tokens live `accessTokenSeconds` (HubSpot: 30 minutes) by the injected clock; the refresh
 *   token stays the same, as HubSpot's does;
 * - `POST /oauth/2026-03/token/introspect`: `{ active: true, hub_id, … }` for a live token, else
 *   `{ active: false }` (https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/token-introspect);
 * - `POST /oauth/2026-03/token/revoke`: revokes a refresh token, 200 whatever it was
 *   (https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/revoke-token);
 * - `uninstall(hubId)` stands for the portal removing the app: its refresh and access tokens stop working.
 *
 * Search, associations and property history, as a backfill reads them: see `fake-hubspot-search.ts`.
 *
 * Every other request needs `Authorization: Bearer <token>`: the fixed `accessToken`, or a live OAuth
 * access token (401 otherwise, `EXPIRED_AUTHENTICATION` for an expired one). `failNext` answers the next
 * requests with an error status (and `Retry-After`) before anything else is checked. Every request is
 * recorded in `calls`, refused ones included.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeHubSpotRecords, FakeSearch, MemoryRecords, type StageVersion } from './fake-hubspot-search.js';

const FAKE_HUBSPOT_TOKEN = 'pat-na1-fake-hubspot-token';
const MAX_BATCH_INPUTS = 100;
const DEALS_BATCH_READ = '/crm/v3/objects/deals/batch/read';
const OWNER_PATH = /^\/crm\/v3\/owners\/([^/]+)$/;
const ENGAGEMENT_PATH = /^\/crm\/v3\/objects\/(calls|meetings|emails|tasks)\/([^/]+)$/;
const SEARCH_PATH = /^\/crm\/v3\/objects\/(deals|contacts|calls|meetings|emails|tasks)\/search$/;
const ASSOCIATIONS_PATH = /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/;
/** Association types the fake knows; HubSpot refuses a name that is not an object type. */
const ASSOCIATION_TYPES = new Set(['contacts', 'deals', 'companies', 'tickets']);
/** The association label HubSpot gives each pair, e.g. `call_to_contact`. */
const SINGULAR: Record<string, string> = {
  calls: 'call',
  meetings: 'meeting',
  emails: 'email',
  tasks: 'task',
  contacts: 'contact',
  deals: 'deal',
  companies: 'company',
  tickets: 'ticket',
};

export type EngagementPath = 'calls' | 'meetings' | 'emails' | 'tasks';

export interface FakeEngagement {
  properties: Record<string, string | null>;
  /** Association type (`contacts`, `deals`) → the ids of the records it is associated with. */
  associations?: Record<string, string[]>;
}

export interface FakeOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface FailureSpec {
  status: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** How many requests in a row fail; default 1. */
  times?: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  /** The parsed JSON body, or the raw text when it is not JSON; undefined without a body. */
  body: unknown;
  authorization: string | undefined;
  /** The status the fake answered. */
  status: number;
}

export interface FakeHubSpotOAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Lifetime of an access token; HubSpot's is 1,800 s. */
  accessTokenSeconds?: number;
}

export interface FakeHubSpot {
  baseUrl: string;
  accessToken: string;
  /** An admin approving the app for the portal on HubSpot's consent page: the code it redirects with. */
  approve(hubId: number): string;
  /** The portal uninstalls the app: every token it was granted stops working. */
  uninstall(hubId: number): void;
  /** Refresh tokens of the portal that still work. */
  liveRefreshTokens(hubId: number): number;
  addDeal(id: string, properties: Record<string, string | null>): void;
  /** A deal's `dealstage` versions, oldest first: what `propertiesWithHistory` answers. */
  setStageHistory(dealId: string, versions: StageVersion[]): void;
  /** A contact, for search. */
  addContact(id: string, properties: Record<string, string | null>): void;
  /** `Retry-After` seconds sent with the search limit's 429 (HubSpot sends none); null for none. */
  searchRetryAfter(seconds: number | null): void;
  addOwner(owner: FakeOwner): void;
  /** Adds or replaces an engagement (an edit in HubSpot). */
  putEngagement(path: EngagementPath, id: string, engagement: FakeEngagement): void;
  deleteEngagement(path: EngagementPath, id: string): void;
  failNext(failure: FailureSpec): void;
  readonly calls: RecordedCall[];
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const hubspotError = (status: number, category: string, message: string): Answer => ({
  status,
  body: { status: 'error', message, correlationId: '00000000-0000-4000-8000-000000000000', category },
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ inputs: [{ id }], properties?: string[] }`, or the 400 HubSpot answers to anything else. */
function readBatchRequest(body: unknown): { ids: string[]; properties: string[]; withHistory: string[] } | Answer {
  const inputs = isRecord(body) && Array.isArray(body.inputs) ? body.inputs : [null];
  const ids = inputs.map((input) => (isRecord(input) && typeof input.id === 'string' ? input.id : null));
  if (!ids.every((id): id is string => id !== null)) {
    return hubspotError(400, 'VALIDATION_ERROR', 'inputs must be a list of { "id": string }');
  }
  const properties = isRecord(body) ? (body.properties ?? []) : null;
  if (!Array.isArray(properties) || !properties.every((name) => typeof name === 'string')) {
    return hubspotError(400, 'VALIDATION_ERROR', 'properties must be a list of strings');
  }
  const withHistory = isRecord(body) ? (body.propertiesWithHistory ?? []) : [];
  if (!Array.isArray(withHistory) || !withHistory.every((name) => typeof name === 'string')) {
    return hubspotError(400, 'VALIDATION_ERROR', 'propertiesWithHistory must be a list of strings');
  }
  return { ids, properties, withHistory };
}

interface Grant {
  hubId: number;
  revoked: boolean;
}

const OAUTH_PATH = '/oauth/2026-03';

class FakeHubSpotServer {
  private readonly codes = new Map<string, { hubId: number; used: boolean }>();
  /** Refresh token → its grant; access token → its grant and expiry. */
  private readonly refreshTokens = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { grant: Grant; expiresAt: number }>();
  private issued = 0;
  private readonly deals = new Map<string, Record<string, string | null>>();
  private readonly owners = new Map<string, FakeOwner>();
  private readonly engagements = new Map<string, FakeEngagement>();
  private readonly failures: { spec: FailureSpec; remaining: number }[] = [];
  readonly calls: RecordedCall[] = [];
  readonly memory = new MemoryRecords();
  readonly search: FakeSearch;
  readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    });
  });

  constructor(
    readonly accessToken: string,
    private readonly oauth: FakeHubSpotOAuthApp | null,
    private readonly now: () => Date,
    records: FakeHubSpotRecords | null,
  ) {
    this.search = new FakeSearch(records ?? this.memory, now);
  }

  approve(hubId: number): string {
    const code = `code-${hubId}-${++this.issued}`;
    this.codes.set(code, { hubId, used: false });
    return code;
  }

  uninstall(hubId: number): void {
    for (const grant of this.refreshTokens.values()) if (grant.hubId === hubId) grant.revoked = true;
  }

  liveRefreshTokens(hubId: number): number {
    return [...this.refreshTokens.values()].filter((g) => g.hubId === hubId && !g.revoked).length;
  }

  /** A new access token on the grant, valid for the app's lifetime from the fake's clock. */
  private tokenAnswer(grant: Grant, refreshToken: string): Answer {
    const seconds = this.oauth?.accessTokenSeconds ?? 1800;
    const accessToken = `hs-at-${grant.hubId}-${++this.issued}-${randomUUID()}`;
    this.accessTokens.set(accessToken, { grant, expiresAt: this.now().getTime() + seconds * 1000 });
    return {
      status: 200,
      body: { token_type: 'bearer', access_token: accessToken, refresh_token: refreshToken, expires_in: seconds },
    };
  }

  private liveAccess(token: string): Grant | null {
    const access = this.accessTokens.get(token);
    if (!access || access.grant.revoked || access.expiresAt <= this.now().getTime()) return null;
    return access.grant;
  }

  /** The OAuth endpoints; null for a path that is not one. */
  private oauthAnswer(req: IncomingMessage, method: string, path: string, text: string): Answer | null {
    if (!path.startsWith(`${OAUTH_PATH}/`)) return null;
    const app = this.oauth;
    if (!app) return hubspotError(404, 'OBJECT_NOT_FOUND', 'This fake has no OAuth app');
    if (method !== 'POST') return hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return hubspotError(400, 'VALIDATION_ERROR', 'Parameters must be form-encoded in the body');
    }
    const form = new URLSearchParams(text);
    const refuse = (message: string) => hubspotError(400, 'VALIDATION_ERROR', message);
    if (form.get('client_id') !== app.clientId) return refuse('Invalid client_id');
    if (form.get('client_secret') !== app.clientSecret) return refuse('Invalid client_secret');
    if (path === `${OAUTH_PATH}/token`) {
      const grantType = form.get('grant_type');
      if (grantType === 'authorization_code') {
        if (form.get('redirect_uri') !== app.redirectUri) return refuse('redirect_uri does not match');
        const code = this.codes.get(form.get('code') ?? '');
        if (!code || code.used) return refuse('Invalid or expired authorization code');
        code.used = true;
        const grant = { hubId: code.hubId, revoked: false };
        const refreshToken = `hs-rt-${code.hubId}-${randomUUID()}`;
        this.refreshTokens.set(refreshToken, grant);
        return this.tokenAnswer(grant, refreshToken);
      }
      if (grantType === 'refresh_token') {
        const refreshToken = form.get('refresh_token') ?? '';
        const grant = this.refreshTokens.get(refreshToken);
        if (!grant || grant.revoked) return refuse('missing or invalid refresh token');
        return this.tokenAnswer(grant, refreshToken);
      }
      return refuse(`Unsupported grant_type ${grantType}`);
    }
    if (path === `${OAUTH_PATH}/token/introspect`) {
      const token = form.get('token') ?? '';
      const grant = this.liveAccess(token);
      if (!grant) return { status: 200, body: { active: false } };
      const expiresIn = Math.round(((this.accessTokens.get(token)?.expiresAt ?? 0) - this.now().getTime()) / 1000);
      return {
        status: 200,
        body: {
          active: true,
          token_use: 'access_token',
          hub_id: grant.hubId,
          client_id: app.clientId,
          app_id: 1,
          scopes: ['oauth', 'crm.objects.deals.read'],
          expires_in: expiresIn,
          token_type: 'bearer',
        },
      };
    }
    if (path === `${OAUTH_PATH}/token/revoke`) {
      const grant = this.refreshTokens.get(form.get('token') ?? '');
      if (grant) grant.revoked = true;
      return { status: 200, body: {} };
    }
    return hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${path}`);
  }

  private authorised(header: string | undefined): Answer | null {
    if (header === `Bearer ${this.accessToken}`) return null;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
    if (this.liveAccess(token)) return null;
    if (this.accessTokens.has(token)) {
      return hubspotError(401, 'EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired.');
    }
    return hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found or invalid.');
  }

  addDeal(id: string, properties: Record<string, string | null>): void {
    this.deals.set(id, { ...properties });
    this.memory.put('deals', id, properties);
  }

  addContact(id: string, properties: Record<string, string | null>): void {
    this.memory.put('contacts', id, properties);
  }

  addOwner(owner: FakeOwner): void {
    this.owners.set(owner.id, owner);
  }

  putEngagement(path: EngagementPath, id: string, engagement: FakeEngagement): void {
    this.engagements.set(`${path}/${id}`, structuredClone(engagement));
    this.memory.put(path, id, engagement.properties);
    for (const [to, ids] of Object.entries(engagement.associations ?? {})) {
      this.memory.associations.set(`${path}/${id}/${to}`, [...ids]);
    }
  }

  deleteEngagement(path: EngagementPath, id: string): void {
    this.engagements.delete(`${path}/${id}`);
    this.memory.remove(path, id);
  }

  failNext(spec: FailureSpec): void {
    this.failures.push({ spec, remaining: spec.times ?? 1 });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const json = parseJson(text);
    const answer = this.answer(req, method, path, text, json, url.searchParams);
    this.calls.push({
      method,
      path,
      body: text === '' ? undefined : json.ok ? json.value : text,
      authorization: req.headers.authorization,
      status: answer.status,
    });
    res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8', ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  private answer(
    req: IncomingMessage,
    method: string,
    path: string,
    text: string,
    json: ReturnType<typeof parseJson>,
    query: URLSearchParams,
  ): Answer {
    const failure = this.takeFailure();
    if (failure !== undefined) return failure;
    const oauth = this.oauthAnswer(req, method, path, text);
    if (oauth !== null) return oauth;
    const refused = this.authorised(req.headers.authorization);
    if (refused !== null) return refused;
    const limited = SEARCH_PATH.test(path) ? null : this.search.burstLimited(req.headers.authorization ?? '');
    if (limited !== null) return limited;
    const search = SEARCH_PATH.exec(path) ?? ASSOCIATIONS_PATH.exec(path);
    if (search !== null) {
      if (method !== 'POST') return hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
      if (!json.ok) return hubspotError(400, 'VALIDATION_ERROR', `Invalid input JSON: ${text.slice(0, 40)}`);
      const [, object = '', to] = search;
      return to === undefined
        ? this.search.search(object, json.value, req.headers.authorization ?? '')
        : this.search.associations(object, to, json.value);
    }
    if (path === DEALS_BATCH_READ) {
      if (method !== 'POST') return hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return hubspotError(415, 'VALIDATION_ERROR', 'Content-Type must be application/json');
      }
      if (!json.ok) return hubspotError(400, 'VALIDATION_ERROR', `Invalid input JSON: ${text.slice(0, 40)}`);
      return this.batchRead(json.value);
    }
    const owner = OWNER_PATH.exec(path);
    if (owner !== null) {
      if (method !== 'GET') return hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
      return this.ownerById(decodeURIComponent(owner[1] ?? ''));
    }
    const engagement = ENGAGEMENT_PATH.exec(path);
    if (engagement !== null) {
      if (method !== 'GET') return hubspotError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed`);
      return this.engagementById(engagement[1] ?? '', decodeURIComponent(engagement[2] ?? ''), query);
    }
    return hubspotError(404, 'OBJECT_NOT_FOUND', `No route for ${method} ${path}`);
  }

  private engagementById(path: string, id: string, query: URLSearchParams): Answer {
    const list = (name: string) => (query.get(name) ?? '').split(',').filter((v) => v !== '');
    const wanted = list('associations');
    const unknown = wanted.find((type) => !ASSOCIATION_TYPES.has(type));
    if (unknown !== undefined)
      return hubspotError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${unknown}`);
    const stored = this.engagements.get(`${path}/${id}`);
    if (stored === undefined)
      return hubspotError(404, 'OBJECT_NOT_FOUND', `Object not found. objectId are usually numeric.`);
    const now = new Date().toISOString();
    const properties = Object.fromEntries([
      ['hs_object_id', id],
      ['hs_createdate', now],
      ['hs_lastmodifieddate', now],
      ...list('properties').map((name) => [name, stored.properties[name] ?? null] as const),
    ]);
    const from = SINGULAR[path] ?? path;
    const associations = Object.fromEntries(
      wanted
        .filter((type) => (stored.associations?.[type] ?? []).length > 0)
        .map((type) => [
          type,
          {
            results: (stored.associations?.[type] ?? []).map((to) => ({
              id: to,
              type: `${from}_to_${SINGULAR[type]}`,
            })),
          },
        ]),
    );
    return {
      status: 200,
      body: {
        id,
        properties,
        createdAt: now,
        updatedAt: now,
        archived: false,
        ...(Object.keys(associations).length > 0 ? { associations } : {}),
      },
    };
  }

  private takeFailure(): Answer | undefined {
    const next = this.failures[0];
    if (next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) this.failures.shift();
    const { status, retryAfter } = next.spec;
    const answer = hubspotError(
      status,
      status === 429 ? 'RATE_LIMITS' : 'INTERNAL_ERROR',
      `Injected failure ${status}`,
    );
    return retryAfter === undefined ? answer : { ...answer, headers: { 'retry-after': String(retryAfter) } };
  }

  private batchRead(body: unknown): Answer {
    const request = readBatchRequest(body);
    if ('status' in request) return request;
    const { ids, properties, withHistory } = request;
    if (ids.length > MAX_BATCH_INPUTS) {
      return hubspotError(400, 'VALIDATION_ERROR', `Too many inputs: ${ids.length} > ${MAX_BATCH_INPUTS}`);
    }
    const histories = withHistory.length > 0 ? this.search.history(ids, withHistory) : new Map<string, unknown>();
    if (!(histories instanceof Map)) return histories;
    const known = ids.filter((id) => this.deal(id) !== undefined);
    const unknown = ids.filter((id) => this.deal(id) === undefined);
    const now = new Date().toISOString();
    const results = known.map((id) => ({
      id,
      properties: this.dealProperties(id, properties),
      ...(histories.has(id) ? { propertiesWithHistory: histories.get(id) } : {}),
      createdAt: now,
      updatedAt: now,
      archived: false,
    }));
    if (unknown.length === 0) {
      return { status: 200, body: { status: 'COMPLETE', results, startedAt: now, completedAt: now } };
    }
    const errors = [
      {
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        message: 'Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid.',
        context: { ids: unknown },
      },
    ];
    return {
      status: 207,
      body: { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt: now, completedAt: now },
    };
  }

  /** The requested properties (null when unset) plus the three HubSpot always returns. */
  /** A deal added by a test, or one the records the fake searches hold (the bench generates them). */
  private deal(id: string): Record<string, string | null> | undefined {
    return this.deals.get(id) ?? this.search.records.record('deals', id);
  }

  private dealProperties(id: string, requested: string[]): Record<string, string | null> {
    const stored = this.deal(id) ?? {};
    const always = { hs_object_id: id, createdate: stored.createdate ?? null, hs_lastmodifieddate: null };
    return Object.fromEntries([
      ...Object.entries(always),
      ...requested.map((name) => [name, stored[name] ?? null] as const),
    ]);
  }

  private ownerById(id: string): Answer {
    const owner = this.owners.get(id);
    if (owner === undefined) return hubspotError(404, 'OBJECT_NOT_FOUND', `Owner ${id} not found`);
    return {
      status: 200,
      body: {
        ...owner,
        type: 'PERSON',
        userId: Number(owner.id) + 1000,
        createdAt: '2024-01-02T03:04:05.000Z',
        updatedAt: '2024-01-02T03:04:05.000Z',
        archived: false,
      },
    };
  }
}

/** `count` completed calls of one owner, spread evenly over `span` from `from`, ids from `firstId` on. */
export function putCalls(
  hubspot: Pick<FakeHubSpot, 'putEngagement'>,
  calls: { ownerId: string; count: number; from: Date; spanMs: number; firstId: number },
): void {
  const step = Math.floor(calls.spanMs / calls.count);
  for (let i = 0; i < calls.count; i++) {
    const at = new Date(calls.from.getTime() + i * step).toISOString();
    hubspot.putEngagement('calls', String(calls.firstId + i), {
      properties: {
        hs_timestamp: at,
        hs_lastmodifieddate: at,
        hubspot_owner_id: calls.ownerId,
        hs_call_status: 'COMPLETED',
        hs_call_disposition: null,
      },
    });
  }
}

export async function startFakeHubSpot(
  opts: {
    accessToken?: string;
    oauth?: FakeHubSpotOAuthApp;
    now?: () => Date;
    /** What search reads instead of what the test adds (the bench generates records on demand). */
    records?: FakeHubSpotRecords;
    /** Listen here rather than on any free port (the bench's fake in another process). */
    port?: number;
  } = {},
): Promise<FakeHubSpot> {
  const fake = new FakeHubSpotServer(
    opts.accessToken ?? FAKE_HUBSPOT_TOKEN,
    opts.oauth ?? null,
    opts.now ?? (() => new Date()),
    opts.records ?? null,
  );
  await new Promise<void>((resolve, reject) => {
    fake.server.once('error', reject);
    fake.server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = fake.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken: fake.accessToken,
    approve: (hubId) => fake.approve(hubId),
    uninstall: (hubId) => fake.uninstall(hubId),
    liveRefreshTokens: (hubId) => fake.liveRefreshTokens(hubId),
    addDeal: (id, properties) => fake.addDeal(id, properties),
    setStageHistory: (dealId, versions) => fake.memory.histories.set(dealId, [...versions]),
    addContact: (id, properties) => fake.addContact(id, properties),
    searchRetryAfter: (seconds) => {
      fake.search.rateLimitRetryAfter = seconds;
    },
    addOwner: (owner) => fake.addOwner(owner),
    putEngagement: (path, id, engagement) => fake.putEngagement(path, id, engagement),
    deleteEngagement: (path, id) => fake.deleteEngagement(path, id),
    failNext: (failure) => fake.failNext(failure),
    calls: fake.calls,
    close: async () => {
      fake.server.closeAllConnections();
      await new Promise<void>((resolve, reject) => fake.server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Signing webhook requests as HubSpot does (written from HubSpot's docs, independently of the verifier)
// ---------------------------------------------------------------------------------------------------------------------

export interface HubSpotV3Signing {
  clientSecret: string;
  method: string;
  /** Signed exactly as given: to test HubSpot's decoding rule, pass here the URI as HubSpot decodes it. */
  url: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

/** The v3 headers: base64 HMAC-SHA256 of method + URI + body + timestamp, keyed with the client secret. */
export function signHubSpotV3(body: string | Buffer, signing: HubSpotV3Signing): Record<string, string> {
  const timestamp = String(signing.timestamp);
  const signature = createHmac('sha256', signing.clientSecret)
    .update(Buffer.concat([Buffer.from(signing.method + signing.url), Buffer.from(body), Buffer.from(timestamp)]))
    .digest('base64');
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp };
}

/** The v1 headers: hex SHA-256 of client secret + body. */
export function signHubSpotV1(body: string | Buffer, clientSecret: string): Record<string, string> {
  const signature = createHash('sha256')
    .update(Buffer.concat([Buffer.from(clientSecret), Buffer.from(body)]))
    .digest('hex');
  return { 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v1' };
}
