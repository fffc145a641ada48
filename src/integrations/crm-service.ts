import type { CrmBackfillResumer, CrmGrantRefresher, WaitingCrmEvents } from '../jobs/job.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Shutdown } from '../lib/shutdown.js';
import { type CrmApi, CrmApiAuthError } from './adapter.js';
import type { BackfillReporter, BackfillRun } from './backfill/contract.js';
import { type BackfillEngine, createBackfills } from './backfill/engine.js';
import { environmentBackfillSource, grantBackfillSource, grantWithAddress } from './backfill/sources.js';
import { cached, createApis } from './crm-apis.js';
import type { CrmSource } from './crm-event.js';
import { grantState, liveTokens, refreshDueGrants } from './crm-grants.js';
import type { CrmOAuthClient, OAuthTokens } from './crm-oauth.js';
import { type CrmRunner, createCrmRunner } from './crm-runner.js';
import { createHubSpotApi } from './hubspot/api.js';
import { createPipedriveApi } from './pipedrive/api.js';
import { applyPending, type ProcessorDeps } from './processor.js';
import { createSalesforceApi } from './salesforce/api.js';

export interface CrmServiceDeps extends Omit<ProcessorDeps, 'apiFor'> {
  /** The one workspace the bot token belongs to (null with OAuth, or before Slack was asked). */
  singleWorkspaceId(): string | null;
  shutdown: Shutdown;
  /** Opens the OAuth tokens stored sealed. */
  secrets: SecretBox;
  /** The CRMs this server connects by OAuth (many-workspace mode). */
  oauth: Partial<Record<CrmSource, CrmOAuthClient>>;
  /** How a backfill waits (a 429's `Retry-After`, its pacing); tests pass one that moves their clock. */
  sleep: (ms: number) => Promise<void>;
  /** Who shows a backfill's progress (the admin's Slack message); none by default. */
  backfillReporters?: (run: BackfillRun) => BackfillReporter[];
}

export interface CrmService {
  /** Applies stored webhook batches as they arrive. */
  runner: CrmRunner;
  /** What the `crm-retry` job applies again. */
  waiting: WaitingCrmEvents;
  /** What the `crm-grants` job refreshes. */
  grants: CrmGrantRefresher;
  /** Reads a window of a CRM's history into the inbox. */
  backfills: BackfillEngine;
  /** What the `crm-backfill` job resumes. */
  backfillResumer: CrmBackfillResumer;
}

/** The CRM side of the app: each workspace's CRM API, the background runner, and the retry port. */
export function createCrmService({
  singleWorkspaceId,
  shutdown,
  secrets,
  oauth,
  sleep,
  backfillReporters = () => [],
  ...deps
}: CrmServiceDeps): CrmService {
  const apis = createApis(deps.crm, deps.now);
  const granted = new Map<string, CrmApi>();
  /** The workspace's live OAuth grant for this CRM, with the account it proved; null when not connected. */
  async function grantOf(workspaceId: string, source: CrmSource) {
    const client = oauth[source];
    if (!client) return null;
    const grant = await grantState(deps.db, workspaceId, source);
    if (!grant.connected) return null;
    const tokens = () => liveTokens({ db: deps.db, box: secrets, now: deps.now }, client, workspaceId);
    return { accountId: grant.accountId, tokens };
  }
  /** A workspace's own API client, on its OAuth grant; one per workspace and CRM, so its cache is kept. */
  async function grantedApi(workspaceId: string, source: CrmSource): Promise<CrmApi | null> {
    const grant = await grantOf(workspaceId, source);
    if (!grant) return null;
    // Per account too: a workspace that connects another account starts with an empty cache.
    const key = `${workspaceId}:${source}:${grant.accountId}`;
    let api = granted.get(key);
    if (!api) {
      const made = grantApi(source, grant.tokens);
      if (!made) return null;
      api = cached(made, deps.now);
      granted.set(key, api);
    }
    return api;
  }
  function grantApi(source: CrmSource, tokens: () => Promise<OAuthTokens>): CrmApi | null {
    if (source === 'hubspot' && deps.crm.hubspot) {
      const accessToken = async () => (await tokens()).accessToken;
      return createHubSpotApi({ accessToken, baseUrl: deps.crm.hubspot.apiUrl });
    }
    const grant = grantWithAddress(source, tokens);
    if (source === 'pipedrive') return createPipedriveApi({ grant });
    if (source === 'salesforce') return createSalesforceApi({ grant });
    return null;
  }
  const processor: ProcessorDeps = {
    ...deps,
    // Environment credentials serve the one workspace; in many-workspace mode each uses its own grant.
    apiFor: (workspaceId, source) =>
      workspaceId === singleWorkspaceId() ? (apis[source] ?? null) : grantedApi(workspaceId, source),
  };
  const runner = createCrmRunner(processor, deps.logger);
  shutdown.add('crm runner', () => runner.idle());
  const timing = { now: deps.now, sleep };
  const backfills = createBackfills({
    db: deps.db,
    logger: deps.logger,
    ...timing,
    // Credentials as `apiFor` takes them: the environment's for the one workspace, else its OAuth grant.
    async sourceFor(workspaceId, source) {
      if (workspaceId === singleWorkspaceId()) return environmentBackfillSource(deps.crm, source, timing);
      const grant = await grantOf(workspaceId, source);
      return grant ? grantBackfillSource(deps.crm, source, grant.tokens, timing) : null;
    },
    reportersFor: backfillReporters,
    onStored: (workspaceId) => runner.kick(workspaceId),
    applied: () => runner.idle(),
  });
  // Added after the runner, so it stops first: its runs let go of their leases for another replica.
  shutdown.add('crm backfills', () => backfills.stop());
  return {
    runner,
    backfills,
    backfillResumer: {
      resume: async (_db, _now, workspaceId) => ({ resumed: await backfills.resumeLapsed(workspaceId) }),
    },
    waiting: { apply: (db, now, workspaceId) => applyPending({ ...processor, db, now: () => now }, workspaceId) },
    grants: {
      refresh: (db, now, workspaceId) => refreshDueGrants({ db, box: secrets, now: () => now }, oauth, workspaceId),
    },
  };
}
