import type { App, InstallationStore } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { ACTIONS, COMMAND, FUNCTIONS, SHORTCUTS, VIEWS } from '../ids.js';
import { replyToUserErrors } from '../user-errors.js';
import { createBoardPositionAction } from './actions/board-position.action.js';
import { crmAuthorizeAction } from './actions/crm-authorize.action.js';
import { createCrmBackfillAction } from './actions/crm-backfill.action.js';
import { createCrmConnectAction } from './actions/crm-connect.action.js';
import { createNudgeFeedbackAction } from './actions/nudge-feedback.action.js';
import { createOpenLogModalAction } from './actions/open-log-modal.action.js';
import { createForgetAction } from './actions/privacy-forget.action.js';
import { createQuickLogAction } from './actions/quick-log.action.js';
import { createSettingsAction } from './actions/settings.action.js';
import { createUndoAction } from './actions/undo.action.js';
import { createKpiCommand } from './commands/kpi.command.js';
import { createAppHomeHandler } from './events/app-home.events.js';
import { createDirectMessageHandler } from './events/direct-message.events.js';
import { createReactionHandler } from './events/reaction.events.js';
import { createUninstallHandler } from './events/uninstall.events.js';
import { createGetKpiStep } from './functions/get-kpi.function.js';
import { createLogActivityStep } from './functions/log-activity.function.js';
import { createPostBoardStep } from './functions/post-board.function.js';
import { createLogShortcut } from './shortcuts/log-activity.shortcut.js';
import { createContestNewView } from './views/contest-new.view.js';
import { createLogActivityView } from './views/log-activity.view.js';
import { createSettingsView } from './views/settings.view.js';

export interface ListenerOptions {
  /** How long a slash command's answer may take to go in its acknowledgement (tests shorten it). */
  commandAckBudgetMs?: number;
}

export function registerListeners(
  app: App,
  deps: AppDeps,
  store: InstallationStore | undefined,
  options: ListenerOptions = {},
) {
  app.use(replyToUserErrors);
  app.command(COMMAND, createKpiCommand(deps, options.commandAckBudgetMs));
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
  const logShortcut = createLogShortcut(deps);
  app.shortcut(SHORTCUTS.logActivity, logShortcut);
  app.shortcut(SHORTCUTS.logMessage, logShortcut);
  app.view(VIEWS.logActivity, createLogActivityView(deps));
  app.action(new RegExp(`^${ACTIONS.quickLog}_`), createQuickLogAction(deps));
  app.action(ACTIONS.openLogModal, createOpenLogModalAction(deps));
  app.action(ACTIONS.crmAuthorize, crmAuthorizeAction);
  app.action(ACTIONS.crmConnect, createCrmConnectAction(deps));
  app.action(new RegExp(`^${ACTIONS.crmBackfill}_`), createCrmBackfillAction(deps));
  // The manifest's 'message.im': Bolt delivers it as a 'message' event; the handler keeps DMs only.
  app.event('message', createDirectMessageHandler(deps));
  const reaction = createReactionHandler(deps);
  app.event('reaction_added', reaction);
  app.event('reaction_removed', reaction);
  app.function(FUNCTIONS.logActivity, createLogActivityStep(deps));
  app.function(FUNCTIONS.getKpi, createGetKpiStep(deps));
  app.function(FUNCTIONS.postBoard, createPostBoardStep(deps));
}
