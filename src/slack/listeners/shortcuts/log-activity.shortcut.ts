import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { withDeadline } from '../../../lib/deadline.js';
import { PROFILE_LOOKUP_DEADLINE_MS } from '../../../members/member-sync.js';
import type { AppDeps } from '../../deps.js';
import { openLogModal } from '../../open-log-modal.js';
import { prefillFromMessage } from '../../subcommands/log-from-message.js';

type Args = AllMiddlewareArgs & SlackShortcutMiddlewareArgs;

/** As long as the profile look-up may take: the modal must open within the trigger's three seconds. */
const PERMALINK_DEADLINE_MS = PROFILE_LOOKUP_DEADLINE_MS;

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
    // Without a link (a message Slack no longer finds, or a slow answer) the rep still gets the
    // modal in time: the note is the text.
    const permalink = withDeadline(
      client.chat.getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts }),
      PERMALINK_DEADLINE_MS,
      () => new Error(`chat.getPermalink did not answer within ${PERMALINK_DEADLINE_MS} ms`),
    )
      .then((answer) => answer.permalink ?? null)
      .catch((error: unknown) => {
        deps.logger.warn({ err: error, workspaceId }, 'no permalink; logging the message without a link');
        return null;
      });
    const prefill = permalink.then((link) => prefillFromMessage(shortcut.message.text ?? '', link));
    await openLogModal(deps, client, { triggerId: shortcut.trigger_id, ids, prefill });
  };
}
