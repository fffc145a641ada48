import type { types } from '@slack/bolt';
import { DEFAULT_POINTS, pointsFor, type WorkspaceSettings } from '../../game/settings.js';
import type { SettingsSection } from '../../home/home.queries.js';
import { GATED_KINDS, SETTINGS_FIELDS, type SettingsPart, SHOW } from '../../home/settings-form.js';
import { ACTIVITY_KIND_KEYS, ACTIVITY_KINDS } from '../../kpi/activity-kinds.js';
import { ACTIONS, VIEWS } from '../ids.js';
import { inputBlock, option, plain } from './contest.blocks.js';
import { crmHomeBlocks } from './crm-connect.blocks.js';
import { type Block, context, header, section } from './message.js';

/** The settings section of a manager's App Home and the modals that change them: pure Block Kit builders. */

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
/** Channels named on the Home before "and N more". */
const MAX_BOARD_CHANNELS = 10;

export const SETTINGS_VIEWS: Record<SettingsPart, string> = {
  scoring: VIEWS.settingsScoring,
  recognition: VIEWS.settingsRecognition,
};

export function settingsHomeBlocks(s: SettingsSection): Block[] {
  const { settings } = s;
  const changedPoints = ACTIVITY_KIND_KEYS.filter((k) => pointsFor(settings, k) !== DEFAULT_POINTS[k]).length;
  const gates = ACTIVITY_KIND_KEYS.flatMap((k) => {
    const gate = settings.qualityGates[k];
    return gate ? [`${ACTIVITY_KINDS[k].many} need a ${gate.minNoteChars}-character note`] : [];
  });
  const scoring = [
    changedPoints === 0
      ? 'default points per activity'
      : `points changed for ${changedPoints} ${changedPoints === 1 ? 'activity' : 'activities'}`,
    `daily activity goal ${settings.dailyActivityGoal}`,
    gates.length > 0 ? gates.join(', ') : 'no quality gates',
    settings.holidays.length === 0 ? 'no holidays' : `${settings.holidays.length} holidays`,
  ];
  const { recognition, digest } = settings;
  const recognitionLine = [
    recognition.channelId ? `deal celebrations in <#${recognition.channelId}>` : 'no deal celebrations',
    recognition.showAmount ? 'amounts shown' : 'amounts hidden',
    recognition.showDealName ? 'deal names shown' : 'deal names hidden',
    `kudos ${settings.kudosDailyCap} a day per person`,
    `manager digest ${WEEKDAYS[digest.dayOfWeek - 1]}s at ${digest.timeOfDay}`,
  ];
  const named = s.boards
    .slice(0, MAX_BOARD_CHANNELS)
    .map((b) => (b.count > 1 ? `<#${b.channelId}> (${b.count})` : `<#${b.channelId}>`));
  const more = s.boards.length - named.length;
  const boards =
    s.boards.length === 0
      ? 'Boards: none scheduled yet; `/kpi board subscribe` in a channel starts one.'
      : `Boards in ${named.join(', ')}${more > 0 ? ` and ${more} more channels` : ''}: \`/kpi boards\` lists them.`;
  const crm =
    s.unmappedOwners === 0
      ? ''
      : `${s.unmappedOwners} CRM ${s.unmappedOwners === 1 ? 'owner waits' : 'owners wait'} for a Slack match, and their deals are not credited yet: \`/kpi crm map\`.`;
  return [
    header('Settings'),
    section(`*Scoring*: ${scoring.join(' · ')}.\n*Recognition and nudges*: ${recognitionLine.join(' · ')}.`),
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTIONS.settingsScoring, text: plain('Scoring'), value: 'scoring' },
        {
          type: 'button',
          action_id: ACTIONS.settingsRecognition,
          text: plain('Recognition & nudges'),
          value: 'recognition',
        },
      ],
    },
    context(...[boards, crm].filter(Boolean), 'Only managers see this.'),
    ...(s.crm ? crmHomeBlocks(s.crm) : []),
  ];
}

/** A settings modal, prefilled with the stored settings (defaults where nothing is stored). */
export function settingsModal(part: SettingsPart, settings: WorkspaceSettings): types.ModalView {
  return {
    type: 'modal',
    callback_id: SETTINGS_VIEWS[part],
    title: plain(part === 'scoring' ? 'Scoring' : 'Recognition & nudges'),
    submit: plain('Save'),
    close: plain('Cancel'),
    blocks: part === 'scoring' ? scoringBlocks(settings) : recognitionBlocks(settings),
  };
}

const numberInput = (initial: number | undefined, decimals: boolean) => ({
  type: 'number_input',
  is_decimal_allowed: decimals,
  ...(initial === undefined ? {} : { initial_value: String(initial) }),
});

function scoringBlocks(settings: WorkspaceSettings): Block[] {
  return [
    section('*Points per activity*: effort that moves deals counts more than volume. Empty: the default.'),
    ...ACTIVITY_KIND_KEYS.map((k) =>
      inputBlock(SETTINGS_FIELDS.points(k), ACTIVITY_KINDS[k].label, numberInput(pointsFor(settings, k), true), {
        optional: true,
        hint: `Default ${DEFAULT_POINTS[k]}.`,
      }),
    ),
    inputBlock(SETTINGS_FIELDS.dailyGoal, 'Daily activity goal', numberInput(settings.dailyActivityGoal, false), {
      hint: 'Activities per working day that keep a streak going.',
    }),
    inputBlock(
      SETTINGS_FIELDS.holidays,
      'Holidays',
      {
        type: 'plain_text_input',
        multiline: true,
        placeholder: plain('2026-12-25, 2026-12-26'),
        ...(settings.holidays.length > 0 ? { initial_value: settings.holidays.join(', ') } : {}),
      },
      { optional: true, hint: 'Dates as yyyy-mm-dd. Streaks and pace skip them, like weekends.' },
    ),
    section('*Quality gates*: an entry earns credit only with an outcome note this long. Empty: no gate.'),
    ...GATED_KINDS.map((k) =>
      inputBlock(
        SETTINGS_FIELDS.gate(k),
        `${ACTIVITY_KINDS[k].label}: minimum note characters`,
        numberInput(settings.qualityGates[k]?.minNoteChars, false),
        { optional: true },
      ),
    ),
  ];
}

function recognitionBlocks(settings: WorkspaceSettings): Block[] {
  const { recognition, digest } = settings;
  const showOptions = [option('Show the amount', SHOW.amount), option('Show the deal name', SHOW.dealName)];
  const shown = showOptions.filter(
    (o) =>
      (o.value === SHOW.amount && recognition.showAmount) || (o.value === SHOW.dealName && recognition.showDealName),
  );
  const days = WEEKDAYS.map((d, i) => option(d, String(i + 1)));
  return [
    inputBlock(
      SETTINGS_FIELDS.recognitionChannel,
      'Deal celebrations channel',
      {
        type: 'conversations_select',
        placeholder: plain('No celebration posts'),
        filter: { include: ['public', 'private'] },
        ...(recognition.channelId ? { initial_conversation: recognition.channelId } : {}),
      },
      { optional: true, hint: 'Won deals are celebrated here; invite the bot to it. Empty: no celebration posts.' },
    ),
    inputBlock(
      SETTINGS_FIELDS.recognitionShow,
      'In a celebration post',
      { type: 'checkboxes', options: showOptions, ...(shown.length > 0 ? { initial_options: shown } : {}) },
      { optional: true },
    ),
    inputBlock(SETTINGS_FIELDS.kudosCap, 'Kudos per person per day', numberInput(settings.kudosDailyCap, false), {
      hint: 'A daily cap per giver keeps kudos honest.',
    }),
    inputBlock(SETTINGS_FIELDS.digestDay, 'Manager digest day', {
      type: 'static_select',
      options: days,
      initial_option: days[digest.dayOfWeek - 1],
    }),
    inputBlock(SETTINGS_FIELDS.digestTime, 'Manager digest time', {
      type: 'timepicker',
      initial_time: digest.timeOfDay,
    }),
  ];
}

/** What a person who is not a manager sees on opening a settings modal: a refusal, nothing to submit. */
export function notAllowedModal(text: string): types.ModalView {
  return { type: 'modal', title: plain('Settings'), close: plain('Close'), blocks: [section(text)] };
}
