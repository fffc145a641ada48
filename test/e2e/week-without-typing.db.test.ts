import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { ACTIONS, FUNCTIONS, SHORTCUTS, VIEWS } from '../../src/slack/ids.js';
import { logFormValues } from '../activities/log-form-values.js';
import { trackEvents } from '../recognition/events.js';
import { activityRows } from '../support/activity-rows.js';
import { describeDb } from '../support/db.js';
import { type FakeMessage, isCallTo, type Json, type Recorded, type RecordedCall } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import * as slack from '../support/interaction-payloads.js';
import { blockActionsBody, eventBody, newTriggerId, postSigned, viewSubmissionBody } from '../support/slack-signing.js';
import { runner, runStep } from '../support/workflow-steps.js';

/**
 * Issue #13's "done": a rep goes a whole working week, Monday 16 to Friday 20 November 2026 in New
 * York (EST, UTC−5), without typing a slash command. Each day is a moment on the injected clock;
 * every request is what Slack sends (signed, to the real receiver), answered against the real
 * database and the strict fake Slack. The manager and the admin set the team up with `/kpi` the
 * Sunday before; Ana, the rep, never does. At the end her week is read back from what Slack shows
 * her without a command: her App Home and the workflow's "Get a rep's KPI" outputs.
 */
const SUNDAY = new Date('2026-11-15T20:00:00Z');
const at = (day: string, time = '15:00') => new Date(`2026-11-${day}T${time}:00Z`);
const MONDAY = at('16', '14:05'); // 09:05 in New York: the default nudge time (09:00) has come.
const TUESDAY = at('17');
const WEDNESDAY = at('18');
const THURSDAY = at('19');
const FRIDAY = at('20');
/** Midday in New York of a day: where an entry for an earlier day is stored. */
const middayOf = (day: string) => at(day, '17:00');

const REP = 'UANA';
const MANAGER = 'UMAX';
const SALES = 'CSALES';
const CALL_GOAL = 50;

type RequestLine = { msg?: string; user?: string; kind?: string; name?: string };

describeDb('a rep’s week without typing a slash command', () => {
  let h: Harness;
  let events: ReturnType<typeof trackEvents>;
  const logLines: string[] = [];
  let eventIds = 0;

  beforeAll(async () => {
    h = await startHarness({
      now: SUNDAY,
      logger: createLogger('info', { write: (line: string) => void logLines.push(line) }),
    });
    events = trackEvents(h.bot.app);
    h.addUser('UADA', { name: 'Ada', isAdmin: true });
    h.addUser(MANAGER, { name: 'Max' });
    h.addUser(REP, { name: 'Ana' });
    h.fake.addUser({ id: 'UBOT', teamId: h.teamId, name: 'kpi-bot', isBot: true });
    h.fake.addChannel({ id: SALES, teamId: h.teamId, members: [REP, MANAGER, 'UBOT'] });
    // The team, set up by the people whose job it is: the admin names the manager, who takes Ana
    // on and agrees her weekly call goal.
    await h.kpi('UADA', 'role <@UMAX|max> manager');
    await h.kpi(MANAGER, 'team add <@UANA|ana>');
    await h.kpi(MANAGER, `goal calls ${CALL_GOAL} week for <@UANA|ana>`);
    // Ana opens the app's Home once, as anyone who installs it does.
    await openHome(REP);
  });
  afterAll(async () => h.close());

  const rows = () => activityRows(h.database.db, h.teamId, REP);
  const dmOf = (userId: string) => h.fake.messagesIn(h.fake.dmChannelOf(userId));
  const lastCall = (method: string): RecordedCall | undefined => h.fake.callsTo(method).at(-1);

  /** Posts a signed interactivity payload (form-encoded, as Slack does) and waits for its listener. */
  async function interact(payload: object) {
    const res = await postSigned(`${h.url}/slack/events`, blockActionsBody(payload), {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    await events.settled();
  }

  async function submitLogModal(values: Json, viewId: string) {
    const body = viewSubmissionBody({
      teamId: h.teamId,
      userId: REP,
      callbackId: VIEWS.logActivity,
      privateMetadata: '',
      values: values as Record<string, Record<string, object>>,
      viewId,
    });
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    // An empty answer closes the modal; `errors` would keep it open.
    expect(res.json ?? {}).toEqual({});
    await events.settled();
  }

  /** Sends an Events API event; a retry is the same envelope (same event id) with Slack's retry headers. */
  async function sendEvent(event: object, eventId = `EvWEEK${++eventIds}`, retry = false) {
    const body = eventBody(event, { teamId: h.teamId, eventId, botUserId: 'UBOT' });
    const headers = retry ? { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' } : undefined;
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/json',
      headers,
    });
    expect(res.status).toBe(200);
    await events.settled();
  }

  /** https://docs.slack.dev/reference/events/app_home_opened: the Home tab, and the view published for it. */
  async function openHome(userId: string): Promise<string> {
    const before = h.fake.callsTo('views.publish').length;
    await sendEvent({ type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: '1.0' });
    const published = h.fake.callsTo('views.publish').slice(before);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ ok: true, args: { user_id: userId } });
    return JSON.stringify(published[0]?.args.view);
  }

  const step = (callbackId: string, inputs: Json) =>
    runStep({ url: h.url, fake: h.fake, teamId: h.teamId, signingSecret: SIGNING_SECRET }, callbackId, inputs);

  describe('Monday', () => {
    let nudge: FakeMessage;

    it('the nudges job DMs Ana her day, with quick-log buttons', async () => {
      h.clock.now = MONDAY;
      const isNudge = (e: Recorded) =>
        isCallTo('chat.postMessage')(e) && e.args.channel === REP && String(e.args.text).startsWith('Your day');
      const sent = h.fake.waitFor(isNudge, 10_000);
      const report = await h.bot.runJob('nudges', MONDAY, { workspaceId: h.teamId });
      // Ana's nudge; the admin and the manager have no goals and nothing to be told.
      expect(report).toMatchObject({ enqueued: 1, skipped: 2, failed: 0 });
      expect(await sent).toMatchObject({ ok: true });
      const found = dmOf(REP).find((m) => m.text?.startsWith('Your day'));
      if (!found) throw new Error('no nudge DM for Ana');
      nudge = found;
      expect(JSON.stringify(nudge.blocks)).toContain(`0 of ${CALL_GOAL}`);
      expect(JSON.stringify(nudge.blocks)).toContain(`"action_id":"${ACTIONS.quickLog}_call"`);
    });

    it('"+1 call" logs once, though Slack sends the press twice, and updates the DM in place', async () => {
      const payload = slack.messageButton({
        teamId: h.teamId,
        userId: REP,
        button: { actionId: `${ACTIONS.quickLog}_call`, value: 'call' },
        channelId: nudge.channel,
        message: { ts: nudge.ts, text: nudge.text, blocks: nudge.blocks },
        responseUrl: h.fake.responseUrl(),
        triggerId: newTriggerId(),
      });
      await interact(payload);
      await interact(payload);
      expect(await rows()).toMatchObject([{ kind: 'call', quantity: 1, occurredAt: MONDAY }]);
      expect(lastCall('chat.update')).toMatchObject({ ok: true, args: { channel: nudge.channel, ts: nudge.ts } });
      const inPlace = dmOf(REP).filter((m) => m.ts === nudge.ts);
      expect(inPlace).toHaveLength(1);
      expect(JSON.stringify(inPlace[0]?.blocks)).toContain(`1 of ${CALL_GOAL}`);
    });
  });

  describe('Tuesday', () => {
    it('logs a meeting through the global shortcut’s modal, stored once despite a double submit', async () => {
      h.clock.now = TUESDAY;
      const triggerId = newTriggerId();
      await interact(
        slack.globalShortcut({ teamId: h.teamId, userId: REP, callbackId: SHORTCUTS.logActivity, triggerId }),
      );
      expect(lastCall('views.open')).toMatchObject({ ok: true, args: { trigger_id: triggerId } });
      expect(JSON.stringify(lastCall('views.open')?.args.view)).toContain('"initial_date":"2026-11-17"');
      const values = logFormValues({ kind: 'meeting', subject: 'Globex', day: '2026-11-17' });
      await Promise.all([submitLogModal(values, 'VWEEK000001'), submitLogModal(values, 'VWEEK000001')]);
    });

    it('logs three calls for Monday through the modal’s day field', async () => {
      await interact(slack.globalShortcut({ teamId: h.teamId, userId: REP, callbackId: SHORTCUTS.logActivity }));
      expect(lastCall('views.open')?.ok).toBe(true);
      await submitLogModal(logFormValues({ kind: 'call', count: '3', day: '2026-11-16' }), 'VWEEK000002');
      expect(dmOf(REP).at(-1)?.text).toBe('Logged 3 calls for yesterday.');
    });
  });

  describe('Wednesday', () => {
    it('turns a message into a call with the message shortcut', async () => {
      h.clock.now = WEDNESDAY;
      const message = { ts: '1763478000.000100', user: REP, text: 'Good call with Initech, they want pricing' };
      h.fake.addMessage({ channel: SALES, ts: message.ts, userId: REP, text: message.text });
      await interact(
        slack.messageShortcut({
          teamId: h.teamId,
          userId: REP,
          callbackId: SHORTCUTS.logMessage,
          channelId: SALES,
          message,
          responseUrl: h.fake.responseUrl(),
        }),
      );
      const opened = lastCall('views.open');
      expect(opened?.ok).toBe(true);
      const permalink = lastCall('chat.getPermalink')?.response.permalink as string;
      const note = `${message.text} ${permalink}`;
      // Ana submits what the modal was pre-filled with.
      expect(JSON.stringify(opened?.args.view)).toContain('"value":"call"');
      expect(JSON.stringify(opened?.args.view)).toContain(`"initial_value":"${note}"`);
      await submitLogModal(logFormValues({ kind: 'call', note, day: '2026-11-18' }), 'VWEEK000003');
    });
  });

  describe('Thursday', () => {
    const say = (text: string, ts: string) =>
      slack.directMessage({ teamId: h.teamId, userId: REP, channel: h.fake.dmChannelOf(REP), text, ts });

    it('DMs the app `12 calls` (Slack retries it: stored and answered once) and `log demo Acme`', async () => {
      h.clock.now = THURSDAY;
      const replies = () => dmOf(REP).filter((m) => m.userId === 'UBOT' && !m.text?.startsWith('Your day'));
      const before = replies().length;
      const twelve = say('12 calls', '1763568000.000100');
      await sendEvent(twelve, 'EvWEEKDM12');
      await sendEvent(twelve, 'EvWEEKDM12', true);
      await sendEvent(say('log demo Acme', '1763568000.000200'));
      expect(
        replies()
          .slice(before)
          .map((m) => m.text),
      ).toEqual(['Logged 12 calls.', 'Logged 1 demo.']);
    });

    it('presses quick-log "meeting" on the App Home', async () => {
      const before = h.fake.callsTo('views.publish').length;
      await interact(
        slack.homeButton({
          teamId: h.teamId,
          userId: REP,
          button: { actionId: `${ACTIONS.quickLog}_meeting`, value: 'meeting' },
        }),
      );
      expect(h.fake.callsTo('views.publish').slice(before)).toMatchObject([{ ok: true, args: { user_id: REP } }]);
    });
  });

  describe('Friday', () => {
    it("the manager's workflow logs five calls for Ana", async () => {
      h.clock.now = FRIDAY;
      const logged = await step(FUNCTIONS.logActivity, {
        runner: runner(MANAGER),
        user_id: REP,
        activity: 'calls',
        count: 5,
        note: 'Friday wrap-up',
      });
      expect(logged.outcome).toEqual({ state: 'completed', outputs: { summary: 'Logged 5 calls for Ana.' } });
    });
  });

  describe('the week, as Slack shows it to Ana', () => {
    // Monday 1 + 3 backdated, Wednesday 1, Thursday 12, Friday 5.
    const CALLS = 22;

    it('holds every entry once, on the day it happened', async () => {
      const week = (await rows()).map((r) => [r.kind, r.quantity, r.occurredAt.toISOString(), r.recordedBy]);
      expect(week.sort((a, b) => String(a[2]).localeCompare(String(b[2])))).toEqual([
        ['call', 1, MONDAY.toISOString(), REP],
        ['call', 3, middayOf('16').toISOString(), REP],
        ['meeting', 1, TUESDAY.toISOString(), REP],
        ['call', 1, WEDNESDAY.toISOString(), REP],
        ['call', 12, THURSDAY.toISOString(), REP],
        ['demo', 1, THURSDAY.toISOString(), REP],
        ['meeting', 1, THURSDAY.toISOString(), REP],
        ['call', 5, FRIDAY.toISOString(), MANAGER],
      ]);
    });

    it('the workflow\'s "Get a rep\'s KPI" outputs her calls, goal and percent', async () => {
      // A window runs up to now, exclusive: read a minute after Friday's entry.
      h.clock.now = new Date(FRIDAY.getTime() + 60_000);
      const run = await step(FUNCTIONS.getKpi, {
        runner: runner(MANAGER),
        user_id: REP,
        metric: 'calls',
      });
      expect(run.outcome).toEqual({
        state: 'completed',
        outputs: { value: CALLS, goal: CALL_GOAL, percent: Math.round((CALLS / CALL_GOAL) * 100) },
      });
      const meetings = await step(FUNCTIONS.getKpi, {
        runner: runner(MANAGER),
        user_id: REP,
        metric: 'meetings',
      });
      expect(meetings.outcome).toEqual({ state: 'completed', outputs: { value: 2 } });
    });

    it('her App Home shows the same week', async () => {
      const home = await openHome(REP);
      // The scorecard's week, and the goal's progress.
      expect(home).toContain('Your scorecard: This week (Mon 16 Nov – Sun 22 Nov)');
      expect(home).toContain(`*Calls*\\n${CALLS} `);
      expect(home).toContain('*Meetings booked*\\n2 ');
      expect(home).toContain(`${Math.round((CALLS / CALL_GOAL) * 100)}% · ${CALLS} of ${CALL_GOAL}`);
    });

    it('and Ana sent no slash command all week', () => {
      const handled = logLines
        .map((line) => JSON.parse(line) as RequestLine)
        .filter((l) => l.msg?.startsWith('slack ') && l.msg.endsWith(' handled'));
      const commandsBy = (user: string) => handled.filter((l) => l.kind === 'command' && l.user === user);
      // The log does record commands: the manager's set-up ones are there.
      expect(commandsBy(MANAGER).length).toBeGreaterThan(0);
      expect(commandsBy(REP)).toEqual([]);
      const hers = new Set(handled.filter((l) => l.user === REP).map((l) => `${l.kind}:${l.name}`));
      // Every way in she used, and nothing else.
      expect([...hers].sort()).toEqual(
        [
          `action:${ACTIONS.quickLog}_call`,
          `action:${ACTIONS.quickLog}_meeting`,
          'event:app_home_opened',
          'event:message',
          `message_action:${SHORTCUTS.logMessage}`,
          `shortcut:${SHORTCUTS.logActivity}`,
          `view_submission:${VIEWS.logActivity}`,
        ].sort(),
      );
    });
  });
});
