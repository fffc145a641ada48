import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { publishHome } from '../../publish-home.js';

/**
 * `app_home_opened` on the Home tab: loads the person's dashboard and publishes it. Publishing is
 * idempotent (the view is replaced), so a retried event does no harm.
 */
export function createAppHomeHandler(deps: AppDeps) {
  return async ({ event, client, context, body }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>) => {
    if (event.tab !== 'home') return;
    await publishHome(
      { db: deps.db, logger: deps.logger, client, crm: deps.crm },
      {
        workspaceId: context.teamId ?? body.team_id,
        userId: event.user,
        enterpriseId: context.enterpriseId,
        now: deps.now(),
      },
    );
  };
}
