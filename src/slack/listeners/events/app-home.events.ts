import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { getSettings } from '../../../game/settings.js';
import { loadHome } from '../../../home/home.queries.js';
import { resolveMember } from '../../../members/member-sync.js';
import { ensureWorkspace } from '../../../members/members.repository.js';
import { homeView } from '../../blocks/home.blocks.js';
import type { AppDeps } from '../../deps.js';

/**
 * `app_home_opened` on the Home tab: loads the person's dashboard and publishes it. Publishing is
 * idempotent (the view is replaced), so a retried event does no harm.
 */
export function createAppHomeHandler(deps: AppDeps) {
  return async ({ event, client, context, body }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    const now = deps.now();
    const workspaceId = context.teamId ?? body.team_id;
    const [workspace, member, settings] = await Promise.all([
      ensureWorkspace(deps.db, workspaceId, { enterpriseId: context.enterpriseId ?? null }),
      resolveMember({ db: deps.db, client, logger: deps.logger }, workspaceId, event.user, now),
      getSettings(deps.db, workspaceId),
    ]);
    const currency = workspace.currency ?? 'USD';
    const sections = await loadHome(deps.db, {
      member,
      client,
      logger: deps.logger,
      timezone: member.timezone ?? workspace.defaultTimezone ?? 'UTC',
      currency,
      settings,
      now,
    });
    await client.views.publish({ user_id: event.user, view: homeView({ sections, currency }) });
  };
}
