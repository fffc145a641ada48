import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditLog, crmOwners, members } from '../../src/db/schema.js';
import { getSettings } from '../../src/game/settings.js';
import { SETTINGS_FIELDS as F } from '../../src/home/settings-form.js';
import { ACTIVITY_KIND_KEYS } from '../../src/kpi/activity-kinds.js';
import { ACTIONS, VIEWS } from '../../src/slack/ids.js';
import { describeDb } from '../support/db.js';
import { isCallTo, type RecordedCall } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { blockActionsBody, newTriggerId, postSigned, viewSubmissionBody } from '../support/slack-signing.js';

/**
 * Settings from the App Home, end to end: a signed `app_home_opened`, a click on the Home's button
 * (a `block_actions` from the home view, with a fresh trigger id), and the modal's signed
 * `view_submission`, on the real database with the strict fake Slack.
 */
describeDb('settings on the App Home', () => {
  let h: Harness;
  let event = 0;

  beforeAll(async () => {
    h = await startHarness({ now: new Date('2026-11-18T15:00:00Z') });
    h.addUser('UMGR', { name: 'Morgan', tz: 'America/New_York' });
    h.addUser('UREP', { name: 'Maya', tz: 'America/New_York' });
    // Both join through a command, so they exist before roles are set.
    for (const user of ['UMGR', 'UREP']) expect((await h.kpi(user, 'log calls 1')).body.text).toMatch(/^Logged/);
    await h.database.db
      .update(members)
      .set({ role: 'manager' })
      .where(and(eq(members.workspaceId, h.teamId), eq(members.userId, 'UMGR')));
    await h.database.db.insert(crmOwners).values([
      { workspaceId: h.teamId, source: 'hubspot', ownerId: '101', email: 'sam@example.com', name: 'Sam' },
      { workspaceId: h.teamId, source: 'hubspot', ownerId: '102', slackUserId: 'UREP', mappedBy: 'email' },
      // Another workspace's owner: not counted here.
      { workspaceId: 'TOTHER', source: 'hubspot', ownerId: '103' },
    ]);
  });
  afterAll(async () => h.close());

  const publishes = () => h.fake.callsTo('views.publish');

  async function openHome(user: string): Promise<string> {
    const before = publishes().length;
    expect(
      await h.event({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: `${++event}.0` }),
    ).toBe(200);
    const call = (await h.fake.waitFor(
      (e): e is RecordedCall => isCallTo('views.publish')(e) && publishes().length > before,
    )) as RecordedCall;
    expect(call.ok).toBe(true);
    return JSON.stringify(call.args.view);
  }

  /** A click on a button of the Home tab, as Slack sends it: the home view as container, no response_url. */
  async function clickOnHome(user: string, actionId: string): Promise<RecordedCall> {
    const triggerId = newTriggerId();
    const before = h.fake.callsTo('views.open').length;
    const body = blockActionsBody({
      type: 'block_actions',
      team: { id: h.teamId, domain: 'test' },
      user: { id: user, team_id: h.teamId },
      api_app_id: 'A0FAKEAPP',
      token: 'legacy',
      trigger_id: triggerId,
      container: { type: 'view', view_id: 'VHOME' },
      view: { id: 'VHOME', type: 'home', team_id: h.teamId, blocks: [], state: { values: {} }, hash: '1.1' },
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: 'settings',
          value: 'x',
          text: { type: 'plain_text', text: 'x' },
          action_ts: '1',
        },
      ],
    });
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    const call = (await h.fake.waitFor(
      (e): e is RecordedCall => isCallTo('views.open')(e) && h.fake.callsTo('views.open').length > before,
    )) as RecordedCall;
    expect(call.args.trigger_id).toBe(triggerId);
    return call;
  }

  async function submit(user: string, callbackId: string, values: Record<string, object>) {
    const body = viewSubmissionBody({
      teamId: h.teamId,
      userId: user,
      callbackId,
      privateMetadata: '',
      values: Object.fromEntries(Object.entries(values).map(([block, v]) => [block, { [block]: v }])),
    });
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    return res.json as { response_action?: string; errors?: Record<string, string> } | null;
  }

  const audits = () =>
    h.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, h.teamId), eq(auditLog.action, 'settings.update')));

  /** The scoring form as the modal sends it back, with the stored defaults and these changes. */
  const scoringForm = (over: Record<string, object> = {}) => ({
    ...Object.fromEntries(ACTIVITY_KIND_KEYS.map((k) => [F.points(k), { type: 'number_input', value: '' }])),
    [F.dailyGoal]: { type: 'number_input', value: '10' },
    [F.holidays]: { type: 'plain_text_input', value: '' },
    ...over,
  });

  it('shows a manager the settings with their buttons, the boards and the CRM owners waiting', async () => {
    const view = await openHome('UMGR');
    expect(view).toContain('Settings');
    expect(view).toContain(ACTIONS.settingsScoring);
    expect(view).toContain(ACTIONS.settingsRecognition);
    expect(view).toContain('daily activity goal 10');
    expect(view).toContain('none scheduled yet');
    expect(view).toContain('1 CRM owner waits for a Slack match');
  });

  it('shows a rep no settings', async () => {
    const view = await openHome('UREP');
    expect(view).not.toContain(ACTIONS.settingsScoring);
    expect(view).not.toContain('Only managers see this');
  });

  it('opens the scoring modal, prefilled, and saves new weights and holidays with their audit record', async () => {
    const open = await clickOnHome('UMGR', ACTIONS.settingsScoring);
    expect(open.ok).toBe(true);
    const modal = JSON.stringify(open.args.view);
    expect(modal).toContain(VIEWS.settingsScoring);
    expect(modal).toContain('"initial_value":"10"');

    const before = publishes().length;
    const answer = await submit(
      'UMGR',
      VIEWS.settingsScoring,
      scoringForm({
        [F.points('demo')]: { type: 'number_input', value: '15' },
        [F.gate('conversation')]: { type: 'number_input', value: '20' },
        [F.dailyGoal]: { type: 'number_input', value: '12' },
        [F.holidays]: { type: 'plain_text_input', value: '2026-12-25, 2026-12-24' },
      }),
    );
    expect(answer?.response_action).toBeUndefined();
    const settings = await getSettings(h.database.db, h.teamId);
    expect(settings.points).toEqual({ demo: 15 });
    expect(settings.qualityGates).toEqual({ conversation: { minNoteChars: 20 } });
    expect(settings.dailyActivityGoal).toBe(12);
    expect(settings.holidays).toEqual(['2026-12-24', '2026-12-25']);
    const rows = await audits();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.actorId).toBe('UMGR');
    expect(rows[0]?.details).toMatchObject({
      points: { from: {}, to: { demo: 15 } },
      dailyActivityGoal: { from: 10, to: 12 },
      holidays: { from: [], to: ['2026-12-24', '2026-12-25'] },
    });

    // The manager's Home is republished with the change.
    const home = (await h.fake.waitFor(
      (e): e is RecordedCall => isCallTo('views.publish')(e) && publishes().length > before,
    )) as RecordedCall;
    expect(home.args.user_id).toBe('UMGR');
    expect(JSON.stringify(home.args.view)).toContain('daily activity goal 12');

    // The next opening of the modal shows what was saved.
    const again = JSON.stringify((await clickOnHome('UMGR', ACTIONS.settingsScoring)).args.view);
    expect(again).toContain('2026-12-24, 2026-12-25');
  });

  it('leaves the same state when the same submission is retried: no second change, no second audit row', async () => {
    const form = scoringForm({
      [F.points('demo')]: { type: 'number_input', value: '15' },
      [F.gate('conversation')]: { type: 'number_input', value: '20' },
      [F.dailyGoal]: { type: 'number_input', value: '12' },
      [F.holidays]: { type: 'plain_text_input', value: '2026-12-24 2026-12-25' },
    });
    const before = await getSettings(h.database.db, h.teamId);
    expect((await submit('UMGR', VIEWS.settingsScoring, form))?.response_action).toBeUndefined();
    expect(await getSettings(h.database.db, h.teamId)).toEqual(before);
    expect(await audits()).toHaveLength(1);
  });

  it('puts an invalid date, negative points and a bad time under their fields, and stores nothing', async () => {
    const before = await getSettings(h.database.db, h.teamId);
    const bad = await submit(
      'UMGR',
      VIEWS.settingsScoring,
      scoringForm({
        [F.points('call')]: { type: 'number_input', value: '-1' },
        [F.dailyGoal]: { type: 'number_input', value: '30' },
        [F.holidays]: { type: 'plain_text_input', value: '2026-12-25, 2026-13-01' },
      }),
    );
    expect(bad?.response_action).toBe('errors');
    expect(bad?.errors?.[F.holidays]).toContain('“2026-13-01” is not a date');
    expect(bad?.errors?.[F.points('call')]).toBe("Points can't be negative.");
    const time = await submit('UMGR', VIEWS.settingsRecognition, {
      [F.kudosCap]: { type: 'number_input', value: '3' },
      [F.digestDay]: { type: 'static_select', selected_option: { value: '1' } },
      [F.digestTime]: { type: 'timepicker', selected_time: '8h30' },
    });
    expect(time?.errors?.[F.digestTime]).toBe('Give a time as HH:MM, e.g. 08:30.');
    expect(await getSettings(h.database.db, h.teamId)).toEqual(before);
    expect(await audits()).toHaveLength(1);
  });

  it('saves recognition and nudges from the second modal', async () => {
    const open = await clickOnHome('UMGR', ACTIONS.settingsRecognition);
    expect(JSON.stringify(open.args.view)).toContain('conversations_select');
    const answer = await submit('UMGR', VIEWS.settingsRecognition, {
      [F.recognitionChannel]: { type: 'conversations_select', selected_conversation: 'CWINS' },
      [F.recognitionShow]: { type: 'checkboxes', selected_options: [{ value: 'show_deal_name' }] },
      [F.kudosCap]: { type: 'number_input', value: '5' },
      [F.digestDay]: { type: 'static_select', selected_option: { value: '5' } },
      [F.digestTime]: { type: 'timepicker', selected_time: '16:30' },
    });
    expect(answer?.response_action).toBeUndefined();
    const settings = await getSettings(h.database.db, h.teamId);
    expect(settings.recognition).toEqual({ channelId: 'CWINS', showAmount: false, showDealName: true });
    expect(settings.kudosDailyCap).toBe(5);
    expect(settings.digest).toEqual({ dayOfWeek: 5, timeOfDay: '16:30' });
    // The scoring saved before is kept.
    expect(settings.dailyActivityGoal).toBe(12);
    expect(await audits()).toHaveLength(2);
  });

  it('refuses a rep: the button opens a polite refusal, a forged submission changes nothing', async () => {
    const open = await clickOnHome('UREP', ACTIONS.settingsScoring);
    expect(JSON.stringify(open.args.view)).toContain('Only a manager can change scoring');
    expect(open.args.view).not.toHaveProperty('submit');
    const before = await getSettings(h.database.db, h.teamId);
    const forged = await submit(
      'UREP',
      VIEWS.settingsScoring,
      scoringForm({ [F.points('call')]: { type: 'number_input', value: '1000' } }),
    );
    expect(forged?.response_action).toBe('errors');
    expect(forged?.errors?.[F.points('call')]).toContain('Only a manager can change settings');
    expect(await getSettings(h.database.db, h.teamId)).toEqual(before);
    expect(await audits()).toHaveLength(2);
  });
});
