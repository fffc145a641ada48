import type { webApi } from '@slack/bolt';
import { localDate } from '../activities/activity-day.js';
import { ACTIVITY_KIND_KEYS, type ActivityKind } from '../kpi/activity-kinds.js';
import { type ActorIds, resolveActor } from './actor.js';
import { type LogModalPrefill, logModalView } from './blocks/log-modal.blocks.js';
import type { AppDeps } from './deps.js';

/**
 * The activities a rep can log, in the catalogue's order. Every kind today; the one place to narrow
 * it when a workspace can switch kinds off.
 */
export const LOGGABLE_KINDS: readonly ActivityKind[] = ACTIVITY_KIND_KEYS;

/**
 * Opens the "Log activity" modal for whoever acted, its day picker on their local today. Called
 * after `ack()`; the trigger id lives three seconds, which the profile look-up's deadline leaves room for.
 */
export async function openLogModal(
  deps: Pick<AppDeps, 'db' | 'logger' | 'now'>,
  client: webApi.WebClient,
  input: { triggerId: string; ids: ActorIds; prefill?: Promise<LogModalPrefill> },
): Promise<void> {
  const now = deps.now();
  // Side by side: both must be done well inside the trigger's three seconds.
  const [actor, prefill] = await Promise.all([resolveActor(deps, client, input.ids, now), input.prefill]);
  const view = logModalView({
    kinds: LOGGABLE_KINDS,
    today: localDate(now, actor.timezone),
    ...(prefill ? { prefill } : {}),
  });
  await client.views.open({ trigger_id: input.triggerId, view });
}
