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
 * Every request needs `Authorization: Bearer <accessToken>` (401 otherwise). `failNext` answers the next
 * requests with an error status (and `Retry-After`) before anything else is checked. Every request is
 * recorded in `calls`, refused ones included.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const FAKE_HUBSPOT_TOKEN = 'pat-na1-fake-hubspot-token';
const MAX_BATCH_INPUTS = 100;
const DEALS_BATCH_READ = '/crm/v3/objects/deals/batch/read';
const OWNER_PATH = /^\/crm\/v3\/owners\/([^/]+)$/;
const ENGAGEMENT_PATH = /^\/crm\/v3\/objects\/(calls|meetings|emails|tasks)\/([^/]+)$/;
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

export interface FakeHubSpot {
  baseUrl: string;
  accessToken: string;
  addDeal(id: string, properties: Record<string, string | null>): void;
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
function readBatchRequest(body: unknown): { ids: string[]; properties: string[] } | Answer {
  const inputs = isRecord(body) && Array.isArray(body.inputs) ? body.inputs : [null];
  const ids = inputs.map((input) => (isRecord(input) && typeof input.id === 'string' ? input.id : null));
  if (!ids.every((id): id is string => id !== null)) {
    return hubspotError(400, 'VALIDATION_ERROR', 'inputs must be a list of { "id": string }');
  }
  const properties = isRecord(body) ? (body.properties ?? []) : null;
  if (!Array.isArray(properties) || !properties.every((name) => typeof name === 'string')) {
    return hubspotError(400, 'VALIDATION_ERROR', 'properties must be a list of strings');
  }
  return { ids, properties };
}

class FakeHubSpotServer {
  private readonly deals = new Map<string, Record<string, string | null>>();
  private readonly owners = new Map<string, FakeOwner>();
  private readonly engagements = new Map<string, FakeEngagement>();
  private readonly failures: { spec: FailureSpec; remaining: number }[] = [];
  readonly calls: RecordedCall[] = [];
  readonly server = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    });
  });

  constructor(readonly accessToken: string) {}

  addDeal(id: string, properties: Record<string, string | null>): void {
    this.deals.set(id, { ...properties });
  }

  addOwner(owner: FakeOwner): void {
    this.owners.set(owner.id, owner);
  }

  putEngagement(path: EngagementPath, id: string, engagement: FakeEngagement): void {
    this.engagements.set(`${path}/${id}`, structuredClone(engagement));
  }

  deleteEngagement(path: EngagementPath, id: string): void {
    this.engagements.delete(`${path}/${id}`);
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
    if (req.headers.authorization !== `Bearer ${this.accessToken}`) {
      return hubspotError(401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found or invalid.');
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
    const { ids, properties } = request;
    if (ids.length > MAX_BATCH_INPUTS) {
      return hubspotError(400, 'VALIDATION_ERROR', `Too many inputs: ${ids.length} > ${MAX_BATCH_INPUTS}`);
    }
    const known = ids.filter((id) => this.deals.has(id));
    const unknown = ids.filter((id) => !this.deals.has(id));
    const now = new Date().toISOString();
    const results = known.map((id) => ({
      id,
      properties: this.dealProperties(id, properties),
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
  private dealProperties(id: string, requested: string[]): Record<string, string | null> {
    const stored = this.deals.get(id) ?? {};
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

export async function startFakeHubSpot(opts: { accessToken?: string } = {}): Promise<FakeHubSpot> {
  const fake = new FakeHubSpotServer(opts.accessToken ?? FAKE_HUBSPOT_TOKEN);
  await new Promise<void>((resolve, reject) => {
    fake.server.once('error', reject);
    fake.server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = fake.server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken: fake.accessToken,
    addDeal: (id, properties) => fake.addDeal(id, properties),
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
