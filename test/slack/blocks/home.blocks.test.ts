import { describe, expect, it } from 'vitest';
import type { Contest } from '../../../src/contests/contest.js';
import type { GoalView } from '../../../src/goals/goal-status.js';
import { goalProgress } from '../../../src/goals/progress.js';
import { TEAM_KPIS } from '../../../src/home/home.queries.js';
import { getKpi } from '../../../src/kpi/catalogue.js';
import { homeView, MAX_HOME_BLOCKS } from '../../../src/slack/blocks/home.blocks.js';
import { validateBlocks } from '../../support/fake-slack.js';

const NOW = new Date('2026-11-18T15:00:00Z');
const START = new Date('2026-11-16T05:00:00Z');
const END = new Date('2026-11-23T05:00:00Z');

function goal(metric: string, value: number, target: number): GoalView {
  return {
    goal: {
      id: 1,
      workspaceId: 'T1',
      userId: 'U1',
      channelId: null,
      metric,
      target,
      period: 'week',
      startsOn: null,
      endsOn: null,
      setBy: 'U2',
      suggestedTarget: null,
      createdAt: NOW,
      archivedAt: null,
    },
    def: getKpi(metric),
    window: { start: START, end: END, label: 'This week (Mon 16 Nov)', timezone: 'America/New_York' },
    value,
    progress: goalProgress({ value, target, start: START, end: END, now: NOW, timezone: 'America/New_York' }),
  };
}

const text = (view: ReturnType<typeof homeView>) => JSON.stringify(view.blocks);

describe('homeView', () => {
  it('draws a goal with its bar, figures in the metric’s unit, and the pace', () => {
    const view = homeView({
      sections: [{ kind: 'goals', goals: [goal('revenue', 250_000, 1_000_000)] }],
      currency: 'USD',
    });
    expect(text(view)).toContain('*Revenue* · this week (Mon 16 Nov)\\n▰▰▱▱▱▱▱▱▱▱ 25% · $2,500 of $10,000');
    expect(text(view)).toMatch(/Needs \$2,500 per working day for 3 more days\./);
  });

  it('renders a live contest with the viewer’s place and next prize, and the game profile, escaping names', () => {
    const contest: Contest = {
      id: 7,
      workspaceId: 'T1',
      name: 'Q4 <push>',
      metric: 'demos',
      scorecard: null,
      ranking: 'raw',
      startsAt: START,
      endsAt: END,
      timezone: 'America/New_York',
      channelId: 'CSALES',
      participants: null,
      prizes: { kind: 'top', places: ['Q4 bonus'] },
      minScore: null,
      status: 'live',
      createdBy: 'UMGR',
      createdAt: START,
      result: null,
    };
    const view = homeView({
      sections: [
        {
          kind: 'contests',
          lines: [
            {
              contest,
              mine: {
                standing: {
                  userId: 'U1',
                  name: 'Ana',
                  public: true,
                  value: 12,
                  goal: null,
                  score: 12,
                  rank: 2,
                  prize: null,
                },
                of: 9,
                mode: 'raw',
                next: '2 demos to go for Q4 bonus',
              },
            },
          ],
        },
        {
          kind: 'game',
          profile: {
            points: 420,
            level: { level: 3, floor: 300, next: 600, fraction: 0.4 },
            streak: { current: 6, best: 9, dailyGoal: 10, today: 4, todayIsWorkingDay: true },
            badges: [{ key: 'first_deal', emoji: ':trophy:', label: 'First deal', earnedOn: '2026-11-02' }],
          },
        },
      ],
      currency: 'USD',
    });
    expect(text(view)).toContain('*Q4 &lt;push&gt;* (#7)');
    expect(text(view)).toContain('You: #2 of 9');
    expect(text(view)).toContain('2 demos to go for Q4 bonus');
    expect(text(view)).toContain(':fire: *Streak:* 6 working days (best 9)');
    expect(text(view)).toContain('First deal');
    expect(text(view)).not.toContain('contest new');
    expect(view.blocks.filter((b) => b.type === 'divider')).toHaveLength(1);
  });

  it('stays within Slack’s limits for a long goal list and a big workspace', () => {
    const metrics = TEAM_KPIS.map(getKpi);
    const rows = Array.from({ length: 400 }, (_, i) => ({
      userId: `U${i}`,
      name: `Rep ${i} ${'x'.repeat(60)}`,
      figures: metrics.map((def) => ({ def, result: { status: 'ok' as const, value: 1_234_567 } })),
      goalsBehind: i % 2,
      goals: 2,
    }));
    const view = homeView({
      sections: [
        { kind: 'goals', goals: Array.from({ length: 30 }, () => goal('calls', 10, 50)) },
        { kind: 'team', scope: 'workspace', rows },
      ],
      currency: 'USD',
    });
    expect(view.blocks.length).toBeLessThanOrEqual(MAX_HOME_BLOCKS);
    expect(validateBlocks(view.blocks, '/blocks', MAX_HOME_BLOCKS)).toEqual([]);
    expect(text(view)).toContain('And 20 more: `/kpi me` lists them all.');
    expect(text(view)).toContain('And 350 more. Only you can see this.');
  });

  it('tells a manager with no reps and a rep with no goals what to do', () => {
    const view = homeView({
      sections: [
        { kind: 'goals', goals: [] },
        { kind: 'team', scope: 'reports', rows: [] },
      ],
      currency: 'USD',
    });
    expect(text(view)).toContain('No live goals.');
    expect(text(view)).toContain('No reps report to you yet.');
  });
});
