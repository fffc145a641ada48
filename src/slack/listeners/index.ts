import type { App, InstallationStore } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { ACTIONS, COMMAND, VIEWS } from '../ids.js';
import { replyToUserErrors } from '../user-errors.js';
import { createBoardPositionAction } from './actions/board-position.action.js';
import { createNudgeFeedbackAction } from './actions/nudge-feedback.action.js';
import { createForgetAction } from './actions/privacy-forget.action.js';
import { createSettingsAction } from './actions/settings.action.js';
import { createUndoAction } from './actions/undo.action.js';
import { createKpiCommand } from './commands/kpi.command.js';
import { createAppHomeHandler } from './events/app-home.events.js';
import { createReactionHandler } from './events/reaction.events.js';
import { createUninstallHandler } from './events/uninstall.events.js';
import { createContestNewView } from './views/contest-new.view.js';
import { createSettingsView } from './views/settings.view.js';

export function registerListeners(app: App, deps: AppDeps, store: InstallationStore | undefined) {
  app.use(replyToUserErrors);
  app.command(COMMAND, createKpiCommand(deps));
  app.action(ACTIONS.undo, createUndoAction(deps));
  app.event('app_home_opened', createAppHomeHandler(deps));
  app.action(ACTIONS.nudgeHelpful, createNudgeFeedbackAction(deps, true));
  app.action(ACTIONS.nudgeNotHelpful, createNudgeFeedbackAction(deps, false));
  app.view(VIEWS.contestNew, createContestNewView(deps));
  app.action(ACTIONS.boardPosition, createBoardPositionAction(deps));
  app.action(ACTIONS.settingsScoring, createSettingsAction(deps, 'scoring'));
  app.action(ACTIONS.settingsRecognition, createSettingsAction(deps, 'recognition'));
  app.action(ACTIONS.forgetAnonymise, createForgetAction(deps, 'anonymise'));
  app.action(ACTIONS.forgetDelete, createForgetAction(deps, 'delete'));
  app.view(VIEWS.settingsScoring, createSettingsView(deps, 'scoring'));
  app.view(VIEWS.settingsRecognition, createSettingsView(deps, 'recognition'));
  const uninstall = createUninstallHandler(deps, store);
  app.event('app_uninstalled', uninstall);
  app.event('tokens_revoked', uninstall);
  const reaction = createReactionHandler(deps);
  app.event('reaction_added', reaction);
  app.event('reaction_removed', reaction);
}
