/**
 * A strict, local fake of the Pipedrive API endpoints the bot calls, and builders of Pipedrive webhook
 * payloads shaped as Pipedrive documents them (webhooks v1 and v2 guides, API v2 deal schema).
 *
 * The fake answers `GET /api/v2/deals?ids=…` and `GET /api/v1/users/{id}` the way Pipedrive does,
 * including the refusals: a missing or wrong `x-api-token` (401, Pipedrive's error JSON), more than
 * 100 ids or non-integer ids (400), unknown users or paths (404), and injected failures (`failNext`).
 * It only takes the token in the `x-api-token` header, which is what Pipedrive asks integrations to use,
 * or an OAuth access token as `Authorization: Bearer` (401 once expired by the injected clock).
 *
 * OAuth, when started with `oauth` (https://pipedrive.readme.io/docs/marketplace-oauth-authorization),
 * on the same server, which stands for both oauth.pipedrive.com and the company's `api_domain`:
 * - `approve(companyId)` stands for an admin approving the app: the code it redirects with, good once;
 * - `POST /oauth/token`: HTTP Basic `client_id:client_secret` (401 `invalid_client` otherwise), form
 *   `grant_type=authorization_code` (the redirect URI must match, 400 `invalid_grant` for an unknown or
 *   used code) or `refresh_token` (400 for an unknown or revoked one); answers `{ access_token,
 *   token_type, refresh_token, scope, expires_in: 3599, api_domain }`;
 * - `POST /oauth/revoke`: revokes the refresh token given;
 * - `GET /api/v1/users/me` (Bearer only): the user, with the `company_id` the grant belongs to
 *   (https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser);
 * - `uninstall(companyId)`: the company removes the app, so its refresh tokens stop working.
 *
 * Collections, as a backfill reads them:
 * - `GET /api/v2/deals` and `GET /api/v2/activities` without `ids`: `updated_since` / `updated_until`
 *   (RFC 3339, 400 otherwise) on `update_time`, deleted records left out, sorted by id, `limit` 1 to
 *   500 (400 past it), cursor-paginated: `additional_data.next_cursor` is opaque, null on the last page,
 *   and a cursor the fake did not write is 400
 *   (https://pipedrive.readme.io/docs/core-api-concepts-pagination,
 *   https://developers.pipedrive.com/docs/api/v1/Deals#getDeals (v2),
 *   https://developers.pipedrive.com/docs/api/v1/Activities#getActivities (v2)).
 * - `GET /api/v1/leads`: offset pagination, `start` and `limit` (1 to 500), `archived_status`, `sort`
 *   (`add_time DESC` and the like); `additional_data.pagination` says `more_items_in_collection` and
 *   `next_start` (https://developers.pipedrive.com/docs/api/v1/Leads#getLeads).
 *
 * Rate limits (https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting): each token has
 * `burstLimit` requests per 2-second window of the injected clock (80, an Essential plan's OAuth
 * token, by default); every answer carries `x-ratelimit-limit`, `x-ratelimit-remaining` and
 * `x-ratelimit-reset` (seconds left in the window); past the limit, 429 with `Retry-After`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Json = Record<string, unknown>;

export const FAKE_PIPEDRIVE_TOKEN = '659c9fddb16335e48cc67114694b52074e812e03';
export const COMPANY_ID = 6083095;
export const OWNER_ID = 12597982;

/** API v2 `GET /deals`: "comma separated string array of up to 100 entity ids". */
const MAX_IDS = 100;
const MAX_LIMIT = 500;
const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

export interface FakeUser {
  id: number;
  email: string | null;
  name: string;
}

export interface FailureSpec {
  /** HTTP status of the injected failure, e.g. 429, 500, 503. */
  status: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /** How many consecutive requests fail (default 1). */
  times?: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  token: string | undefined;
  /** The `Authorization` header (OAuth calls). */
  authorization?: string | undefined;
  status: number;
}

export interface FakePipedriveOAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface FakePipedrive {
  baseUrl: string;
  /** An admin approving the app for the company: the code Pipedrive redirects with. */
  approve(companyId: number): string;
  uninstall(companyId: number): void;
  liveRefreshTokens(companyId: number): number;
  /** The only token the fake accepts. */
  apiToken: string;
  /** Stores a deal; missing fields get the values of `v2DealRecord`. */
  addDeal(record: Json & { id: number }): void;
  /** Stores an activity; missing fields get the values of `v2ActivityRecord` (API v2 and webhooks v2 share it). */
  addActivity(record: Json & { id: number }): void;
  /** Stores a lead; missing fields get the values of `v2LeadRecord` (API v1 leads have the same fields). */
  addLead(record: Json & { id: string }): void;
  addUser(user: FakeUser): void;
  failNext(spec: FailureSpec): void;
  /** Every request, in order, including refused ones. */
  calls: RecordedCall[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------------------------

/** A deal as API v2 and webhooks v2 send it: numeric ids, RFC 3339 times, `is_deleted`. */
export function v2DealRecord(overrides: Json & { id: number }): Json {
  return {
    add_time: '2025-12-23T15:39:38Z',
    archive_time: null,
    channel: null,
    channel_id: null,
    close_time: null,
    creator_user_id: OWNER_ID,
    currency: 'USD',
    custom_fields: {},
    expected_close_date: '2026-01-31',
    is_archived: false,
    is_deleted: false,
    label_ids: [],
    lost_reason: null,
    lost_time: null,
    org_id: 5063,
    origin: 'ManuallyCreated',
    origin_id: null,
    owner_id: OWNER_ID,
    person_id: 176578,
    pipeline_id: 1,
    probability: null,
    stage_change_time: null,
    stage_id: 1,
    status: 'open',
    title: 'Acme renewal',
    update_time: '2026-01-14T18:16:56Z',
    value: 1200,
    visible_to: '3',
    won_time: null,
    ...overrides,
  };
}

/** A deal as webhooks v1 send it in `current` / `previous`: `user_id` is the owner, times are UTC without a zone. */
export function v1DealRecord(overrides: Json & { id: number }): Json {
  return {
    active: true,
    activities_count: 0,
    add_time: '2025-02-17 18:06:03',
    cc_email: 'acme+deal9@pipedrivemail.com',
    channel: null,
    channel_id: null,
    close_time: null,
    creator_user_id: OWNER_ID,
    currency: 'USD',
    deleted: false,
    expected_close_date: null,
    first_won_time: null,
    formatted_value: '$1,200',
    is_archived: false,
    lost_reason: null,
    lost_time: null,
    org_id: 5063,
    org_name: 'Acme',
    origin: 'ManuallyCreated',
    owner_name: 'Olivia Owner',
    person_id: null,
    pipeline_id: 1,
    probability: null,
    stage_change_time: null,
    stage_id: 1,
    status: 'open',
    title: 'Acme renewal',
    update_time: '2025-02-17 21:22:41',
    user_id: OWNER_ID,
    value: 1200,
    visible_to: '3',
    weighted_value: 1200,
    won_time: null,
    ...overrides,
  };
}

/** An activity as webhooks v2 send it: `owner_id`, boolean `done`. */
export function v2ActivityRecord(overrides: Json & { id: number }): Json {
  return {
    add_time: '2026-01-14T09:00:00Z',
    busy: false,
    deal_id: 213973,
    done: false,
    due_date: '2026-01-14',
    due_time: '10:00',
    duration: '00:30',
    is_deleted: false,
    lead_id: null,
    marked_as_done_time: null,
    org_id: 5063,
    owner_id: OWNER_ID,
    person_id: 176578,
    priority: null,
    project_id: null,
    subject: 'Intro call',
    type: 'call',
    update_time: '2026-01-14T09:00:00Z',
    ...overrides,
  };
}

/** An activity as webhooks v1 send it: `user_id` is whom it is assigned to. */
export function v1ActivityRecord(overrides: Json & { id: number }): Json {
  return {
    active_flag: true,
    add_time: '2025-02-17 09:00:00',
    deal_id: 9,
    done: false,
    due_date: '2025-02-17',
    due_time: '10:00',
    duration: '00:30',
    marked_as_done_time: '',
    org_id: 5063,
    person_id: null,
    subject: 'Intro call',
    type: 'call',
    update_time: '2025-02-17 09:00:00',
    user_id: OWNER_ID,
    ...overrides,
  };
}

/** A lead as webhooks v2 send it: a UUID id, `owner_id`, `origin` and `channel`. */
export function v2LeadRecord(overrides: Json & { id: string }): Json {
  return {
    add_time: '2025-06-19T16:07:08.597Z',
    channel: null,
    channel_id: null,
    creator_id: OWNER_ID,
    custom_fields: {},
    expected_close_date: null,
    is_archived: false,
    label_ids: [],
    organization_id: null,
    origin: 'ManuallyCreated',
    origin_id: null,
    owner_id: OWNER_ID,
    person_id: 12,
    source_name: 'Manually created',
    title: 'Lead Title',
    update_time: '2025-06-19T16:07:08.597Z',
    value: null,
    was_seen: true,
    ...overrides,
  };
}

/** A person as webhooks v1 send it. */
export function v1PersonRecord(overrides: Json & { id: number }): Json {
  return {
    active_flag: true,
    add_time: '2025-02-17 21:15:41',
    email: [{ value: 'pat@acme.test', primary: true }],
    name: 'Pat Prospect',
    org_id: null,
    owner_id: OWNER_ID,
    owner_name: 'Olivia Owner',
    phone: [{ value: '', primary: true }],
    update_time: '2025-02-17 21:15:41',
    visible_to: '3',
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Webhook payloads
// ---------------------------------------------------------------------------------------------------------------------

export interface V2EventSpec {
  action: 'create' | 'change' | 'delete';
  entity: string;
  entityId: string | number;
  /** The object now; null after a delete. */
  data: Json | null;
  /** Create: null. Change: only the fields that changed. Delete: the last state. */
  previous: Json | null;
  /** Overrides of meta fields, e.g. `id` (the event's UUID) or `timestamp`. */
  meta?: Json;
}

/** A webhook v2 body: every meta id is a string, `timestamp` is RFC 3339. */
export function v2Event(spec: V2EventSpec): Json {
  return {
    meta: {
      action: spec.action,
      entity: spec.entity,
      company_id: String(COMPANY_ID),
      correlation_id: randomUUID(),
      entity_id: String(spec.entityId),
      id: randomUUID(),
      is_bulk_edit: false,
      timestamp: '2026-01-14T18:16:56.057Z',
      type: 'general',
      user_id: '12941358',
      version: '2.0',
      webhook_id: '1828483',
      webhook_owner_id: '16219013',
      change_source: 'app',
      permitted_user_ids: [String(OWNER_ID), '12941358'],
      attempt: 1,
      host: 'acme.pipedrive.com',
      ...spec.meta,
    },
    data: spec.data,
    previous: spec.previous,
  };
}

/**
 * A deal webhook v2: `create` carries the record and no previous, `change` the record and the changed
 * fields' old values (default: `update_time`), `delete` no data and the last state.
 */
export function v2DealEvent(
  action: V2EventSpec['action'],
  deal: Json & { id: number },
  opts: { previous?: Json; meta?: Json } = {},
): Json {
  const record = v2DealRecord(deal);
  const previous = action === 'change' ? (opts.previous ?? { update_time: '2026-01-14T18:16:50Z' }) : null;
  return v2Event({
    action,
    entity: 'deal',
    entityId: deal.id,
    data: action === 'delete' ? null : record,
    previous: action === 'delete' ? record : previous,
    meta: opts.meta,
  });
}

export interface V1EventSpec {
  action: 'added' | 'updated' | 'deleted' | 'merged';
  object: string;
  /** `meta.id` is the object's id. */
  id: number;
  current: Json | null;
  previous: Json | null;
  meta?: Json;
  /** Pipedrive's retry counter: 0 on the first attempt. */
  retry?: number;
}

/** A webhook v1 body: numeric ids, `timestamp` in seconds and `timestamp_micro` in microseconds. */
export function v1Event(spec: V1EventSpec): Json {
  const matchesFilters = { current: [] };
  return {
    v: 1,
    matches_filters: matchesFilters,
    meta: {
      action: spec.action,
      change_source: 'app',
      company_id: COMPANY_ID,
      host: 'acme.pipedrive.com',
      id: spec.id,
      is_bulk_update: false,
      matches_filters: matchesFilters,
      object: spec.object,
      permitted_user_ids: [OWNER_ID],
      pipedrive_service_name: false,
      timestamp: 1739827361,
      timestamp_micro: 1739827361322662,
      prepublish_timestamp: 1739827361337,
      trans_pending: false,
      user_id: OWNER_ID,
      v: 1,
      webhook_id: '1234567',
      ...spec.meta,
    },
    current: spec.current,
    previous: spec.previous,
    retry: spec.retry ?? 0,
    event: `${spec.action}.${spec.object}`,
  };
}

/**
 * A deal webhook v1: `added` has no previous, `updated` and `merged` the whole previous state
 * (`previous` overrides fields of it), `deleted` no current and the last state.
 */
export function v1DealEvent(
  action: V1EventSpec['action'],
  deal: Json & { id: number },
  opts: { previous?: Json; meta?: Json; retry?: number } = {},
): Json {
  const record = v1DealRecord(deal);
  const before = { ...record, update_time: '2025-02-17 19:46:52', ...opts.previous };
  return v1Event({
    action,
    object: 'deal',
    id: deal.id,
    current: action === 'deleted' ? null : record,
    previous: action === 'added' ? null : action === 'deleted' ? record : before,
    meta: opts.meta,
    retry: opts.retry,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------------------------------

function send(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): number {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
  return status;
}

const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A time filter in milliseconds: the fallback when absent, null when not RFC 3339. */
function timeParam(query: URLSearchParams, name: string, fallback: number): number | null {
  const value = query.get(name);
  if (value === null) return fallback;
  return RFC_3339.test(value) ? Date.parse(value) : null;
}

/** Pipedrive's error body: `success: false`, a message, and `error_info`. */
function sendError(res: ServerResponse, status: number, error: string, headers?: Record<string, string>): number {
  return send(res, status, { success: false, error, errorCode: status, error_info: ERROR_INFO, data: null }, headers);
}

export async function startFakePipedrive(
  opts: { oauth?: FakePipedriveOAuthApp; now?: () => Date; burstLimit?: number } = {},
): Promise<FakePipedrive> {
  const now = opts.now ?? (() => new Date());
  const codes = new Map<string, { companyId: number; used: boolean }>();
  const refreshTokens = new Map<string, { companyId: number; revoked: boolean }>();
  const accessTokens = new Map<string, { grant: { companyId: number; revoked: boolean }; expiresAt: number }>();
  let issued = 0;
  let baseUrl = '';
  const deals = new Map<number, Json>();
  const activities = new Map<number, Json>();
  const leads = new Map<string, Json>();
  const burstLimit = opts.burstLimit ?? 80;
  const windows = new Map<string, { start: number; used: number }>();
  const users = new Map<number, FakeUser>();
  const failures: (FailureSpec & { times: number })[] = [];
  /** The cursors handed out, and the id each goes on after. */
  const cursors = new Map<string, number>();
  const calls: RecordedCall[] = [];

  /** A v2 collection read page by page: the records updated in the window, after the cursor's id. */
  function collection(res: ServerResponse, records: Map<number, Json>, query: URLSearchParams): number {
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return sendError(res, 400, `limit: 1 to ${MAX_LIMIT}`);
    const since = timeParam(query, 'updated_since', Number.NEGATIVE_INFINITY);
    const until = timeParam(query, 'updated_until', Number.POSITIVE_INFINITY);
    if (since === null || until === null)
      return sendError(res, 400, 'updated_since, updated_until: RFC 3339 date-times');
    const cursor = query.get('cursor');
    const after = cursor === null ? 0 : (cursors.get(cursor) ?? null);
    if (after === null) return sendError(res, 400, 'cursor: invalid cursor');
    const found = [...records.values()]
      .filter((r) => r.is_deleted !== true && Number(r.id) > after)
      .filter((r) => {
        const updated = Date.parse(String(r.update_time));
        return updated >= since && updated < until;
      })
      .sort((a, b) => Number(a.id) - Number(b.id));
    const page = found.slice(0, limit);
    let nextCursor: string | null = null;
    if (found.length > limit) {
      nextCursor = randomUUID().replaceAll('-', '');
      cursors.set(nextCursor, Number(page.at(-1)?.id));
    }
    return send(res, 200, { success: true, data: page, additional_data: { next_cursor: nextCursor } });
  }

  /** API v1 leads: offset pagination, newest first with `sort=add_time DESC`. */
  function listLeads(res: ServerResponse, query: URLSearchParams): number {
    const start = Number(query.get('start') ?? 0);
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(start) || start < 0) return sendError(res, 400, 'start: must be a non-negative integer');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return sendError(res, 400, `limit: 1 to ${MAX_LIMIT}`);
    const archived = query.get('archived_status') ?? 'all';
    if (!['archived', 'not_archived', 'all'].includes(archived))
      return sendError(res, 400, 'archived_status: archived, not_archived or all');
    const sort = /^(id|add_time|update_time) (ASC|DESC)$/.exec(query.get('sort') ?? 'id ASC');
    if (!sort?.[1]) return sendError(res, 400, 'sort: unsupported field or direction');
    const field = sort[1];
    const all = [...leads.values()]
      .filter((lead) => archived === 'all' || (lead.is_archived === true) === (archived === 'archived'))
      .sort((a, b) => String(a[field]).localeCompare(String(b[field])));
    if (sort[2] === 'DESC') all.reverse();
    const page = all.slice(start, start + limit);
    const more = all.length > start + limit;
    const pagination = { start, limit, more_items_in_collection: more, ...(more && { next_start: start + limit }) };
    return send(res, 200, { success: true, data: page, additional_data: { pagination } });
  }

  /** The token's 2-second window; null when it is spent. */
  function spendBurst(token: string): { remaining: number; reset: number } | null {
    const time = now().getTime();
    let window = windows.get(token);
    if (!window || time - window.start >= 2000) {
      window = { start: time, used: 0 };
      windows.set(token, window);
    }
    const reset = Math.max(1, Math.ceil((window.start + 2000 - time) / 1000));
    if (window.used >= burstLimit) return null;
    window.used++;
    return { remaining: burstLimit - window.used, reset };
  }

  function listDeals(res: ServerResponse, query: URLSearchParams): number {
    if (!query.has('ids')) return collection(res, deals, query);
    const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length > MAX_IDS) return sendError(res, 400, `ids: at most ${MAX_IDS} ids are allowed`);
    if (!ids.every((id) => /^\d+$/.test(id)))
      return sendError(res, 400, 'ids: must be a comma separated list of integers');
    const limit = Number(query.get('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return sendError(res, 400, `limit: 1 to ${MAX_LIMIT}`);
    // Without a status filter Pipedrive leaves deleted deals out.
    const wanted = ids.length ? ids.map(Number) : [...deals.keys()].sort((a, b) => a - b);
    const found = wanted.flatMap((id): Json[] => {
      const deal = deals.get(id);
      return deal && deal.is_deleted !== true ? [deal] : [];
    });
    const page = found.slice(0, limit);
    const nextCursor = found.length > limit ? Buffer.from(`id:${String(page.at(-1)?.id)}`).toString('base64') : null;
    return send(res, 200, { success: true, data: page, additional_data: { next_cursor: nextCursor } });
  }

  function getUser(res: ServerResponse, id: string): number {
    const user = users.get(Number(id));
    if (!/^\d+$/.test(id) || !user) return sendError(res, 404, 'User not found');
    const data = { ...user, active_flag: true, default_currency: 'USD', is_admin: 0, timezone_name: 'Europe/Tallinn' };
    return send(res, 200, { success: true, data });
  }

  function injectedFailure(res: ServerResponse): number | null {
    const failure = failures[0];
    if (!failure) return null;
    failure.times -= 1;
    if (failure.times <= 0) failures.shift();
    const headers: Record<string, string> =
      failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
    const message = failure.status === 429 ? 'Request over limit' : 'Internal server error';
    return sendError(res, failure.status, message, headers);
  }

  function tokenAnswer(res: ServerResponse, grant: { companyId: number; revoked: boolean }, refreshToken: string) {
    const accessToken = `pd-at-${grant.companyId}-${++issued}-${randomUUID()}`;
    accessTokens.set(accessToken, { grant, expiresAt: now().getTime() + 3599 * 1000 });
    return send(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      refresh_token: refreshToken,
      scope: 'deals:read,users:read',
      expires_in: 3599,
      api_domain: baseUrl,
    });
  }

  /** `/oauth/token` and `/oauth/revoke`; null for any other path. */
  function oauthRoute(req: IncomingMessage, res: ServerResponse, path: string, text: string): number | null {
    if (path !== '/oauth/token' && path !== '/oauth/revoke') return null;
    const app = opts.oauth;
    if (!app) return sendError(res, 404, 'Unknown method .');
    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
    if (req.method !== 'POST') return sendError(res, 405, 'Method not allowed');
    if (req.headers.authorization !== basic) return send(res, 401, { error: 'invalid_client' });
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return send(res, 400, { error: 'invalid_request' });
    const form = new URLSearchParams(text);
    if (path === '/oauth/revoke') {
      const grant = refreshTokens.get(form.get('token') ?? '');
      if (grant) grant.revoked = true;
      return send(res, 200, {});
    }
    if (form.get('grant_type') === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      if (form.get('redirect_uri') !== app.redirectUri || !code || code.used)
        return send(res, 400, { error: 'invalid_grant' });
      code.used = true;
      const grant = { companyId: code.companyId, revoked: false };
      const refreshToken = `pd-rt-${code.companyId}-${randomUUID()}`;
      refreshTokens.set(refreshToken, grant);
      return tokenAnswer(res, grant, refreshToken);
    }
    if (form.get('grant_type') === 'refresh_token') {
      const refreshToken = form.get('refresh_token') ?? '';
      const grant = refreshTokens.get(refreshToken);
      if (!grant || grant.revoked) return send(res, 400, { error: 'invalid_grant' });
      return tokenAnswer(res, grant, refreshToken);
    }
    return send(res, 400, { error: 'unsupported_grant_type' });
  }

  /** The grant a live Bearer token belongs to; undefined for the API token or none. */
  function bearerGrant(req: IncomingMessage): { companyId: number; revoked: boolean } | null | undefined {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return undefined;
    const access = accessTokens.get(header.slice('Bearer '.length));
    return access && !access.grant.revoked && access.expiresAt > now().getTime() ? access.grant : null;
  }

  function route(req: IncomingMessage, res: ServerResponse, url: URL, text: string): number {
    const failed = injectedFailure(res);
    if (failed !== null) return failed;
    const oauth = oauthRoute(req, res, url.pathname, text);
    if (oauth !== null) return oauth;
    const grant = bearerGrant(req);
    if (grant === null || (grant === undefined && req.headers['x-api-token'] !== FAKE_PIPEDRIVE_TOKEN))
      return sendError(res, 401, 'unauthorized access');
    if (req.method !== 'GET') return sendError(res, 405, 'Method not allowed');
    const token = req.headers.authorization ?? String(req.headers['x-api-token']);
    const burst = spendBurst(token);
    const reset =
      burst?.reset ?? Math.max(1, Math.ceil(((windows.get(token)?.start ?? 0) + 2000 - now().getTime()) / 1000));
    res.setHeader('x-ratelimit-limit', String(burstLimit));
    res.setHeader('x-ratelimit-remaining', String(burst?.remaining ?? 0));
    res.setHeader('x-ratelimit-reset', String(reset));
    if (!burst) return sendError(res, 429, 'Request over limit', { 'retry-after': String(reset) });
    if (url.pathname === '/api/v2/activities') return collection(res, activities, url.searchParams);
    if (url.pathname === '/api/v1/leads') return listLeads(res, url.searchParams);
    if (url.pathname === '/api/v1/users/me') {
      if (!grant) return sendError(res, 401, 'unauthorized access');
      return send(res, 200, { success: true, data: { id: 1, name: 'Admin', company_id: grant.companyId } });
    }
    if (url.pathname === '/api/v2/deals') return listDeals(res, url.searchParams);
    const user = /^\/api\/v1\/users\/([^/]+)$/.exec(url.pathname);
    if (user?.[1]) return getUser(res, user[1]);
    return sendError(res, 404, 'Unknown method .');
  }

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const status = route(req, res, url, Buffer.concat(chunks).toString('utf8'));
    const token = req.headers['x-api-token'];
    calls.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      token: Array.isArray(token) ? token.join(',') : token,
      authorization: req.headers.authorization,
      status,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    approve(companyId) {
      const code = `pd-code-${companyId}-${++issued}`;
      codes.set(code, { companyId, used: false });
      return code;
    },
    uninstall(companyId) {
      for (const grant of refreshTokens.values()) if (grant.companyId === companyId) grant.revoked = true;
    },
    liveRefreshTokens: (companyId) =>
      [...refreshTokens.values()].filter((g) => g.companyId === companyId && !g.revoked).length,
    apiToken: FAKE_PIPEDRIVE_TOKEN,
    addDeal: (record) => deals.set(record.id, v2DealRecord(record)),
    addActivity: (record) => activities.set(record.id, v2ActivityRecord(record)),
    addLead: (record) => leads.set(record.id, v2LeadRecord(record)),
    addUser: (user) => users.set(user.id, user),
    failNext: (spec) => failures.push({ ...spec, times: spec.times ?? 1 }),
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
