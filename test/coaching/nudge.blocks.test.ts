import { describe, expect, it } from 'vitest';
import {
  decodeFeedbackValue,
  encodeFeedbackValue,
  goalLine,
  nudgeMessage,
} from '../../src/slack/blocks/nudge.blocks.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { validateBlocks } from '../support/fake-slack.js';
import { leadsWaitingPrompt, weekGoal } from './fixtures.js';

const prompt = leadsWaitingPrompt;

describe('nudgeMessage', () => {
  it('shows each goal with a bar, what today needs and where the pace lands, then one prompt with its benchmark', () => {
    // Wednesday 09:00: two working days done, three left (today included).
    const message = nudgeMessage({
      nudgeKey: 'nudge:U1:2026-11-25',
      dayLabel: 'Wednesday, November 25',
      goals: [weekGoal('calls', 50, 20), weekGoal('revenue', 1_000_000, 1_200_000)],
      prompt,
      currency: 'USD',
    });
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('*Calls* · this week\\n▰▰▰▰▱▱▱▱▱▱ 40% · 20 of 50');
    expect(shown).toContain('Today: *10* to stay on pace (3 working days left)');
    expect(shown).toContain('at this pace you finish at');
    expect(shown).toContain(':white_check_mark: Goal met');
    expect(shown).toContain('Benchmark: Responding within one hour makes qualifying a lead about 7× more likely');
    expect(message.text).toContain('2 new leads have waited over an hour');
    const actions = message.blocks.find((b) => b.type === 'actions' && b.block_id === 'nudge_feedback');
    expect(actions).toMatchObject({
      elements: [
        { action_id: ACTIONS.nudgeHelpful, text: { text: 'Helpful' } },
        { action_id: ACTIONS.nudgeNotHelpful, text: { text: 'Not helpful' } },
      ],
    });
  });

  it('has no feedback buttons without a prompt, only the quick-log ones, and keeps a long list of goals short', () => {
    const goals = Array.from({ length: 7 }, () => weekGoal('calls', 50, 10));
    const message = nudgeMessage({ nudgeKey: 'k', dayLabel: 'Monday', goals, prompt: null, currency: 'USD' });
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
    const actions = message.blocks.filter((b) => b.type === 'actions');
    expect(actions.map((b) => b.block_id)).toEqual(['nudge_log']);
    expect(message.blocks.filter((b) => b.type === 'section')).toHaveLength(5);
    expect(JSON.stringify(message.blocks)).toContain('3 more goals in `/kpi me`.');
    expect(message.text).toBe('Your day: 7 goals in progress');
  });

  it('says when no working day is left and when the pace is behind', () => {
    const friday = new Date('2026-11-27T14:00:00Z');
    expect(goalLine(weekGoal('calls', 50, 20, friday), 'USD')).toContain(
      'Today: *30* to stay on pace (1 working day left)',
    );
    const weekend = new Date('2026-11-29T15:00:00Z');
    expect(goalLine(weekGoal('calls', 50, 20, weekend), 'USD')).toContain('No working days left in this window');
    expect(goalLine(weekGoal('calls', 50, 5), 'USD')).toContain('(behind pace)');
    // Monday 09:00: what today needs, but no verdict on a pace a few hours old.
    const monday = goalLine(weekGoal('calls', 50, 0, new Date('2026-11-23T14:00:00Z')), 'USD');
    expect(monday).toContain('Today: *10* to stay on pace (5 working days left)');
    expect(monday).not.toContain('at this pace');
  });
});

describe('feedback button values', () => {
  it('round-trip, and anything else decodes to null', () => {
    const value = { nudgeKey: 'nudge:U1:2026-11-25', rule: 'low_reach' };
    expect(decodeFeedbackValue(encodeFeedbackValue(value))).toEqual(value);
    for (const bad of [undefined, '', 'nope', '{"k":1,"r":"x"}', 'null', '[]'])
      expect(decodeFeedbackValue(bad)).toBeNull();
  });
});
