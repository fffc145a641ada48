import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { type LogStateValues, readLogForm } from '../../../activities/log-form.js';
import { resolveActor } from '../../actor.js';
import type { AppDeps } from '../../deps.js';
import { logEntry } from '../../log-entry.js';
import { LOGGABLE_KINDS } from '../../open-log-modal.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The "Log activity" modal's submission. Every field is read again on the server; problems go back
 * under their fields and nothing is stored. The entry is keyed by the view, not the click, so a
 * double submit stores it once; the confirmation, with its Undo button, goes to the rep's DM with
 * the app (a modal has no reply URL for Undo to answer through), once.
 */
export function createLogActivityView(deps: AppDeps) {
  return async ({ ack, body, view, client, context }: Args) => {
    const now = deps.now();
    const workspaceId = context.teamId ?? body.team?.id ?? view.team_id;
    const ids = { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId };
    const actor = await resolveActor(deps, client, ids, now);
    const form = readLogForm(view.state.values as LogStateValues, {
      now,
      timezone: actor.timezone,
      kinds: LOGGABLE_KINDS,
    });
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: form.errors });
      return;
    }
    const { created, message } = await logEntry(deps.db, actor, form.entry, `modal:${view.id}`, now);
    await ack();
    if (created) await client.chat.postMessage({ channel: body.user.id, ...message });
  };
}
