import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { updateSettings } from '../../../home/settings.repository.js';
import {
  readSettingsForm,
  SETTINGS_FIELDS,
  type SettingsPart,
  type SettingsStateValues,
} from '../../../home/settings-form.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { resolveActor } from '../../actor.js';
import type { AppDeps } from '../../deps.js';
import { publishHome } from '../../publish-home.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/** The field a refusal or an unreadable form is shown under: the first of each modal. */
const FIRST_FIELD: Record<SettingsPart, string> = {
  scoring: SETTINGS_FIELDS.points('call'),
  recognition: SETTINGS_FIELDS.recognitionChannel,
};

/**
 * A settings modal's submission. The role is checked again (anyone can post a payload), every
 * field is checked, and problems go back under their fields with nothing stored. The change and
 * its audit record are stored together; the form sets whole values, so a retried submission
 * leaves the same settings and records no second change. The manager's Home is then republished.
 */
export function createSettingsView(deps: AppDeps, part: SettingsPart) {
  return async ({ ack, body, view, client, context }: Args) => {
    const now = deps.now();
    const workspaceId = context.teamId ?? body.team?.id ?? view.team_id;
    // The workspace row holds the settings, so it must exist before they are changed.
    const { member } = await resolveActor(
      deps,
      client,
      { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId },
      now,
    );
    if (!isManager(member)) {
      await ack({ response_action: 'errors', errors: { [FIRST_FIELD[part]]: onlyManagers('change settings') } });
      return;
    }
    const values = view.state.values as SettingsStateValues;
    const result = await updateSettings(deps.db, {
      workspaceId,
      actorId: member.userId,
      at: now,
      change: (current) => readSettingsForm(part, values, current),
    });
    if (!result.ok) {
      await ack({ response_action: 'errors', errors: result.errors });
      return;
    }
    await ack();
    await publishHome(
      { db: deps.db, logger: deps.logger, client, crm: deps.crm },
      { workspaceId, userId: member.userId, enterpriseId: context.enterpriseId, now },
    );
  };
}
