import { activityDay } from '../../../activities/activity-day.js';
import { ACTIVITY_KINDS, MAX_NOTE_CHARS } from '../../../kpi/activity-kinds.js';
import { parseAmount, parseCount } from '../../../lib/amount.js';
import { recordActivityAndCelebrate } from '../../../recognition/celebrations.js';
import { describeActivity } from '../../blocks/log.blocks.js';
import type { AppDeps } from '../../deps.js';
import { ACTIVITY_NAMES, matchActivity } from '../../subcommands/log.subcommand.js';
import { splitWords } from '../../subcommands/words.js';
import { createStep, mayActFor, StepRefusal, textInput, userInput } from './step.js';

/**
 * "Log activity": one entry for a rep, as `/kpi log` writes it (on an earlier day too, by the same
 * 7-day rule), once per run of the step whatever Slack retries. A rep logs for themselves; a manager for their team, an admin for anyone.
 */
export function createLogActivityStep(deps: AppDeps) {
  return createStep(deps, async ({ actor, inputs, executionId, now, member }) => {
    const repId = userInput(inputs, 'user_id', 'Rep');
    const rep = repId === actor.member.userId ? actor : await member(repId);
    if (!mayActFor(actor, rep)) {
      throw new StepRefusal(
        `${actor.member.displayName} can't log activity for ${rep.member.displayName}: a rep logs their own, a manager for their team.`,
      );
    }
    const named = textInput(inputs, 'activity') ?? '';
    const activity = matchActivity(splitWords(named));
    if (!activity || activity.rest.length > 0) {
      throw new StepRefusal(`“Activity” should be one of: ${ACTIVITY_NAMES} (it was “${named}”).`);
    }
    const kind = ACTIVITY_KINDS[activity.kind];
    const count = inputs.count === undefined || inputs.count === null ? null : parseCount(String(inputs.count));
    if (count && !count.ok) throw new StepRefusal(`“Count”: ${count.error}`);
    const amountText = textInput(inputs, 'amount');
    if (amountText !== null && !kind.money)
      throw new StepRefusal(`Only deals have an amount; leave “Amount” empty for ${kind.many}.`);
    const amount = amountText === null ? null : parseAmount(amountText);
    if (amount && !amount.ok) throw new StepRefusal(`“Amount”: ${amount.error}`);
    const note = textInput(inputs, 'note');
    if (note !== null && [...note].length > MAX_NOTE_CHARS) {
      throw new StepRefusal(`“Note” can be up to ${MAX_NOTE_CHARS} characters.`);
    }
    const dayText = textInput(inputs, 'day');
    const day = dayText === null ? null : activityDay(dayText, now, rep.timezone);
    if (day && !day.ok) throw new StepRefusal(`“Day”: ${day.error}`);
    const { activity: entry } = await recordActivityAndCelebrate(
      deps.db,
      {
        workspaceId: rep.member.workspaceId,
        userId: rep.member.userId,
        kind: activity.kind,
        quantity: count?.ok ? count.count : 1,
        amountCents: amount?.ok ? amount.cents : 0,
        note,
        occurredAt: day?.occurredAt ?? now,
        source: 'slack',
        recordedBy: actor.member.userId,
        idempotencyKey: `workflow:${executionId}`,
      },
      now,
    );
    const when = day?.backdated ? ` on ${day.day}` : '';
    return { summary: `Logged ${describeActivity(entry, rep.currency)} for ${rep.member.displayName}${when}.` };
  });
}
