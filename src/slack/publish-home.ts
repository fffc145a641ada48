import type { webApi } from '@slack/bolt';
import type { Database } from '../db/client.js';
import { getSettings } from '../game/settings.js';
import { loadHome } from '../home/home.queries.js';
import type { Logger } from '../lib/logger.js';
import { resolveMember } from '../members/member-sync.js';
import { ensureWorkspace } from '../members/members.repository.js';
import { homeView } from './blocks/home.blocks.js';

/**
 * Loads one person's App Home and publishes it: on opening the tab, and after a change that shows
 * on it (a manager saving settings). Publishing replaces the view, so doing it twice does no harm.
 */
export async function publishHome(
  deps: { db: Database; logger: Logger; client: webApi.WebClient },
  input: { workspaceId: string; userId: string; enterpriseId?: string | null; now: Date },
): Promise<void> {
  const { db, logger, client } = deps;
  const { workspaceId, userId, now } = input;
  const [workspace, member, settings] = await Promise.all([
    ensureWorkspace(db, workspaceId, { enterpriseId: input.enterpriseId ?? null }),
    resolveMember({ db, client, logger }, workspaceId, userId, now),
    getSettings(db, workspaceId),
  ]);
  const currency = workspace.currency ?? 'USD';
  const sections = await loadHome(db, {
    member,
    client,
    logger,
    timezone: member.timezone ?? workspace.defaultTimezone ?? 'UTC',
    currency,
    settings,
    now,
  });
  await client.views.publish({ user_id: userId, view: homeView({ sections, currency }) });
}
