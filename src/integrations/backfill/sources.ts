import type { CrmConfig } from '../crm-config.js';
import type { CrmSource } from '../crm-event.js';
import { createHubSpotBackfillSource } from '../hubspot/backfill-source.js';
import type { BackfillSource } from './contract.js';

/**
 * Each CRM's backfill reader on a workspace's credentials: the one place a CRM's source plugs in.
 * The Salesforce and Pipedrive sources (`createSalesforceBackfillSource({ grant })`,
 * `createPipedriveBackfillSource({ grant })`) belong in the two functions below, beside HubSpot's.
 */

export interface SourceTiming {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** A workspace's OAuth grant as it is now: its access token and, for Salesforce and Pipedrive, its API address. */
export type GrantTokens = () => Promise<{ accessToken: string; apiUrl?: string }>;

/** One-workspace mode: the environment's credentials. */
export function environmentBackfillSource(
  crm: CrmConfig,
  source: CrmSource,
  timing: SourceTiming,
): BackfillSource | null {
  if (source === 'hubspot' && crm.hubspot?.accessToken) {
    return createHubSpotBackfillSource({
      accessToken: crm.hubspot.accessToken,
      baseUrl: crm.hubspot.apiUrl,
      ...timing,
    });
  }
  return null;
}

/** Many-workspace mode: the workspace's OAuth grant. */
export function grantBackfillSource(
  crm: CrmConfig,
  source: CrmSource,
  tokens: GrantTokens,
  timing: SourceTiming,
): BackfillSource | null {
  if (source === 'hubspot' && crm.hubspot) {
    const accessToken = async () => (await tokens()).accessToken;
    return createHubSpotBackfillSource({ accessToken, baseUrl: crm.hubspot.apiUrl, ...timing });
  }
  return null;
}
