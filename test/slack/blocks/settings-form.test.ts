import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/game/settings.js';
import {
  SETTINGS_FIELDS as F,
  readHolidays,
  readSettingsForm,
  type SettingsStateValues,
  settingsChanges,
} from '../../../src/home/settings-form.js';

/** Slack's `view.state.values`: each element's action id is its block's id. */
const state = (fields: Record<string, object>): SettingsStateValues =>
  Object.fromEntries(Object.entries(fields).map(([block, value]) => [block, { [block]: value }]));

const stored = parseSettings({
  points: { demo: 12 },
  qualityGates: { conversation: { minNoteChars: 20 }, call: { minNoteChars: 5 } },
  recognition: { channelId: 'CWINS', showAmount: false, showDealName: true },
  kudosDailyCap: 5,
});

describe('reading the scoring modal', () => {
  it('stores departures from the default points, gates, the daily goal and sorted unique holidays', () => {
    const result = readSettingsForm(
      'scoring',
      state({
        [F.points('demo')]: { value: '8' },
        [F.points('meeting')]: { value: '6.5' },
        [F.points('call')]: { value: '' },
        [F.gate('meeting')]: { value: '30' },
        [F.dailyGoal]: { value: '12' },
        [F.holidays]: { value: '2026-12-26, 2026-12-25\n2026-12-25' },
      }),
      stored,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // demo back at its default (8) is no longer stored; meeting is.
    expect(result.settings.points).toEqual({ meeting: 6.5 });
    // Conversation's gate was emptied; call's gate is not on this form and is kept.
    expect(result.settings.qualityGates).toEqual({ call: { minNoteChars: 5 }, meeting: { minNoteChars: 30 } });
    expect(result.settings.dailyActivityGoal).toBe(12);
    expect(result.settings.holidays).toEqual(['2026-12-25', '2026-12-26']);
    // The other modal's settings are untouched.
    expect(result.settings.recognition).toEqual(stored.recognition);
    expect(result.settings.kudosDailyCap).toBe(5);
  });

  it('says what is wrong under each field', () => {
    const result = readSettingsForm(
      'scoring',
      state({
        [F.points('demo')]: { value: '-3' },
        [F.points('call')]: { value: 'lots' },
        [F.gate('qualified')]: { value: '0' },
        [F.dailyGoal]: { value: '2.5' },
        [F.holidays]: { value: '2026-12-25, 2026-02-30' },
      }),
      stored,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        [F.points('demo')]: "Points can't be negative.",
        [F.points('call')]: 'Points must be a number.',
        [F.gate('qualified')]: 'A note length must be at least 1.',
        [F.dailyGoal]: 'The daily goal must be a whole number.',
        [F.holidays]: '“2026-02-30” is not a date. Use yyyy-mm-dd, e.g. 2026-12-25, separated by commas.',
      },
    });
  });

  it('asks for a daily goal when it is left empty', () => {
    const result = readSettingsForm('scoring', state({}), stored);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[F.dailyGoal]).toBe('Enter a daily goal.');
  });
});

describe('reading the recognition and nudges modal', () => {
  it('stores the channel, what a post shows, the kudos cap and the digest', () => {
    const result = readSettingsForm(
      'recognition',
      state({
        [F.recognitionChannel]: { selected_conversation: 'CCELEBRATE' },
        [F.recognitionShow]: { selected_options: [{ value: 'show_amount' }] },
        [F.kudosCap]: { value: '4' },
        [F.digestDay]: { selected_option: { value: '3' } },
        [F.digestTime]: { selected_time: '17:45' },
      }),
      stored,
    );
    expect(result.ok && result.settings).toMatchObject({
      recognition: { channelId: 'CCELEBRATE', showAmount: true, showDealName: false },
      kudosDailyCap: 4,
      digest: { dayOfWeek: 3, timeOfDay: '17:45' },
      points: { demo: 12 },
    });
  });

  it('turns celebrations off when the channel is emptied, and refuses a time that is not HH:MM', () => {
    const values = {
      [F.recognitionChannel]: { selected_conversation: null },
      [F.kudosCap]: { value: '101' },
      [F.digestDay]: { selected_option: { value: '8' } },
      [F.digestTime]: { selected_time: '25:00' },
    };
    expect(readSettingsForm('recognition', state(values), stored)).toEqual({
      ok: false,
      errors: {
        [F.kudosCap]: 'The kudos cap can be at most 100.',
        [F.digestDay]: 'Pick a day of the week.',
        [F.digestTime]: 'Give a time as HH:MM, e.g. 08:30.',
      },
    });
    const off = readSettingsForm(
      'recognition',
      state({
        ...values,
        [F.kudosCap]: { value: '3' },
        [F.digestDay]: { selected_option: { value: '1' } },
        [F.digestTime]: { selected_time: '08:00' },
      }),
      stored,
    );
    expect(off.ok && off.settings.recognition.channelId).toBeNull();
  });
});

describe('holidays and changes', () => {
  it('reads dates separated by commas, spaces or new lines, and nothing as none', () => {
    expect(readHolidays('2026-12-25 2027-01-01;2026-11-26')).toEqual({
      ok: true,
      dates: ['2026-11-26', '2026-12-25', '2027-01-01'],
    });
    expect(readHolidays('  ')).toEqual({ ok: true, dates: [] });
    expect(readHolidays('25/12/2026').ok).toBe(false);
  });

  it('lists what changed, whatever the key order, and nothing for the same settings', () => {
    const before = parseSettings({ points: { demo: 12, meeting: 6 } });
    const same = parseSettings({ points: { meeting: 6, demo: 12 } });
    expect(settingsChanges(before, same)).toEqual({});
    const after = { ...before, dailyActivityGoal: 20 };
    expect(settingsChanges(before, after)).toEqual({ dailyActivityGoal: { from: 10, to: 20 } });
  });
});
