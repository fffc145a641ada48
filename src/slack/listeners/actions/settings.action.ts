import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { SettingsPart } from '../../../home/settings-form.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { resolveActor } from '../../actor.js';
import { notAllowedModal, settingsModal } from '../../blocks/settings.blocks.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * A settings button on a manager's App Home: opens the modal prefilled with the stored settings.
 * The role is checked again here (a rep never sees the button, but anyone can send the click),
 * and a rep gets the polite refusal in a modal, since a Home tab has nowhere else to answer.
 */
export function createSettingsAction(deps: AppDeps, part: SettingsPart) {
  return async ({ ack, body, client, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id;
    if (!workspaceId) return;
    const { member, settings } = await resolveActor(
      deps,
      client,
      { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId },
      deps.now(),
    );
    const view = isManager(member)
      ? settingsModal(part, settings)
      : notAllowedModal(onlyManagers(part === 'scoring' ? 'change scoring' : 'change recognition and nudges'));
    await client.views.open({ trigger_id: body.trigger_id, view });
  };
}
