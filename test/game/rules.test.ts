import { describe, expect, it } from 'vitest';
import { gameProfile } from '../../src/game/profile.js';
import { RULE_TOPICS } from '../../src/game/rule-topics.js';
import { parseSettings } from '../../src/game/settings.js';
import { rulesMessage, rulesText } from '../../src/slack/blocks/explain.blocks.js';
import { gameBlocks } from '../../src/slack/blocks/game.blocks.js';

describe('the rules of the game, in plain words', () => {
  const settings = parseSettings({
    points: { call: 2, email: 0 },
    qualityGates: { conversation: { minNoteChars: 20 } },
    holidays: ['2026-11-26'],
    dailyActivityGoal: 25,
  });

  it('quote the workspace’s own weights, gates, daily goal and holidays', () => {
    const points = rulesText('points', settings).body.join('\n');
    expect(points).toContain('call 2*');
    expect(points).toContain('meeting 5,');
    expect(points).not.toContain('email ');
    expect(points).toContain('a conversation needs an outcome note of at least 20 characters');
    const streaks = rulesText('streaks', settings).body.join('\n');
    expect(streaks).toContain('at least *25* activities');
    expect(streaks).toContain('Holidays: 26 Nov 2026.');
    expect(rulesText('levels', settings).body[0]).toContain(
      'Level 2 at 100, Level 3 at 300, Level 4 at 600, Level 5 at 1,000',
    );
    expect(rulesText('ranking', settings).body[0]).toContain('1, 2, 2, 4');
    expect(rulesText('contests', settings).body[1]).toContain('Percent of your own goal');
  });

  it('every topic fits Slack’s limits', () => {
    for (const topic of RULE_TOPICS) {
      const message = rulesMessage(topic, settings);
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
    }
  });

  it('the /kpi me section says what is needed next', () => {
    const profile = gameProfile({
      days: [{ day: '2026-11-18', points: 30, activities: 30, dealsWon: 0, revenueCents: 0 }],
      settings: parseSettings({}),
      now: new Date('2026-11-18T15:00:00Z'),
      timezone: 'America/New_York',
    });
    const text = JSON.stringify(gameBlocks(profile));
    expect(text).toContain('*30 points* · *level 1*');
    expect(text).toContain('70 to level 2');
    expect(text).toContain('today 30/10 :white_check_mark:');
    expect(text).toContain('none yet');
  });
});
