import type { Activity } from '../../activities/activities.repository.js';
import { ACTIVITY_KINDS, isActivityKind } from '../../kpi/activity-kinds.js';
import { formatMoney } from '../../lib/amount.js';
import { ACTIONS } from '../ids.js';
import { context, escapeMrkdwn, type SlackMessage, section } from './message.js';

export function describeActivity(
  activity: Pick<Activity, 'kind' | 'quantity' | 'amountCents'>,
  currency: string,
): string {
  const info = isActivityKind(activity.kind) ? ACTIVITY_KINDS[activity.kind] : null;
  const quantity = Math.abs(activity.quantity);
  const what = info ? (quantity === 1 ? info.one : info.many) : activity.kind;
  const amount = activity.amountCents !== 0 ? ` worth ${formatMoney(Math.abs(activity.amountCents), currency)}` : '';
  return `${quantity} ${what}${amount}`;
}

/** `forDay` names the day a backdated entry is logged for ("yesterday", "Mon 30 Nov"). */
export function loggedMessage(activity: Activity, currency: string, duplicate: boolean, forDay?: string): SlackMessage {
  const what = describeActivity(activity, currency) + (forDay ? ` for ${forDay}` : '');
  const text = duplicate ? `Already logged: ${what}.` : `Logged ${what}.`;
  const note = activity.note ? [context(`Note: ${escapeMrkdwn(activity.note)}`)] : [];
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `:white_check_mark: ${text}` },
        accessory: {
          type: 'button',
          action_id: ACTIONS.undo,
          text: { type: 'plain_text', text: 'Undo' },
          value: String(activity.id),
        },
      },
      ...note,
      context('See your week with `/kpi me`.'),
    ],
  };
}

export function undoneMessage(original: Activity, currency: string, already: boolean): SlackMessage {
  const what = describeActivity(original, currency);
  const text = already
    ? `That entry was already undone (${what}).`
    : `Undone: ${what}. Your figures no longer count it.`;
  return { text, blocks: [section(`:leftwards_arrow_with_hook: ${text}`)] };
}
