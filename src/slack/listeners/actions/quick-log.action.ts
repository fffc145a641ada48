import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { liveGoals } from '../../../coaching/nudges.job.js';
import { goalViews } from '../../../goals/goal-status.js';
import { resolveActor } from '../../actor.js';
import { describeActivity } from '../../blocks/log.blocks.js';
import { QUICK_LOG_KINDS } from '../../blocks/log-modal.blocks.js';
import type { Block } from '../../blocks/message.js';
import { refreshedNudge } from '../../blocks/nudge.blocks.js';
import type { AppDeps } from '../../deps.js';
import { logEntry } from '../../log-entry.js';
import { publishHome } from '../../publish-home.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * "+1 call", "+1 meeting": one entry per press, keyed by the interaction (Slack's trigger id), so a
 * retried request stores nothing more. Acknowledged first; then, under a nudge, the DM is updated in
 * place with the new pace, and on the App Home the tab is republished and the confirmation, with
 * Undo, goes to the rep's DM.
 */
export function createQuickLogAction(deps: AppDeps) {
  return async ({ ack, body, action, client, context, respond }: Args) => {
    await ack();
    const kind = QUICK_LOG_KINDS.find((k) => k === action.value);
    const workspaceId = context.teamId ?? body.team?.id ?? body.user.team_id;
    if (!kind || !workspaceId) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: 'That button is out of date; nothing was logged.',
      });
      return;
    }
    const now = deps.now();
    const ids = { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId };
    const actor = await resolveActor(deps, client, ids, now);
    const entry = { kind, quantity: 1, amountCents: 0, note: null, occurredAt: now };
    const { activity, created, message } = await logEntry(deps.db, actor, entry, `slack:${body.trigger_id}`, now);
    if (body.message && body.channel) {
      // "To date" windows end before the moment asked about, and the entry is stamped `now`: the pace
      // is read a millisecond later, so the press it answers counts.
      const after = new Date(now.getTime() + 1);
      const views = await goalViews(deps.db, { workspaceId, now: after, holidays: actor.settings.holidays }, [
        { userId: body.user.id, timezone: actor.timezone },
      ]);
      const original = { text: body.message.text, blocks: (body.message.blocks ?? []) as Block[] };
      const goals = liveGoals(views.get(body.user.id) ?? [], after);
      // A retried press shows the same line as the first: the rep pressed once.
      const logged = `Logged ${describeActivity(activity, actor.currency)}.`;
      const refreshed = refreshedNudge(original, { goals, currency: actor.currency, logged });
      await client.chat.update({ channel: body.channel.id, ts: body.message.ts, ...refreshed });
      return;
    }
    await publishHome({ db: deps.db, logger: deps.logger, client, crm: deps.crm }, { ...ids, now });
    if (created) await client.chat.postMessage({ channel: body.user.id, ...message });
  };
}
