import type { webApi } from '@slack/bolt';
import type { Database } from '../db/client.js';
import { loadHome } from '../home/home.queries.js';
import type { CrmSource } from '../integrations/crm-event.js';
import type { Logger } from '../lib/logger.js';
import { type ActorIds, resolveActor } from './actor.js';
import { homeView } from './blocks/home.blocks.js';
import type { CrmCommandDeps } from './deps.js';

type CrmHomeDeps = Pick<CrmCommandDeps, 'oauth' | 'backfills'> &
  Partial<Pick<CrmCommandDeps, 'config' | 'perWorkspaceConnections'>>;

/** One workspace: the CRMs whose API credentials are in the environment, whose history can be read. */
function environmentApis(crm: CrmHomeDeps): CrmSource[] {
  const { config } = crm;
  if (crm.perWorkspaceConnections || !config) return [];
  const readable: Record<'hubspot' | 'salesforce' | 'pipedrive', boolean> = {
    hubspot: Boolean(config.hubspot?.accessToken),
    salesforce: Boolean(config.salesforce?.accessToken && config.salesforce.instanceUrl),
    pipedrive: Boolean(config.pipedrive?.apiToken && config.pipedrive.apiUrl),
  };
  return (Object.keys(readable) as (keyof typeof readable)[]).filter((s) => readable[s]);
}

/**
 * Loads one person's App Home and publishes it: on opening the tab, and after a change that shows
 * on it (a manager saving settings). Publishing replaces the view, so doing it twice does no harm.
 */
export async function publishHome(
  deps: { db: Database; logger: Logger; client: webApi.WebClient; crm: CrmHomeDeps },
  input: ActorIds & { now: Date },
): Promise<void> {
  const { db, logger, client } = deps;
  const { member, timezone, currency, settings } = await resolveActor({ db, logger }, client, input, input.now);
  const crmOAuth = Object.keys(deps.crm.oauth) as CrmSource[];
  const { backfills } = deps.crm;
  const crmBackfill = backfills ? { backfills, fromEnvironment: environmentApis(deps.crm) } : null;
  const viewer = { member, client, logger, timezone, currency, settings, now: input.now, crmOAuth, crmBackfill };
  const sections = await loadHome(db, viewer);
  await client.views.publish({ user_id: input.userId, view: homeView({ sections, currency }) });
}
