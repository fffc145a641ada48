import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { CustomRoute } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import { type Database, isDatabaseUnavailable } from '../db/client.js';
import { crmConnections } from '../db/schema.js';
import { sealedIn } from '../db/secrets-at-rest.js';
import type { Logger } from '../lib/logger.js';
import { newRequestId, withRequestContext } from '../lib/request-context.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Metrics, WebhookOutcome } from '../ops/metrics.js';
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

export interface WebhookDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  crm: CrmConfig;
  /** Opens the connection secrets stored sealed. */
  secrets: SecretBox;
  /** The workspace of one-workspace mode; null in many-workspace mode. */
  singleWorkspaceId: string | null;
  /** Called after a batch is committed: the processor applies it in the background. */
  onStored(workspaceId: string): void;
  metrics: Pick<Metrics, 'webhook'>;
}

/** How a request ended, for its log line and the metrics. */
interface Handled {
  outcome: WebhookOutcome | 'failed';
  status: number;
  workspaceId?: string | null;
  events?: Partial<Record<WebhookOutcome, number>>;
  reason?: string;
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
function connectionSecrets(deps: WebhookDeps, c: Connection): unknown {
  const secret = () => deps.secrets.open(c.secret, sealedIn.crmConnection(c.id));
  switch (c.source as CrmSource) {
    case 'hubspot':
      return deps.crm.hubspot && { clientSecret: deps.crm.hubspot.clientSecret };
    case 'salesforce':
      return { organizationId: c.accountId ?? '', token: secret() };
    case 'pipedrive':
      return { user: c.id, password: secret() };
    case 'generic':
      return { secret: secret() };
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
    if (deps.singleWorkspaceId) {
      const accountId = source === 'hubspot' ? (deps.crm.hubspot?.portalId ?? null) : null;
      return { workspaceId: deps.singleWorkspaceId, adapter, secrets, accountId };
    }
    // Many workspaces: one HubSpot app serves every portal, routed by portal id after verification.
    return source === 'hubspot' ? { workspaceId: null, adapter, secrets, accountId: null } : null;
  }
  const [c] = await deps.db
    .select()
    .from(crmConnections)
    .where(and(eq(crmConnections.id, connectionId), eq(crmConnections.source, source)));
  const secrets = c && connectionSecrets(deps, c);
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

const MAX_BODY_BYTES = 1024 * 1024;
/**
 * Past the limit the rest of a body is read and thrown away, up to this much, so the 413 is written
 * to a client that is done sending: closing on a client still sending resets the connection, and
 * the client never sees the answer. A body larger still is cut off.
 */
const MAX_DISCARDED_BYTES = 16 * MAX_BODY_BYTES;

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const declared = Number(req.headers['content-length']);
    let size = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
      else if (size > limit + MAX_DISCARDED_BYTES) {
        req.destroy();
        reject(new BodyTooLargeError());
      }
    });
    req.on('end', () => (tooLarge ? reject(new BodyTooLargeError()) : resolve(Buffer.concat(chunks))));
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

/**
 * One webhook request, with an id of its own and one info line when answered: the CRM, the
 * workspace, the outcome, the event counts and the duration (never the payload: it holds people's
 * names and deal amounts).
 */
export async function handleWebhook(
  deps: WebhookDeps,
  req: IncomingMessage,
  res: ServerResponse,
  params: { source?: string; connection?: string },
): Promise<void> {
  const requestId = newRequestId();
  const started = performance.now();
  const crm = CRM_SOURCES.find((s) => s === params.source) ?? 'unknown';
  const handled = await withRequestContext({ requestId }, () => answerWebhook(deps, req, res, params));
  deps.metrics.webhook(crm, handled.outcome, handled.events ?? {});
  deps.logger.info(
    {
      requestId,
      crm,
      workspace: handled.workspaceId ?? undefined,
      outcome: handled.outcome,
      status: handled.status,
      reason: handled.reason,
      ...handled.events,
      durationMs: Math.round(performance.now() - started),
    },
    'webhook batch',
  );
}

async function answerWebhook(
  deps: WebhookDeps,
  req: IncomingMessage,
  res: ServerResponse,
  params: { source?: string; connection?: string },
): Promise<Handled> {
  const source = CRM_SOURCES.find((s) => s === params.source);
  const target = source ? await findTarget(deps, source, params.connection) : null;
  if (!source || !target) {
    send(res, {
      status: 404,
      contentType: 'application/json',
      body: '{"error":"no webhook is enabled at this address"}',
    });
    return { outcome: 'refused', status: 404, reason: 'no webhook at this address' };
  }
  const refuse = (status: number, reason: string, workspaceId?: string | null): Handled => {
    send(res, adapter.errorReply(status, reason));
    return { outcome: 'refused', status, reason, workspaceId };
  };
  const { adapter } = target;
  let rawBody: Buffer;
  try {
    rawBody = await readBody(req, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      // This connection carried a body too large to serve: it is not kept for another request.
      res.shouldKeepAlive = false;
      return refuse(413, 'the body is larger than 1 MB', target.workspaceId);
    }
    return refuse(400, 'the body could not be read', target.workspaceId);
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
    return refuse(401, verified.reason, target.workspaceId);
  }
  const parsed = adapter.parse(request);
  if (!parsed.ok) return refuse(400, parsed.reason, target.workspaceId);
  const { batch } = parsed;
  if (target.accountId && batch.accountId && target.accountId !== batch.accountId) {
    return refuse(401, 'this endpoint belongs to another CRM account', target.workspaceId);
  }
  let workspaceId = target.workspaceId;
  try {
    workspaceId ??= await workspaceOfAccount(deps.db, source, batch.accountId);
    if (!workspaceId) {
      return refuse(404, `${source} account ${batch.accountId ?? '(none)'} is not connected to any workspace`);
    }
    const stored = await storeEvents(deps.db, workspaceId, source, batch.events);
    const reply = adapter.reply({ ...stored, rejected: batch.rejected });
    send(res, reply);
    if (stored.stored > 0) deps.onStored(workspaceId);
    return {
      // A batch counts as stored when anything in it was new; as a duplicate when all of it was seen
      // before; as refused when every event in it was.
      outcome:
        stored.stored > 0
          ? 'stored'
          : stored.duplicates > 0
            ? 'duplicate'
            : batch.rejected.length > 0
              ? 'refused'
              : 'stored',
      status: reply.status,
      workspaceId,
      events: { stored: stored.stored, duplicate: stored.duplicates, refused: batch.rejected.length },
    };
  } catch (error) {
    deps.logger.error({ err: error, source, workspaceId }, 'webhook batch not stored; the CRM will retry');
    send(res, adapter.errorReply(503, 'temporarily unable to store the events; please retry'));
    return { outcome: 'failed', status: 503, workspaceId };
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
