import type { ForgetMode } from '../../privacy/forget.js';
import { ACTIONS } from '../ids.js';
import { context, escapeMrkdwn, type SlackMessage, section } from './message.js';

/** The admin's confirmation before a rep's personal data is erased: two choices, nothing happens until one is clicked. */
export function forgetConfirmation(person: { userId: string; displayName: string }, entries: number): SlackMessage {
  const name = escapeMrkdwn(person.displayName);
  const text = `Erase ${name}'s personal data? Their profile, goals, kudos and DMs go; you choose what happens to their ${entries} entries.`;
  const button = (mode: ForgetMode, label: string, style?: 'danger') => ({
    type: 'button' as const,
    action_id: mode === 'anonymise' ? ACTIONS.forgetAnonymise : ACTIONS.forgetDelete,
    text: { type: 'plain_text' as const, text: label },
    value: person.userId,
    ...(style ? { style } : {}),
  });
  return {
    text,
    blocks: [
      section(`:warning: ${text}`),
      {
        type: 'actions',
        elements: [
          button('anonymise', 'Erase, keep entries anonymised'),
          button('delete', 'Erase with their entries', 'danger'),
        ],
      },
      context(
        'Anonymised entries still count in team totals, under "Former teammate". Deleted entries leave every total. ' +
          'Either way it cannot be undone, and the audit log records your choice.',
      ),
    ],
  };
}
