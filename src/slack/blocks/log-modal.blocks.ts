import type { types } from '@slack/bolt';
import { MAX_BACKDATE_DAYS } from '../../activities/activity-day.js';
import { LOG_FIELDS, MAX_SUBJECT_CHARS } from '../../activities/log-form.js';
import { ACTIVITY_KINDS, type ActivityKind, MAX_NOTE_CHARS } from '../../kpi/activity-kinds.js';
import { ACTIONS, VIEWS } from '../ids.js';
import { inputBlock, option, plain } from './contest.blocks.js';
import type { Block } from './message.js';

/** The "Log activity" modal and the quick-log buttons: pure Block Kit builders. */

export interface LogModalInput {
  /** The activities this workspace logs, in the order to offer them. */
  kinds: readonly ActivityKind[];
  /** The rep's local date, `yyyy-mm-dd`: the day picker starts on it. */
  today: string;
  /** Pre-filled from a message ("Log as activity"). */
  prefill?: LogModalPrefill;
}

export interface LogModalPrefill {
  kind?: ActivityKind;
  note?: string;
}

export function logModalView(input: LogModalInput): types.ModalView {
  const { kinds, today, prefill = {} } = input;
  const options = kinds.map((kind) => option(ACTIVITY_KINDS[kind].label, kind));
  const initial = prefill.kind ? options.find((o) => o.value === prefill.kind) : undefined;
  const textInput = (placeholder: string, extra: Record<string, unknown> = {}) => ({
    type: 'plain_text_input',
    placeholder: plain(placeholder),
    ...extra,
  });
  return {
    type: 'modal',
    callback_id: VIEWS.logActivity,
    title: plain('Log activity'),
    submit: plain('Log it'),
    close: plain('Cancel'),
    blocks: [
      inputBlock(LOG_FIELDS.kind, 'Activity', {
        type: 'static_select',
        placeholder: plain('What did you do?'),
        options,
        ...(initial ? { initial_option: initial } : {}),
      }),
      inputBlock(LOG_FIELDS.count, 'How many', textInput('1', { max_length: 12 }), { optional: true }),
      inputBlock(LOG_FIELDS.amount, 'Amount', textInput('$12.5k', { max_length: 20 }), {
        optional: true,
        hint: 'Deals only.',
      }),
      inputBlock(LOG_FIELDS.subject, 'Deal or company', textInput('Acme', { max_length: MAX_SUBJECT_CHARS }), {
        optional: true,
      }),
      inputBlock(
        LOG_FIELDS.note,
        'Note',
        textInput('What came of it', {
          multiline: true,
          max_length: MAX_NOTE_CHARS,
          ...(prefill.note ? { initial_value: prefill.note } : {}),
        }),
        { optional: true },
      ),
      inputBlock(
        LOG_FIELDS.day,
        'Day',
        { type: 'datepicker', initial_date: today },
        { hint: `Today, or up to ${MAX_BACKDATE_DAYS} days back.` },
      ),
    ],
  } as types.ModalView;
}

/** The kinds a quick-log button logs one of. */
export const QUICK_LOG_KINDS = ['call', 'meeting'] as const satisfies readonly ActivityKind[];

/** "+1 call", "+1 meeting" and "Log…" (the modal): under a nudge and on the App Home. */
export function quickLogBlock(blockId: string): Block {
  return {
    type: 'actions',
    block_id: blockId,
    elements: [
      ...QUICK_LOG_KINDS.map((kind) => ({
        type: 'button' as const,
        action_id: `${ACTIONS.quickLog}_${kind}`,
        text: plain(`+1 ${ACTIVITY_KINDS[kind].one}`),
        value: kind,
      })),
      { type: 'button' as const, action_id: ACTIONS.openLogModal, text: plain('Log…'), value: 'modal' },
    ],
  };
}
