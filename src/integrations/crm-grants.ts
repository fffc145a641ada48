import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNotNull, isNull, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { violatedUniqueConstraint } from '../db/rows.js';
import { crmConnections, crmOauthStates } from '../db/schema.js';
import { sealedIn } from '../db/secrets-at-rest.js';
import type { SecretBox } from '../lib/secret-box.js';
import { CrmApiAuthError, CrmApiUnavailableError } from './adapter.js';
import type { CrmConfig } from './crm-config.js';
import type { CrmSource } from './crm-event.js';
import type { CrmOAuthClient, OAuthTokens } from './crm-oauth.js';
import { createHubSpotOAuth } from './hubspot/oauth.js';
import { createPipedriveOAuth } from './pipedrive/oauth.js';
import { createSalesforceOAuth } from './salesforce/oauth.js';

/**
 * CRM grants made by OAuth, per workspace: the `state` that carries an admin's request through the
 * CRM's consent page, the tokens it yields (sealed in the workspace's `crm_connections` row, beside
 * the account they prove), and access tokens refreshed before they expire.
 */

/** How long an admin has between asking to connect and approving in the CRM. */
const STATE_TTL_MS = 10 * 60_000;
/** Refreshed this long before expiry, so a request never leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface StateClaim {
  workspaceId: string;
  userId: string;
  source: CrmSource;
}

/** The OAuth clients this server is configured for (a client id and secret per CRM). */
export function oauthClients(crm: CrmConfig, now: () => Date): Partial<Record<CrmSource, CrmOAuthClient>> {
  const clients: Partial<Record<CrmSource, CrmOAuthClient>> = {};
  const hubspotId = crm.hubspot?.clientId;
  if (crm.hubspot && hubspotId) clients.hubspot = createHubSpotOAuth({ ...crm.hubspot, clientId: hubspotId, now });
  const pd = crm.pipedriveOAuth;
  if (pd) clients.pipedrive = createPipedriveOAuth({ ...pd, oauthUrl: pd.url, now });
  const sf = crm.salesforceOAuth;
  if (sf) clients.salesforce = createSalesforceOAuth({ ...sf, loginUrl: sf.url, now });
  return clients;
}

export function oauthRedirectUri(publicUrl: string, source: CrmSource): string {
  return `${publicUrl}/crm/oauth/${source}/callback`;
}

function signature(key: string, source: CrmSource, nonce: string): Buffer {
  return createHmac('sha256', key).update(`${source}.${nonce}`).digest();
}

/**
 * A fresh state for this admin and CRM: a random nonce, stored with who asked and until when, and
 * signed with the CRM app's secret so a forged one is refused before the database is asked.
 */
export async function issueState(db: Database, now: Date, claim: StateClaim, key: string): Promise<string> {
  const nonce = randomBytes(24).toString('base64url');
  // Expired states of anyone are swept here: cheap, and the table never grows.
  await db.delete(crmOauthStates).where(lt(crmOauthStates.expiresAt, now));
  await db.insert(crmOauthStates).values({ nonce, ...claim, expiresAt: new Date(now.getTime() + STATE_TTL_MS) });
  return `${nonce}.${signature(key, claim.source, nonce).toString('base64url')}`;
}

/** The claim a state was issued for, once: it is deleted as it is read. Null when forged, expired or used. */
export async function takeState(
  db: Database,
  now: Date,
  source: CrmSource,
  state: string,
  key: string,
): Promise<StateClaim | null> {
  const [nonce = '', sig = ''] = state.split('.');
  const given = Buffer.from(sig, 'base64url');
  const expected = signature(key, source, nonce);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const [row] = await db
    .delete(crmOauthStates)
    .where(and(eq(crmOauthStates.nonce, nonce), eq(crmOauthStates.source, source), gt(crmOauthStates.expiresAt, now)))
    .returning();
  return row ? { workspaceId: row.workspaceId, userId: row.userId, source } : null;
}

export type SaveGrantResult =
  | {
      saved: true;
      connectionId: string;
      /** The webhook secret of a new connection, to show the admin once; null when the connection existed. */
      newSecret: string | null;
    }
  | { saved: false; reason: 'account-taken' };

/**
 * Binds the proven account and its tokens to the workspace: a new connection, or the workspace's
 * existing one for that CRM (connecting again replaces the grant). Another workspace holding the
 * account is refused by the `crm_connections_account` index, whatever raced.
 */
export async function saveGrant(
  db: Database,
  box: SecretBox,
  grant: StateClaim & { accountId: string; tokens: OAuthTokens },
): Promise<SaveGrantResult> {
  const [existing] = await db
    .select({ id: crmConnections.id })
    .from(crmConnections)
    .where(and(eq(crmConnections.workspaceId, grant.workspaceId), eq(crmConnections.source, grant.source)));
  const id = existing?.id ?? randomBytes(12).toString('hex');
  const tokens = box.seal(JSON.stringify(grant.tokens), sealedIn.crmTokens(id));
  const values = { accountId: grant.accountId, tokens, tokensRefusedAt: null, createdBy: grant.userId };
  // The webhook secret is only used by CRMs whose webhooks are per connection; HubSpot signs with its app secret.
  const newSecret = existing ? null : randomBytes(24).toString('base64url');
  try {
    if (newSecret === null) await db.update(crmConnections).set(values).where(eq(crmConnections.id, id));
    else {
      const secret = box.seal(newSecret, sealedIn.crmConnection(id));
      await db
        .insert(crmConnections)
        .values({ id, workspaceId: grant.workspaceId, source: grant.source, secret, ...values });
    }
  } catch (error) {
    if (violatedUniqueConstraint(error) === 'crm_connections_account') return { saved: false, reason: 'account-taken' };
    throw error;
  }
  return { saved: true, connectionId: id, newSecret };
}

export interface GrantState {
  connected: boolean;
  /** The account the grant proved. */
  accountId: string | null;
  /** The CRM refused to refresh the grant: the admin must connect again. */
  refusedAt: Date | null;
}

type GrantRow = { id: string; accountId: string | null; tokens: string | null; tokensRefusedAt: Date | null };

async function grantRow(db: Database, workspaceId: string, source: CrmSource): Promise<GrantRow | undefined> {
  const [row] = await db
    .select({
      id: crmConnections.id,
      accountId: crmConnections.accountId,
      tokens: crmConnections.tokens,
      tokensRefusedAt: crmConnections.tokensRefusedAt,
    })
    .from(crmConnections)
    .where(and(eq(crmConnections.workspaceId, workspaceId), eq(crmConnections.source, source)));
  return row;
}

/** Whether the workspace holds an OAuth grant for the CRM, and whether the CRM still honours it. */
export async function grantState(db: Database, workspaceId: string, source: CrmSource): Promise<GrantState> {
  const row = await grantRow(db, workspaceId, source);
  return { connected: row?.tokens != null, accountId: row?.accountId ?? null, refusedAt: row?.tokensRefusedAt ?? null };
}

export interface CrmGrantLine {
  source: CrmSource;
  accountId: string | null;
  /** The CRM refused to renew the grant. */
  refused: boolean;
}

/** The workspace's CRMs connected by OAuth, for the admin's App Home. */
export async function crmGrantLines(db: Database, workspaceId: string): Promise<CrmGrantLine[]> {
  const rows = await db
    .select({
      source: crmConnections.source,
      accountId: crmConnections.accountId,
      refusedAt: crmConnections.tokensRefusedAt,
    })
    .from(crmConnections)
    .where(and(eq(crmConnections.workspaceId, workspaceId), isNotNull(crmConnections.tokens)))
    .orderBy(crmConnections.source);
  return rows.map((r) => ({ source: r.source as CrmSource, accountId: r.accountId, refused: r.refusedAt !== null }));
}

export interface GrantDeps {
  db: Database;
  box: SecretBox;
  now: () => Date;
}

/**
 * A valid access token for the workspace, refreshed first when it is about to expire. Throws
 * `CrmApiAuthError` when the workspace has no live grant (none, or the CRM refused the refresh, which
 * is recorded for the admin to see); `CrmApiUnavailableError` when the CRM could not be reached.
 */
export async function accessToken(deps: GrantDeps, client: CrmOAuthClient, workspaceId: string): Promise<string> {
  return (await liveTokens(deps, client, workspaceId)).accessToken;
}

/** The workspace's current tokens (refreshed as `accessToken` says), with the API address they belong to. */
export async function liveTokens(deps: GrantDeps, client: CrmOAuthClient, workspaceId: string): Promise<OAuthTokens> {
  const row = await grantRow(deps.db, workspaceId, client.source);
  if (!row?.tokens || row.tokensRefusedAt) {
    throw new CrmApiAuthError(`no live ${client.source} grant for this workspace`, 401);
  }
  const context = sealedIn.crmTokens(row.id);
  const tokens = JSON.parse(deps.box.open(row.tokens, context)) as OAuthTokens;
  if (tokens.expiresAt - deps.now().getTime() > REFRESH_MARGIN_MS) return tokens;
  let fresh: OAuthTokens;
  try {
    // A refresh may leave out the API address (HubSpot has none); the grant's stays.
    fresh = { ...(tokens.apiUrl && { apiUrl: tokens.apiUrl }), ...(await client.refresh(tokens.refreshToken)) };
  } catch (error) {
    if (error instanceof CrmApiAuthError) {
      await deps.db
        .update(crmConnections)
        .set({ tokensRefusedAt: deps.now() })
        .where(and(eq(crmConnections.id, row.id), eq(crmConnections.tokens, row.tokens)));
    }
    throw error;
  }
  // Only over what was read: a reconnect meanwhile keeps its newer grant.
  await deps.db
    .update(crmConnections)
    .set({ tokens: deps.box.seal(JSON.stringify(fresh), context) })
    .where(and(eq(crmConnections.id, row.id), eq(crmConnections.tokens, row.tokens)));
  return fresh;
}

/**
 * Refreshes every live grant (of one workspace, or all) whose access token is about to expire; a
 * refusal is recorded for the admin by `liveTokens`, a CRM that is down is tried at the next run.
 */
export async function refreshDueGrants(
  deps: GrantDeps,
  clients: Partial<Record<CrmSource, CrmOAuthClient>>,
  workspaceId: string | null,
): Promise<{ live: number; refused: number; unavailable: number }> {
  const rows = await deps.db
    .select({ workspaceId: crmConnections.workspaceId, source: crmConnections.source })
    .from(crmConnections)
    .where(
      and(
        isNotNull(crmConnections.tokens),
        isNull(crmConnections.tokensRefusedAt),
        workspaceId === null ? undefined : eq(crmConnections.workspaceId, workspaceId),
      ),
    );
  const report = { live: 0, refused: 0, unavailable: 0 };
  for (const row of rows) {
    const client = clients[row.source as CrmSource];
    if (!client) continue;
    try {
      await liveTokens(deps, client, row.workspaceId);
      report.live++;
    } catch (error) {
      if (error instanceof CrmApiAuthError) report.refused++;
      else if (error instanceof CrmApiUnavailableError) report.unavailable++;
      else throw error;
    }
  }
  return report;
}

/**
 * Ends the workspace's grant: revoked at the CRM where it allows (best effort: the tokens are
 * deleted here whatever the CRM answers), and the connection removed. False when there was none.
 */
export async function disconnect(
  deps: GrantDeps,
  client: CrmOAuthClient | undefined,
  workspaceId: string,
  source: CrmSource,
): Promise<{ removed: boolean; revoked: boolean }> {
  const row = await grantRow(deps.db, workspaceId, source);
  if (!row) return { removed: false, revoked: false };
  let revoked = false;
  if (client && row.tokens) {
    const tokens = JSON.parse(deps.box.open(row.tokens, sealedIn.crmTokens(row.id))) as OAuthTokens;
    revoked = await client.revoke(tokens).then(
      () => true,
      () => false,
    );
  }
  await deps.db.delete(crmConnections).where(eq(crmConnections.id, row.id));
  return { removed: true, revoked };
}
