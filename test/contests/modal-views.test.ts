import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contestCreatedView, contestModal } from '../../src/slack/blocks/contest.blocks.js';
import { type FakeSlack, startFakeSlack, validateModal } from '../support/fake-slack.js';
import { refusal } from '../support/refusal.js';
import { newTriggerId, nowSeconds } from '../support/slack-signing.js';

/** The fake's views.open / views.update refuse what Slack refuses; the contest modal passes them. */

const TEAM = 'T0MODAL001';
const TOKEN = 'xoxb-modal';
const plain = (text: string) => ({ type: 'plain_text', text });
const input = (id: string) => ({
  type: 'input',
  block_id: id,
  label: plain('Name'),
  element: { type: 'plain_text_input', action_id: id },
});
const modal = (extra: Record<string, unknown> = {}) => ({
  type: 'modal',
  callback_id: 'cb',
  title: plain('New contest'),
  submit: plain('Save'),
  blocks: [input('a')],
  ...extra,
});

describe('modals on the fake Slack', () => {
  let fake: FakeSlack;
  let slack: webApi.WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addToken(TOKEN, { teamId: TEAM, botUserId: 'UBOT', botId: 'BBOT' });
    slack = new webApi.WebClient(TOKEN, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(() => fake.close());

  it('opens a modal once per trigger id, and refuses an unknown, used or expired one', async () => {
    const trigger = newTriggerId();
    const opened = await slack.apiCall('views.open', { trigger_id: trigger, view: modal() });
    expect(opened).toMatchObject({ ok: true, view: { type: 'modal', callback_id: 'cb' } });
    expect(await refusal(slack.apiCall('views.open', { trigger_id: trigger, view: modal() }))).toBe(
      'exchanged_trigger_id',
    );
    expect(await refusal(slack.apiCall('views.open', { trigger_id: 'not-a-trigger', view: modal() }))).toBe(
      'invalid_trigger_id',
    );
    const old = `${nowSeconds() - 10}.42.abcdef`;
    expect(await refusal(slack.apiCall('views.open', { trigger_id: old, view: modal() }))).toBe('expired_trigger_id');
  });

  it('refuses a modal without a title, a long title, inputs without submit, or long metadata', () => {
    expect(validateModal(modal({ title: undefined }))).toContain('missing required field: title [json-pointer:/view]');
    expect(validateModal(modal({ title: plain('x'.repeat(25)) }))[0]).toContain('/view/title/text');
    expect(validateModal(modal({ submit: undefined }))).toContain(
      'missing required field: submit [json-pointer:/view]',
    );
    expect(validateModal(modal({ private_metadata: 'x'.repeat(3001) }))[0]).toContain('/view/private_metadata');
    expect(validateModal(modal({ blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) }))[0]).toContain(
      '/view/blocks',
    );
    expect(validateModal(modal())).toEqual([]);
  });

  it('updates an open view by id, checking the hash', async () => {
    const opened = (await slack.apiCall('views.open', { trigger_id: newTriggerId(), view: modal() })) as unknown as {
      view: { id: string; hash: string };
    };
    const updated = await slack.apiCall('views.update', {
      view_id: opened.view.id,
      hash: opened.view.hash,
      view: modal({ title: plain('Saved') }),
    });
    expect(updated).toMatchObject({ ok: true, view: { id: opened.view.id } });
    expect(
      await refusal(slack.apiCall('views.update', { view_id: opened.view.id, hash: 'stale', view: modal() })),
    ).toBe('hash_conflict');
    expect(await refusal(slack.apiCall('views.update', { view_id: 'V404', view: modal() }))).toBe('not_found');
  });

  it('accepts the contest modal and its confirmation', async () => {
    const view = contestModal({ key: 'k', timezone: 'America/New_York' }, 'C1');
    expect(validateModal(JSON.parse(JSON.stringify(view)))).toEqual([]);
    expect(await slack.views.open({ trigger_id: newTriggerId(), view })).toMatchObject({ ok: true });
    const confirmation = contestCreatedView(
      {
        id: 7,
        workspaceId: TEAM,
        name: 'Demo dash',
        metric: 'demos',
        scorecard: null,
        ranking: 'goal_percent',
        startsAt: new Date('2026-11-16T05:00:00Z'),
        endsAt: new Date('2026-11-21T05:00:00Z'),
        timezone: 'America/New_York',
        channelId: 'C1',
        participants: null,
        prizes: { kind: 'threshold', score: 100, prize: 'The Q4 bonus' },
        minScore: null,
        status: 'scheduled',
        createdBy: 'U1',
        createdAt: new Date(),
        result: null,
      },
      'USD',
      false,
    );
    expect(validateModal(JSON.parse(JSON.stringify(confirmation)))).toEqual([]);
    expect(JSON.stringify(confirmation)).toContain('Everyone reaching *100% of goal* wins The Q4 bonus');
  });
});
