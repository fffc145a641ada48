import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { AppDeps } from '../../deps.js';
import { openLogModal } from '../../open-log-modal.js';
import { prefillFromMessage } from '../../subcommands/log-from-message.js';

type Args = AllMiddlewareArgs & SlackShortcutMiddlewareArgs;

/**
 * The global shortcut "Log activity" and the message shortcut "Log as activity": both open the
 * "Log activity" modal; from a message it comes pre-filled (its activity, its text and a link to it).
 */
export function createLogShortcut(deps: AppDeps) {
  return async ({ ack, shortcut, client, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? shortcut.team?.id ?? shortcut.user.team_id ?? '';
    const ids = { workspaceId, userId: shortcut.user.id, enterpriseId: context.enterpriseId };
    if (shortcut.type !== 'message_action') {
      await openLogModal(deps, client, { triggerId: shortcut.trigger_id, ids });
      return;
    }
    // Without a link (a message Slack no longer finds) the rep still gets the modal: the note is the text.
    const permalink = await client.chat
      .getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts })
      .then((answer) => answer.permalink ?? null)
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, workspaceId }, 'chat.getPermalink failed; logging without a link');
        return null;
      });
    const prefill = prefillFromMessage(shortcut.message.text ?? '', permalink);
    await openLogModal(deps, client, { triggerId: shortcut.trigger_id, ids, prefill });
  };
}
