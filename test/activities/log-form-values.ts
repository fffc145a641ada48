import { LOG_FIELDS } from '../../src/activities/log-form.js';

export interface LogFormFields {
  kind?: string;
  count?: string;
  amount?: string;
  subject?: string;
  note?: string;
  day?: string;
}

/**
 * The "Log activity" modal's `view.state.values` as Slack sends them on submit
 * (https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload): each input
 * under its block id and action id; an empty text input is `null`.
 */
export function logFormValues(o: LogFormFields): Record<string, Record<string, object>> {
  const text = (value: string | undefined) => ({ type: 'plain_text_input', value: value ?? null });
  return {
    [LOG_FIELDS.kind]: {
      [LOG_FIELDS.kind]: {
        type: 'static_select',
        selected_option: o.kind ? { text: { type: 'plain_text', text: o.kind }, value: o.kind } : null,
      },
    },
    [LOG_FIELDS.count]: { [LOG_FIELDS.count]: text(o.count) },
    [LOG_FIELDS.amount]: { [LOG_FIELDS.amount]: text(o.amount) },
    [LOG_FIELDS.subject]: { [LOG_FIELDS.subject]: text(o.subject) },
    [LOG_FIELDS.note]: { [LOG_FIELDS.note]: text(o.note) },
    [LOG_FIELDS.day]: { [LOG_FIELDS.day]: { type: 'datepicker', selected_date: o.day ?? '2026-11-18' } },
  };
}
