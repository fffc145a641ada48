import type { App, InstallationStore } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { ACTIONS, COMMAND } from '../ids.js';
import { createBoardPositionAction } from './actions/board-position.action.js';
import { createUndoAction } from './actions/undo.action.js';
import { createKpiCommand } from './commands/kpi.command.js';
import { createUninstallHandler } from './events/uninstall.events.js';

export function registerListeners(app: App, deps: AppDeps, store: InstallationStore | undefined) {
  app.command(COMMAND, createKpiCommand(deps));
  app.action(ACTIONS.undo, createUndoAction(deps));
  app.action(ACTIONS.boardPosition, createBoardPositionAction(deps));
  const uninstall = createUninstallHandler(deps, store);
  app.event('app_uninstalled', uninstall);
  app.event('tokens_revoked', uninstall);
}
