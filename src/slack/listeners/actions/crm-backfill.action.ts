import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { BACKFILL_SOURCES, backfillWindow, DEFAULT_BACKFILL_DAYS } from '../../../integrations/backfill/window.js';
import { requireAdmin } from '../../../members/roles.js';
import { resolveActor } from '../../actor.js';
import { backfillStartedMessage } from '../../blocks/backfill.blocks.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>;

/**
 * "Backfill 90 days" on an admin's App Home. The role is checked again (anyone can send the click);
 * the Home tab has no response URL, so the answer (started, or joined the run going) is a DM, where
 * the run's progress follows.
 */
export function createCrmBackfillAction(deps: AppDeps) {
  return async ({ ack, body, action, client, context }: Args) => {
    await ack();
    const workspaceId = context.teamId ?? body.team?.id;
    const source = BACKFILL_SOURCES.find((s) => s === action.value);
    const { backfills } = deps.crm;
    if (!workspaceId || !source || !backfills) return;
    const now = deps.now();
    const ids = { workspaceId, userId: body.user.id, enterpriseId: context.enterpriseId };
    const { member, timezone } = await resolveActor(deps, client, ids, now);
    requireAdmin(member, 'read a CRM’s history');
    const window = backfillWindow({ days: DEFAULT_BACKFILL_DAYS }, now, timezone);
    if (!window.ok) return;
    const started = await backfills.start({ workspaceId, source, window: window.value, requestedBy: member.userId });
    await client.chat.postMessage({ channel: member.userId, ...backfillStartedMessage(started, member.userId, now) });
  };
}
