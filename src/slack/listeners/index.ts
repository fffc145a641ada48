import type { App, InstallationStore } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { ACTIONS, COMMAND, VIEWS } from '../ids.js';
import { createUndoAction } from './actions/undo.action.js';
import { createKpiCommand } from './commands/kpi.command.js';
import { createUninstallHandler } from './events/uninstall.events.js';
import { createContestNewView } from './views/contest-new.view.js';

export function registerListeners(app: App, deps: AppDeps, store: InstallationStore | undefined) {
  app.command(COMMAND, createKpiCommand(deps));
  app.action(ACTIONS.undo, createUndoAction(deps));
  app.view(VIEWS.contestNew, createContestNewView(deps));
  const uninstall = createUninstallHandler(deps, store);
  app.event('app_uninstalled', uninstall);
  app.event('tokens_revoked', uninstall);
}
