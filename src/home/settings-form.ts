import { DateTime } from 'luxon';
import { DEFAULT_POINTS, settingsSchema, type WorkspaceSettings } from '../game/settings.js';
import { ACTIVITY_KIND_KEYS, type ActivityKind } from '../kpi/activity-kinds.js';

/**
 * The settings modals' fields and the server-side reading of a submission, pure: Slack's
 * `view.state.values` and the stored settings in, the whole new settings document (or friendly
 * errors keyed by block id, for `ack({ response_action: 'errors' })`) out.
 */

export type SettingsPart = 'scoring' | 'recognition';

/** Kinds whose credit can be gated on an outcome note: the ones a rep could log as junk to win. */
export const GATED_KINDS = ['conversation', 'meeting', 'qualified'] as const satisfies readonly ActivityKind[];

export const SETTINGS_FIELDS = {
  points: (kind: ActivityKind) => `settings_points_${kind}`,
  gate: (kind: ActivityKind) => `settings_gate_${kind}`,
  dailyGoal: 'settings_daily_goal',
  holidays: 'settings_holidays',
  recognitionChannel: 'settings_recognition_channel',
  recognitionShow: 'settings_recognition_show',
  kudosCap: 'settings_kudos_cap',
  digestDay: 'settings_digest_day',
  digestTime: 'settings_digest_time',
} as const;

/** Checkbox values of the recognition post's options. */
export const SHOW = { amount: 'show_amount', dealName: 'show_deal_name' } as const;

/** One input's state as Slack sends it; only the fields the settings elements use. */
export interface SettingsInputState {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[] | null;
  selected_conversation?: string | null;
  selected_channel?: string | null;
  selected_time?: string | null;
}

export type SettingsStateValues = Record<string, Record<string, SettingsInputState | undefined> | undefined>;

export type SettingsFormResult =
  | { ok: true; settings: WorkspaceSettings }
  | { ok: false; errors: Record<string, string> };

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const POINTS_MAX = 1000;

/** Reads one part's fields over the stored settings; the other part's settings are kept as they are. */
export function readSettingsForm(
  part: SettingsPart,
  values: SettingsStateValues,
  current: WorkspaceSettings,
): SettingsFormResult {
  // Each input's element has its block's id as action id, as in every modal of the app.
  const field = (block: string) => values[block]?.[block];
  const text = (block: string) => field(block)?.value?.trim() ?? '';
  const errors: Record<string, string> = {};
  const number = (block: string, what: string, rule: { min: number; max: number; integer: boolean }) => {
    const raw = text(block);
    if (raw === '') return null;
    const n = Number(raw);
    if (!Number.isFinite(n)) errors[block] = `${what} must be a number.`;
    else if (n < rule.min)
      errors[block] = rule.min === 0 ? `${what} can't be negative.` : `${what} must be at least ${rule.min}.`;
    else if (n > rule.max) errors[block] = `${what} can be at most ${rule.max.toLocaleString('en-US')}.`;
    else if (rule.integer && !Number.isInteger(n)) errors[block] = `${what} must be a whole number.`;
    else return n;
    return null;
  };
  const next: WorkspaceSettings = structuredClone(current);

  if (part === 'scoring') {
    const points: WorkspaceSettings['points'] = {};
    for (const kind of ACTIVITY_KIND_KEYS) {
      const n = number(SETTINGS_FIELDS.points(kind), 'Points', { min: 0, max: POINTS_MAX, integer: false });
      // Only departures from the defaults are stored, so a better default later reaches everyone else.
      if (n !== null && n !== DEFAULT_POINTS[kind]) points[kind] = n;
    }
    next.points = points;
    const gates: WorkspaceSettings['qualityGates'] = Object.fromEntries(
      Object.entries(current.qualityGates).filter(([kind]) => !(GATED_KINDS as readonly string[]).includes(kind)),
    );
    for (const kind of GATED_KINDS) {
      const n = number(SETTINGS_FIELDS.gate(kind), 'A note length', { min: 1, max: 280, integer: true });
      if (n !== null) gates[kind] = { minNoteChars: n };
    }
    next.qualityGates = gates;
    const goal = number(SETTINGS_FIELDS.dailyGoal, 'The daily goal', { min: 1, max: 10_000, integer: true });
    if (goal === null && !errors[SETTINGS_FIELDS.dailyGoal]) errors[SETTINGS_FIELDS.dailyGoal] = 'Enter a daily goal.';
    if (goal !== null) next.dailyActivityGoal = goal;
    const holidays = readHolidays(text(SETTINGS_FIELDS.holidays));
    if (holidays.ok) next.holidays = holidays.dates;
    else errors[SETTINGS_FIELDS.holidays] = holidays.error;
  } else {
    const channel = field(SETTINGS_FIELDS.recognitionChannel);
    const show = new Set((field(SETTINGS_FIELDS.recognitionShow)?.selected_options ?? []).map((o) => o.value));
    next.recognition = {
      channelId: channel?.selected_conversation ?? channel?.selected_channel ?? null,
      showAmount: show.has(SHOW.amount),
      showDealName: show.has(SHOW.dealName),
    };
    const cap = number(SETTINGS_FIELDS.kudosCap, 'The kudos cap', { min: 1, max: 100, integer: true });
    if (cap === null && !errors[SETTINGS_FIELDS.kudosCap]) errors[SETTINGS_FIELDS.kudosCap] = 'Enter a daily cap.';
    if (cap !== null) next.kudosDailyCap = cap;
    const day = Number(field(SETTINGS_FIELDS.digestDay)?.selected_option?.value);
    if (Number.isInteger(day) && day >= 1 && day <= 7) next.digest.dayOfWeek = day;
    else errors[SETTINGS_FIELDS.digestDay] = 'Pick a day of the week.';
    const time = field(SETTINGS_FIELDS.digestTime)?.selected_time ?? field(SETTINGS_FIELDS.digestTime)?.value ?? '';
    if (TIME.test(time)) next.digest.timeOfDay = time;
    else errors[SETTINGS_FIELDS.digestTime] = 'Give a time as HH:MM, e.g. 08:30.';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // The schema is the last word: anything it refuses is refused here, never stored.
  const parsed = settingsSchema.safeParse(next);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      ok: false,
      errors: { [firstBlock(part)]: `Those settings could not be saved: ${first?.message ?? 'invalid'}.` },
    };
  }
  return { ok: true, settings: parsed.data };
}

function firstBlock(part: SettingsPart): string {
  return part === 'scoring' ? SETTINGS_FIELDS.dailyGoal : SETTINGS_FIELDS.kudosCap;
}

/** Dates separated by commas, spaces or new lines; each a real calendar day as yyyy-mm-dd. */
export function readHolidays(text: string): { ok: true; dates: string[] } | { ok: false; error: string } {
  const tokens = text.split(/[\s,;]+/).filter(Boolean);
  const bad = tokens.find((t) => !/^\d{4}-\d{2}-\d{2}$/.test(t) || !DateTime.fromISO(t).isValid);
  if (bad !== undefined) {
    return {
      ok: false,
      error: `“${bad.slice(0, 20)}” is not a date. Use yyyy-mm-dd, e.g. 2026-12-25, separated by commas.`,
    };
  }
  if (tokens.length > 366) return { ok: false, error: 'At most 366 holidays.' };
  return { ok: true, dates: [...new Set(tokens)].sort() };
}

/** What a submission changed, top-level setting by setting, for the audit log; empty: nothing changed. */
export function settingsChanges(
  before: WorkspaceSettings,
  after: WorkspaceSettings,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as (keyof WorkspaceSettings)[]) {
    if (stableJson(before[key]) !== stableJson(after[key])) changes[key] = { from: before[key], to: after[key] };
  }
  return changes;
}

/** JSON with object keys sorted, so the same settings always compare equal whatever order they were built in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
