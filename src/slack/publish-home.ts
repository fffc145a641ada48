import type { webApi } from '@slack/bolt';
import type { Database } from '../db/client.js';
import { loadHome } from '../home/home.queries.js';
import type { CrmSource } from '../integrations/crm-event.js';
import type { Logger } from '../lib/logger.js';
import { type ActorIds, resolveActor } from './actor.js';
import { homeView } from './blocks/home.blocks.js';
import type { CrmCommandDeps } from './deps.js';

/**
 * Loads one person's App Home and publishes it: on opening the tab, and after a change that shows
 * on it (a manager saving settings). Publishing replaces the view, so doing it twice does no harm.
 */
export async function publishHome(
  deps: { db: Database; logger: Logger; client: webApi.WebClient; crm: Pick<CrmCommandDeps, 'oauth'> },
  input: ActorIds & { now: Date },
): Promise<void> {
  const { db, logger, client } = deps;
  const { member, timezone, currency, settings } = await resolveActor({ db, logger }, client, input, input.now);
  const crmOAuth = Object.keys(deps.crm.oauth) as CrmSource[];
  const viewer = { member, client, logger, timezone, currency, settings, now: input.now, crmOAuth };
  const sections = await loadHome(db, viewer);
  await client.views.publish({ user_id: input.userId, view: homeView({ sections, currency }) });
}
