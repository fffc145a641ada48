import type { CrmApi } from './adapter.js';
import type { CrmConfig } from './crm-config.js';
import type { ActivityFields, CrmSource, DealFields } from './crm-event.js';
import { createHubSpotApi } from './hubspot/api.js';
import { createPipedriveApi } from './pipedrive/api.js';
import { createSalesforceApi } from './salesforce/api.js';

/**
 * The CRM APIs configured in the environment (one-workspace mode), each behind a cache: a burst of
 * webhooks about one deal or owner costs one API call, not one per event.
 */
export function createApis(crm: CrmConfig, now: () => Date = () => new Date()): Partial<Record<CrmSource, CrmApi>> {
  const apis: Partial<Record<CrmSource, CrmApi>> = {};
  if (crm.hubspot?.accessToken) {
    apis.hubspot = cached(createHubSpotApi({ accessToken: crm.hubspot.accessToken, baseUrl: crm.hubspot.apiUrl }), now);
  }
  if (crm.salesforce?.accessToken && crm.salesforce.instanceUrl) {
    apis.salesforce = cached(
      createSalesforceApi({ accessToken: crm.salesforce.accessToken, instanceUrl: crm.salesforce.instanceUrl }),
      now,
    );
  }
  if (crm.pipedrive?.apiToken && crm.pipedrive.apiUrl) {
    apis.pipedrive = cached(
      createPipedriveApi({ apiToken: crm.pipedrive.apiToken, baseUrl: crm.pipedrive.apiUrl }),
      now,
    );
  }
  return apis;
}

/** Deals and activities change, so they are kept a minute; owners' emails hardly ever, so an hour. */
const DEAL_TTL_MS = 60_000;
const OWNER_TTL_MS = 60 * 60_000;

export function cached(api: CrmApi, now: () => Date): CrmApi {
  const deals = new Map<string, { at: number; value: DealFields | null }>();
  const owners = new Map<string, { at: number; value: { email: string | null; name: string | null } | null }>();
  const activities = new Map<string, { at: number; value: ActivityFields | null }>();

  async function through<V>(
    cache: Map<string, { at: number; value: V | null }>,
    ttl: number,
    ids: readonly string[],
    fetch: (ids: readonly string[]) => Promise<Map<string, V>>,
  ): Promise<Map<string, V>> {
    const t = now().getTime();
    const missing = ids.filter((id) => {
      const hit = cache.get(id);
      return !hit || t - hit.at > ttl;
    });
    if (missing.length > 0) {
      const fetched = await fetch(missing);
      for (const id of missing) cache.set(id, { at: t, value: fetched.get(id) ?? null });
    }
    const result = new Map<string, V>();
    for (const id of ids) {
      const value = cache.get(id)?.value;
      if (value) result.set(id, value);
    }
    return result;
  }

  const { fetchActivity } = api;
  return {
    fetchDeals: (ids) => through(deals, DEAL_TTL_MS, ids, (m) => api.fetchDeals(m)),
    fetchOwners: (ids) => through(owners, OWNER_TTL_MS, ids, (m) => api.fetchOwners(m)),
    ...(fetchActivity && {
      // A copy read before the record's newest change is stale whatever its age: a task completed
      // seconds after it was read must not keep its old completion time.
      fetchActivity: async (id: string, changedAt?: Date) => {
        const hit = activities.get(id);
        if (hit && changedAt && hit.at < changedAt.getTime()) activities.delete(id);
        return (
          (await through(activities, DEAL_TTL_MS, [id], (m) => readEach(m, (one) => fetchActivity(one)))).get(id) ??
          null
        );
      },
    }),
  };
}

/** One read per id, for APIs that read activity records one at a time. */
async function readEach<V>(ids: readonly string[], read: (id: string) => Promise<V | null>): Promise<Map<string, V>> {
  const found = new Map<string, V>();
  for (const id of ids) {
    const value = await read(id);
    if (value !== null) found.set(id, value);
  }
  return found;
}
