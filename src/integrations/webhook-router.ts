import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import { type Database, isDatabaseUnavailable } from '../db/client.js';
import { crmConnections } from '../db/schema.js';
import type { Logger } from '../lib/logger.js';
import type { CrmAdapter } from './adapter.js';
import type { CrmConfig } from './crm-config.js';
import { CRM_SOURCES, type CrmSource, type WebhookReply, type WebhookRequest } from './crm-event.js';
import { genericAdapter } from './generic/adapter.js';
import { genericJsonSchema } from './generic/format.js';
import { hubspotAdapter } from './hubspot/adapter.js';
import { storeEvents } from './inbox.repository.js';
import { pipedriveAdapter } from './pipedrive/adapter.js';
import { salesforceAdapter } from './salesforce/adapter.js';

/**
 * `POST /webhooks/<crm>` (one workspace, secrets from the environment) and
 * `POST /webhooks/<crm>/<connection id>` (many workspaces, one connection each). A request is
 * verified before anything is read into the database, its events are stored in one statement, and
 * the CRM gets its 2xx only after that commit; anything failing before answers 5xx so the CRM
 * retries, and the retry is stored once.
 */

const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  crm: CrmConfig;
  /** The workspace of one-workspace mode; null in many-workspace mode. */
  singleWorkspaceId: string | null;
  /** Called after a batch is committed: the processor applies it in the background. */
  onStored(workspaceId: string): void;
}

type AnyAdapter = CrmAdapter<never>;

interface Target {
  /** Null for a HubSpot app shared by many workspaces: the batch's portal says which. */
  workspaceId: string | null;
  adapter: AnyAdapter;
  secrets: unknown;
  /** The CRM account this endpoint belongs to, when known: a batch from another is refused. */
  accountId: string | null;
}

const ADAPTERS: Record<CrmSource, AnyAdapter> = {
  hubspot: hubspotAdapter as AnyAdapter,
  salesforce: salesforceAdapter as AnyAdapter,
  pipedrive: pipedriveAdapter as AnyAdapter,
  generic: genericAdapter as AnyAdapter,
};

/** Secrets of one-workspace mode, from the environment; null when that CRM is not configured. */
function envSecrets(crm: CrmConfig, source: CrmSource): unknown {
  switch (source) {
    case 'hubspot':
      return crm.hubspot && { clientSecret: crm.hubspot.clientSecret };
    case 'salesforce':
      return crm.salesforce && { organizationId: crm.salesforce.organizationId, token: crm.salesforce.token };
    case 'pipedrive':
      return crm.pipedrive && { user: crm.pipedrive.user, password: crm.pipedrive.password };
    case 'generic':
      return crm.generic && { secret: crm.generic.secret };
  }
}

type Connection = typeof crmConnections.$inferSelect;

/** Secrets of a connection made from Slack (many-workspace mode). HubSpot signs with the app's secret. */
function connectionSecrets(crm: CrmConfig, c: Connection): unknown {
  switch (c.source as CrmSource) {
    case 'hubspot':
      return crm.hubspot && { clientSecret: crm.hubspot.clientSecret };
    case 'salesforce':
      return { organizationId: c.accountId ?? '', token: c.secret };
    case 'pipedrive':
      return { user: c.id, password: c.secret };
    case 'generic':
      return { secret: c.secret };
  }
}

async function findTarget(
  deps: WebhookDeps,
  source: CrmSource,
  connectionId: string | undefined,
): Promise<Target | null> {
  const adapter = ADAPTERS[source];
  if (connectionId === undefined) {
    const secrets = envSecrets(deps.crm, source);
    if (!secrets) return null;
    if (deps.singleWorkspaceId) return { workspaceId: deps.singleWorkspaceId, adapter, secrets, accountId: null };
    // Many workspaces: one HubSpot app serves every portal, routed by portal id after verification.
    return source === 'hubspot' ? { workspaceId: null, adapter, secrets, accountId: null } : null;
  }
  const [c] = await deps.db
    .select()
    .from(crmConnections)
    .where(and(eq(crmConnections.id, connectionId), eq(crmConnections.source, source)));
  const secrets = c && connectionSecrets(deps.crm, c);
  if (!c || !secrets) return null;
  return { workspaceId: c.workspaceId, adapter, secrets, accountId: c.accountId };
}

async function workspaceOfAccount(db: Database, source: CrmSource, accountId: string | null): Promise<string | null> {
  if (!accountId) return null;
  const [c] = await db
    .select({ workspaceId: crmConnections.workspaceId })
    .from(crmConnections)
    .where(and(eq(crmConnections.source, source), eq(crmConnections.accountId, accountId)));
  return c?.workspaceId ?? null;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.destroy();
        reject(new BodyTooLargeError());
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: WebhookReply) {
  res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
}

/** The URL as the CRM called it: HubSpot signs the full URL, behind proxies too. */
function publicUrl(deps: WebhookDeps, req: IncomingMessage): string {
  const path = req.url ?? '/';
  if (deps.crm.publicUrl) return `${deps.crm.publicUrl}${path}`;
  const proto = String(req.headers['x-forwarded-proto'] ?? 'http').split(',')[0];
  const host = String(req.headers['x-forwarded-host'] ?? req.headers.host ?? 'localhost').split(',')[0];
  return `${proto}://${host}${path}`;
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function handleWebhook(
  deps: WebhookDeps,
  req: IncomingMessage,
  res: ServerResponse,
  params: { source?: string; connection?: string },
) {
  const source = CRM_SOURCES.find((s) => s === params.source);
  const target = source ? await findTarget(deps, source, params.connection) : null;
  if (!source || !target) {
    send(res, {
      status: 404,
      contentType: 'application/json',
      body: '{"error":"no webhook is enabled at this address"}',
    });
    return;
  }
  const { adapter } = target;
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) send(res, adapter.errorReply(413, 'the body is larger than 1 MB'));
    else send(res, adapter.errorReply(400, 'the body could not be read'));
    return;
  }
  const request: WebhookRequest = {
    method: req.method ?? 'POST',
    url: publicUrl(deps, req),
    headers: headersOf(req),
    rawBody,
  };
  const verified = adapter.verify(request, target.secrets as never, deps.now());
  if (!verified.ok) {
    deps.logger.warn({ source, reason: verified.reason }, 'webhook refused: not authenticated');
    send(res, adapter.errorReply(401, verified.reason));
    return;
  }
  const parsed = adapter.parse(request);
  if (!parsed.ok) {
    send(res, adapter.errorReply(400, parsed.reason));
    return;
  }
  const { batch } = parsed;
  if (target.accountId && batch.accountId && target.accountId !== batch.accountId) {
    send(res, adapter.errorReply(401, 'this endpoint belongs to another CRM account'));
    return;
  }
  let workspaceId = target.workspaceId;
  try {
    workspaceId ??= await workspaceOfAccount(deps.db, source, batch.accountId);
    if (!workspaceId) {
      send(
        res,
        adapter.errorReply(404, `${source} account ${batch.accountId ?? '(none)'} is not connected to any workspace`),
      );
      return;
    }
    const stored = await storeEvents(deps.db, workspaceId, source, batch.events);
    send(res, adapter.reply({ ...stored, rejected: batch.rejected }));
    if (stored.stored > 0) deps.onStored(workspaceId);
  } catch (error) {
    deps.logger.error({ err: error, source, workspaceId }, 'webhook batch not stored; the CRM will retry');
    send(res, adapter.errorReply(503, 'temporarily unable to store the events; please retry'));
  }
}

const param = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function webhookRoutes(deps: WebhookDeps): CustomRoute[] {
  const handler: CustomRoute['handler'] = (req, res) => {
    handleWebhook(deps, req, res, {
      source: param(req.params?.source),
      connection: param(req.params?.connection),
    }).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'webhook handler failed');
      if (res.headersSent) return;
      // The database being away is temporary: a 503 tells the CRM to retry, a 500 may not.
      if (isDatabaseUnavailable(error))
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end('{"error":"temporarily unavailable; please retry"}');
      else res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}');
    });
  };
  return [
    {
      path: '/webhooks/generic/schema.json',
      method: ['GET'],
      handler: (_req, res) => {
        res
          .writeHead(200, { 'content-type': 'application/schema+json' })
          .end(JSON.stringify(genericJsonSchema(), null, 2));
      },
    },
    { path: '/webhooks/:source', method: ['POST'], handler },
    { path: '/webhooks/:source/:connection', method: ['POST'], handler },
  ];
}
