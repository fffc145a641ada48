import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/game/settings.js';
import type { SettingsSection } from '../../../src/home/home.queries.js';
import { SETTINGS_FIELDS } from '../../../src/home/settings-form.js';
import { ACTIVITY_KIND_KEYS } from '../../../src/kpi/activity-kinds.js';
import { homeView } from '../../../src/slack/blocks/home.blocks.js';
import { notAllowedModal, settingsHomeBlocks, settingsModal } from '../../../src/slack/blocks/settings.blocks.js';
import { ACTIONS, VIEWS } from '../../../src/slack/ids.js';
import { validateBlocks, validateModal } from '../../support/fake-slack.js';

const configured = parseSettings({
  points: { demo: 12 },
  qualityGates: { conversation: { minNoteChars: 20 } },
  holidays: ['2026-12-25', '2026-12-26'],
  dailyActivityGoal: 15,
  recognition: { channelId: 'CWINS', showAmount: false, showDealName: true },
  kudosDailyCap: 5,
  digest: { dayOfWeek: 5, timeOfDay: '16:30' },
});

type Input = { type: string; block_id: string; optional: boolean; element: Record<string, unknown> };
const inputs = (blocks: readonly unknown[]) =>
  new Map((blocks as Input[]).filter((b) => b.type === 'input').map((b) => [b.block_id, b]));

describe('the Home settings section', () => {
  const section = (over: Partial<SettingsSection> = {}): SettingsSection => ({
    kind: 'settings',
    settings: configured,
    boards: [
      { channelId: 'CSALES', count: 2 },
      { channelId: 'CEAST', count: 1 },
    ],
    unmappedOwners: 3,
    crm: null,
    ...over,
  });

  it("shows an admin each readable CRM's latest backfill with a button to read 90 days", () => {
    const blocks = settingsHomeBlocks(
      section({
        crm: {
          connections: [{ source: 'hubspot', accountId: '62515', refused: false }],
          connectable: [],
          backfillable: ['hubspot', 'pipedrive'],
          backfills: [
            { source: 'hubspot', line: 'HubSpot: 41,200 of ~60,000 activities, 3 min left' },
            { source: 'salesforce', line: 'Salesforce: done: 10 deals, 0 leads, 5 activities read in 4 s.' },
          ],
        },
      }),
    );
    expect(validateBlocks(blocks, '/blocks', 100)).toEqual([]);
    const text = JSON.stringify(blocks);
    expect(text).toContain(':inbox_tray: HubSpot: 41,200 of ~60,000 activities, 3 min left');
    expect(text).toContain('Pipedrive: no history read yet');
    // Salesforce is no longer readable (disconnected): its last run shows, without a button.
    expect(text).toContain('Salesforce: done');
    const buttons = blocks.flatMap((b) => ('accessory' in b && b.accessory?.type === 'button' ? [b.accessory] : []));
    expect(buttons.map((b) => [b.action_id, b.value, b.text.text])).toEqual([
      ['kpi_crm_backfill_hubspot', 'hubspot', 'Backfill 90 days'],
      ['kpi_crm_backfill_pipedrive', 'pipedrive', 'Backfill 90 days'],
    ]);
  });

  it('shows an admin the CRMs to connect, those connected, and a grant the CRM stopped honouring', () => {
    const blocks = settingsHomeBlocks(
      section({
        crm: {
          connections: [{ source: 'hubspot', accountId: '62515', refused: true }],
          connectable: ['hubspot'],
          backfillable: [],
          backfills: [],
        },
      }),
    );
    expect(validateBlocks(blocks, '/blocks', 100)).toEqual([]);
    const text = JSON.stringify(blocks);
    expect(text).toContain('HubSpot no longer accepts our access');
    expect(text).toContain('"action_id":"kpi_crm_connect","text":{"type":"plain_text","text":"Reconnect HubSpot"}');
    const fresh = JSON.stringify(
      settingsHomeBlocks(
        section({ crm: { connections: [], connectable: ['hubspot'], backfillable: [], backfills: [] } }),
      ),
    );
    expect(fresh).toContain('"text":"Connect HubSpot"');
    expect(fresh).not.toContain('no longer accepts');
    const live = JSON.stringify(
      settingsHomeBlocks(
        section({
          crm: {
            connections: [{ source: 'hubspot', accountId: '62515', refused: false }],
            connectable: ['hubspot'],
            backfillable: [],
            backfills: [],
          },
        }),
      ),
    );
    expect(live).toContain('HubSpot portal 62515 connected');
    expect(live).not.toContain('kpi_crm_connect');
    // A manager who is not an admin sees none of it.
    expect(JSON.stringify(settingsHomeBlocks(section()))).not.toContain('kpi_crm_connect');
  });

  it('summarises the settings, with a button per modal, the boards and the CRM owners waiting', () => {
    const blocks = settingsHomeBlocks(section());
    expect(validateBlocks(blocks, '/blocks', 100)).toEqual([]);
    const text = JSON.stringify(blocks);
    expect(text).toContain('points changed for 1 activity');
    expect(text).toContain('daily activity goal 15');
    expect(text).toContain('conversations need a 20-character note');
    expect(text).toContain('2 holidays');
    expect(text).toContain('deal celebrations in <#CWINS>');
    expect(text).toContain('amounts hidden');
    expect(text).toContain('manager digest Fridays at 16:30');
    expect(text).toContain('Boards in <#CSALES> (2), <#CEAST>: `/kpi boards` lists them.');
    expect(text).toContain('3 CRM owners wait for a Slack match');
    expect(text).toContain('/kpi crm map');
    const actions = blocks.find((b) => b.type === 'actions') as { elements: { action_id: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual([ACTIONS.settingsScoring, ACTIONS.settingsRecognition]);
  });

  it('says so when there are no boards and leaves out the CRM line when every owner is matched', () => {
    const text = JSON.stringify(
      settingsHomeBlocks(section({ settings: parseSettings({}), boards: [], unmappedOwners: 0 })),
    );
    expect(text).toContain('default points per activity');
    expect(text).toContain('no quality gates');
    expect(text).toContain('no deal celebrations');
    expect(text).toContain('none scheduled yet');
    expect(text).not.toContain('CRM');
  });

  it('names at most ten board channels, and the Home it sits in stays valid', () => {
    const boards = Array.from({ length: 14 }, (_, i) => ({ channelId: `C${i}`, count: 1 }));
    const view = homeView({ sections: [section({ boards })], currency: 'USD' });
    expect(validateBlocks(view.blocks, '/blocks', 100)).toEqual([]);
    const text = JSON.stringify(view);
    expect(text).toContain('<#C9>');
    expect(text).not.toContain('<#C10>');
    expect(text).toContain('and 4 more channels');
  });
});

describe('the settings modals', () => {
  it('prefill scoring from the stored settings, defaults where nothing is stored', () => {
    const modal = settingsModal('scoring', configured);
    expect(validateModal(modal as unknown as Record<string, unknown>)).toEqual([]);
    expect(modal.callback_id).toBe(VIEWS.settingsScoring);
    const fields = inputs(modal.blocks);
    for (const kind of ACTIVITY_KIND_KEYS) expect(fields.has(SETTINGS_FIELDS.points(kind))).toBe(true);
    expect(fields.get(SETTINGS_FIELDS.points('demo'))?.element.initial_value).toBe('12');
    expect(fields.get(SETTINGS_FIELDS.points('meeting'))?.element.initial_value).toBe('5');
    expect(fields.get(SETTINGS_FIELDS.dailyGoal)?.element.initial_value).toBe('15');
    expect(fields.get(SETTINGS_FIELDS.holidays)?.element.initial_value).toBe('2026-12-25, 2026-12-26');
    expect(fields.get(SETTINGS_FIELDS.gate('conversation'))?.element.initial_value).toBe('20');
    expect(fields.get(SETTINGS_FIELDS.gate('meeting'))?.element.initial_value).toBeUndefined();
    expect(fields.get(SETTINGS_FIELDS.gate('meeting'))?.optional).toBe(true);
  });

  it('prefill recognition and nudges: channel, what a post shows, kudos cap and digest', () => {
    const modal = settingsModal('recognition', configured);
    expect(validateModal(modal as unknown as Record<string, unknown>)).toEqual([]);
    expect(modal.callback_id).toBe(VIEWS.settingsRecognition);
    const fields = inputs(modal.blocks);
    expect(fields.get(SETTINGS_FIELDS.recognitionChannel)?.element).toMatchObject({
      type: 'conversations_select',
      initial_conversation: 'CWINS',
    });
    const shown = fields.get(SETTINGS_FIELDS.recognitionShow)?.element.initial_options as { value: string }[];
    expect(shown.map((o) => o.value)).toEqual(['show_deal_name']);
    expect(fields.get(SETTINGS_FIELDS.kudosCap)?.element.initial_value).toBe('5');
    expect(fields.get(SETTINGS_FIELDS.digestDay)?.element.initial_option).toMatchObject({ value: '5' });
    expect(fields.get(SETTINGS_FIELDS.digestTime)?.element.initial_time).toBe('16:30');
  });

  it('leave out empty initial options and channels rather than send what Slack refuses', () => {
    const modal = settingsModal(
      'recognition',
      parseSettings({ recognition: { showAmount: false, showDealName: false } }),
    );
    expect(validateModal(modal as unknown as Record<string, unknown>)).toEqual([]);
    const fields = inputs(modal.blocks);
    expect(fields.get(SETTINGS_FIELDS.recognitionShow)?.element).not.toHaveProperty('initial_options');
    expect(fields.get(SETTINGS_FIELDS.recognitionChannel)?.element).not.toHaveProperty('initial_conversation');
  });

  it('give a rep a refusal with nothing to submit', () => {
    const modal = notAllowedModal('Only a manager can change scoring.');
    expect(validateModal(modal as unknown as Record<string, unknown>)).toEqual([]);
    expect(modal.submit).toBeUndefined();
  });
});
