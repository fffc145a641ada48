import { describe, expect, it } from 'vitest';
import { LOG_FIELDS } from '../../../src/activities/log-form.js';
import { ACTIVITY_KIND_KEYS } from '../../../src/kpi/activity-kinds.js';
import { logModalView, quickLogBlock } from '../../../src/slack/blocks/log-modal.blocks.js';
import { nudgeMessage, refreshedNudge } from '../../../src/slack/blocks/nudge.blocks.js';
import { ACTIONS, VIEWS } from '../../../src/slack/ids.js';
import { leadsWaitingPrompt, weekGoal } from '../../coaching/fixtures.js';
import { validateBlocks, validateModal } from '../../support/fake-slack.js';

describe('logModalView', () => {
  it('is a modal Slack accepts, offering every activity, the day picker on today', () => {
    const view = logModalView({ kinds: ACTIVITY_KIND_KEYS, today: '2026-11-18' });
    expect(validateModal(view as never)).toEqual([]);
    expect(view.callback_id).toBe(VIEWS.logActivity);
    const json = JSON.stringify(view);
    for (const id of Object.values(LOG_FIELDS)) expect(json).toContain(`"block_id":"${id}"`);
    expect(json).toContain('"initial_date":"2026-11-18"');
    expect(json).not.toContain('initial_option');
    const select = view.blocks[0] as { element: { options: unknown[] } };
    expect(select.element.options).toHaveLength(ACTIVITY_KIND_KEYS.length);
  });

  it('comes pre-filled from a message, still valid', () => {
    const note = 'x'.repeat(280);
    const view = logModalView({ kinds: ACTIVITY_KIND_KEYS, today: '2026-11-18', prefill: { kind: 'call', note } });
    expect(validateModal(view as never)).toEqual([]);
    expect(view.blocks[0]).toMatchObject({ element: { initial_option: { value: 'call' } } });
    expect(JSON.stringify(view.blocks[4])).toContain(`"initial_value":"${note}"`);
  });
});

describe('the fake Slack refuses a broken log modal', () => {
  const base = () => JSON.parse(JSON.stringify(logModalView({ kinds: ACTIVITY_KIND_KEYS, today: '2026-11-18' })));

  it('without a label, with an initial option not offered, a bad date or a length Slack does not allow', () => {
    const unlabeled = base();
    delete unlabeled.blocks[1].label;
    expect(validateModal(unlabeled)).toContain('missing required field: label [json-pointer:/view/blocks/1]');
    const notOffered = base();
    notOffered.blocks[0].element.initial_option = { text: { type: 'plain_text', text: 'Naps' }, value: 'nap' };
    expect(validateModal(notOffered)[0]).toContain('/view/blocks/0/element/initial_option');
    const badDate = base();
    badDate.blocks[5].element.initial_date = '18/11/2026';
    expect(validateModal(badDate)[0]).toContain('/view/blocks/5/element/initial_date');
    const tooLong = base();
    tooLong.blocks[4].element.max_length = 3001;
    expect(validateModal(tooLong)[0]).toContain('/view/blocks/4/element/max_length');
    const tooMany = base();
    tooMany.blocks[0].element.options = Array.from({ length: 101 }, (_, i) => ({
      text: { type: 'plain_text', text: `k${i}` },
      value: `k${i}`,
    }));
    expect(validateModal(tooMany)[0]).toContain('/view/blocks/0/element/options');
  });
});

describe('quick-log buttons and the refreshed nudge', () => {
  it('offers +1 call, +1 meeting and Log…, each with its own action id', () => {
    const block = quickLogBlock('b');
    expect(validateBlocks([block], '/blocks', 50)).toEqual([]);
    expect(block).toMatchObject({
      elements: [
        { action_id: `${ACTIONS.quickLog}_call`, value: 'call', text: { text: '+1 call' } },
        { action_id: `${ACTIONS.quickLog}_meeting`, value: 'meeting', text: { text: '+1 meeting' } },
        { action_id: ACTIONS.openLogModal, text: { text: 'Log…' } },
      ],
    });
  });

  it('replaces the goal lines with fresh ones and says what was logged, keeping the day and the prompt', () => {
    const before = nudgeMessage({
      nudgeKey: 'k',
      dayLabel: 'Wednesday, November 25',
      goals: [weekGoal('calls', 50, 20)],
      prompt: leadsWaitingPrompt,
      currency: 'USD',
    });
    const after = refreshedNudge(before, {
      goals: [weekGoal('calls', 50, 21)],
      currency: 'USD',
      logged: 'Logged 1 call.',
    });
    expect(validateBlocks(after.blocks, '/blocks', 50)).toEqual([]);
    const shown = JSON.stringify(after.blocks);
    expect(shown).toContain('21 of 50');
    expect(shown).not.toContain('20 of 50');
    expect(shown).toContain('Logged 1 call.');
    expect(after.blocks[0]).toEqual(before.blocks[0]);
    expect(after.blocks.slice(-4)).toEqual(before.blocks.slice(-4));
    // A second press replaces the first's line instead of adding one.
    const again = refreshedNudge(after, {
      goals: [weekGoal('calls', 50, 22)],
      currency: 'USD',
      logged: 'Logged 1 call.',
    });
    expect(again.blocks).toHaveLength(after.blocks.length);
    expect(JSON.stringify(again.blocks)).toContain('22 of 50');
  });
});
