import { CrmApiAuthError } from '../adapter.js';
import type { CrmConfig } from '../crm-config.js';
import type { CrmSource } from '../crm-event.js';
import { createHubSpotBackfillSource } from '../hubspot/backfill-source.js';
import { createPipedriveBackfillSource } from '../pipedrive/backfill-source.js';
import { createSalesforceBackfillSource } from '../salesforce/backfill-source.js';
import type { BackfillSource } from './contract.js';

/** Each CRM's backfill reader on a workspace's credentials: the one place a CRM's source plugs in. */

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
  if (source === 'salesforce' && crm.salesforce?.accessToken && crm.salesforce.instanceUrl) {
    const { accessToken, instanceUrl } = crm.salesforce;
    return createSalesforceBackfillSource({ accessToken, instanceUrl });
  }
  if (source === 'pipedrive' && crm.pipedrive?.apiToken && crm.pipedrive.apiUrl) {
    return createPipedriveBackfillSource({
      apiToken: crm.pipedrive.apiToken,
      baseUrl: crm.pipedrive.apiUrl,
      ...timing,
    });
  }
  return null;
}

/** Pipedrive's `api_domain` and Salesforce's instance come with the grant: the API clients need both. */
export function grantWithAddress(source: CrmSource, tokens: GrantTokens) {
  return async () => {
    const { accessToken, apiUrl } = await tokens();
    if (!apiUrl) throw new CrmApiAuthError(`the ${source} grant names no API address`, 401);
    return { accessToken, apiUrl };
  };
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
  const grant = grantWithAddress(source, tokens);
  if (source === 'salesforce') return createSalesforceBackfillSource({ grant });
  if (source === 'pipedrive') return createPipedriveBackfillSource({ grant, ...timing });
  return null;
}
