import type { AllMiddlewareArgs, InstallationStore, SlackEventMiddlewareArgs } from '@slack/bolt';
import { markOrgInstalled, markUninstalled } from '../../../members/members.repository.js';
import type { AppDeps } from '../../deps.js';

/**
 * `app_uninstalled` and `tokens_revoked`: the stored tokens are deleted at once (they no longer
 * work and must not linger); the workspace's history stays for the grace period, so a reinstall
 * carries on from it, then the `purge-uninstalled` job deletes it (src/privacy/workspace-purge.ts).
 */
export function createUninstallHandler(deps: AppDeps, store: InstallationStore | undefined) {
  return async ({
    context,
    body,
  }: AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_uninstalled' | 'tokens_revoked'>) => {
    const teamId = context.teamId ?? body.team_id;
    const enterpriseId = context.enterpriseId ?? body.enterprise_id;
    const isEnterpriseInstall = context.isEnterpriseInstall ?? false;
    if (body.event.type === 'tokens_revoked' && (body.event.tokens.bot ?? []).length === 0) return;
    await store?.deleteInstallation?.({ teamId, enterpriseId, isEnterpriseInstall });
    if (body.event.type === 'app_uninstalled') {
      // An org-wide uninstall removes the app from every workspace of the org at once.
      if (isEnterpriseInstall && enterpriseId) await markOrgInstalled(deps.db, enterpriseId, false, deps.now());
      else if (teamId) await markUninstalled(deps.db, teamId, deps.now());
    }
    deps.logger.info({ teamId, enterpriseId, event: body.event.type }, 'installation removed');
  };
}
