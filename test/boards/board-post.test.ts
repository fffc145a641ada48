import { describe, expect, it } from 'vitest';
import { scorecardKpi, sumFacts, teamFigure } from '../../src/boards/board-metric.js';
import { type BoardPostData, postTimeWindow } from '../../src/boards/board-post.js';
import { getKpi } from '../../src/kpi/catalogue.js';
import { activityFacts, type KpiFacts } from '../../src/kpi/facts.js';
import {
  boardPostChart,
  boardPostMessage,
  decodePositionRef,
  encodePositionRef,
  positionMessage,
} from '../../src/slack/blocks/board-post.blocks.js';

const ZONE = 'America/New_York';
const START = new Date('2026-11-16T14:00:00Z');
const END = new Date('2026-11-23T14:00:00Z');
const PREVIOUS = new Date('2026-11-09T14:00:00Z');

function facts(activities: KpiFacts['activities'], extra: Partial<KpiFacts> = {}): KpiFacts {
  return activityFacts(activities, extra);
}

function post(overrides: Partial<BoardPostData> = {}, entries: { name: string; value: number; rank: number }[] = []) {
  const metric = getKpi('revenue');
  const data: BoardPostData = {
    subscriptionId: 42,
    channelId: 'C1',
    metric,
    isScorecard: false,
    board: {
      metric,
      window: postTimeWindow(START, END, ZONE),
      previous: postTimeWindow(PREVIOUS, START, ZONE),
      quotaPeriod: 'week',
      entries: entries.map((e, i) => ({ userId: `U${i}`, previous: null, ...e })),
      improved: [],
      notEnoughData: 0,
    },
    periods: 1,
    cadence: 'weekly',
    teamSize: 4,
    active: entries.length,
    team: { value: entries.reduce((sum, e) => sum + e.value, 0), previous: null },
    goal: null,
    trend: [],
    currency: 'USD',
    ...overrides,
  };
  return data;
}

const json = (value: unknown) => JSON.stringify(value);

describe('the board post', () => {
  const entries = [
    { name: 'Ana <script>', value: 10_000_00, rank: 1 },
    { name: 'Ben', value: 5_000_00, rank: 2 },
    { name: 'Cat', value: 5_000_00, rank: 2 },
    { name: 'Dan', value: 1_000_00, rank: 4 },
  ];

  it('lists the top with shared ranks, escaped plain names and no mentions', () => {
    const message = boardPostMessage(post({}, entries));
    const blocks = json(message.blocks);
    expect(blocks).toContain(':first_place_medal: Ana &lt;script&gt;: *$10,000*');
    expect(blocks).toContain(':second_place_medal: Cat: *$5,000*');
    expect(blocks).toContain('4. Dan: *$1,000*');
    expect(blocks).not.toMatch(/<[@!#]/);
    expect(message.text).toContain('Weekly board: Revenue, Mon 16 Nov 09:00 to Mon 23 Nov 09:00');
  });

  it('leaves the goal out when the channel has none, and shows progress when it has one', () => {
    expect(json(boardPostMessage(post({}, entries)).blocks)).not.toContain('goal');
    const withGoal = json(boardPostMessage(post({ goal: { target: 42_000_00, period: 'week' } }, entries)).blocks);
    expect(withGoal).toContain('*Team total:* $21,000');
    expect(withGoal).toContain("▰▰▰▰▰▱▱▱▱▱ 50% of the team's week goal of $42,000");
  });

  it('is kind about an empty week, and about a week where nobody public has anything', () => {
    const empty = json(boardPostMessage(post({ active: 0 })).blocks);
    expect(empty).toContain('No activity logged this week on revenue — a fresh start for the team');
    expect(json(boardPostMessage(post({ active: 0, teamSize: 1 })).blocks)).toContain('a fresh start for you');
    expect(json(boardPostMessage(post({ active: 2 })).blocks)).toContain(
      'Nobody to show on the public board this week',
    );
  });

  it('says when one post covers several missed periods', () => {
    expect(json(boardPostMessage(post({ periods: 3, cadence: 'daily' }, entries)).blocks)).toContain(
      '3 days in one post',
    );
    expect(json(boardPostMessage(post({ active: 0, cadence: 'daily' })).blocks)).toContain(
      'No activity logged since the last board on revenue',
    );
  });

  it('carries a position button whose value decodes back to the post’s windows', () => {
    const blocks = boardPostMessage(post({}, entries)).blocks;
    const actions = blocks.find((b) => b.type === 'actions') as { elements: { value: string; action_id: string }[] };
    const [button] = actions.elements;
    expect(button?.action_id).toBe('kpi_board_position');
    expect(decodePositionRef(button?.value ?? '')).toEqual({
      subscriptionId: 42,
      start: START,
      end: END,
      previousStart: PREVIOUS,
    });
    expect(encodePositionRef({ subscriptionId: 1, start: START, end: END, previousStart: PREVIOUS })).toBe(
      `1:${START.getTime()}:${END.getTime()}:${PREVIOUS.getTime()}`,
    );
    for (const bad of ['', '1:2:3', 'x:1:2:3', `1:${END.getTime()}:${START.getTime()}:0`, '1:-5:3:0']) {
      expect(decodePositionRef(bad)).toBeNull();
    }
  });

  it('answers the position privately, for someone hidden or with nothing yet', () => {
    const metric = getKpi('revenue');
    const hidden = positionMessage({
      metric,
      windowLabel: 'Mon 16 Nov 09:00 to Mon 23 Nov 09:00 (America/New_York)',
      position: { metric, rank: 2, of: 5, value: 7_000_00 },
      optedOut: true,
      currency: 'USD',
    });
    expect(hidden.text).toContain('*#2 of 5* with $7,000');
    expect(hidden.text).toContain('hidden from public boards');
    const none = positionMessage({ metric, windowLabel: 'x', position: null, optedOut: false, currency: 'USD' });
    expect(none.text).toContain('Nothing counts towards revenue for you on this board (x)');
  });

  it('prepares the chart: the public top as bars and the team trend', () => {
    const chart = boardPostChart(
      post(
        {
          trend: [
            { start: PREVIOUS, value: 9_000_00 },
            { start: START, value: 21_000_00 },
          ],
        },
        entries,
      ),
    );
    expect(chart.title).toBe('Revenue: Mon 16 Nov 09:00 to Mon 23 Nov 09:00 (America/New_York)');
    expect(chart.bars[0]).toMatchObject({ label: '1. Ana <script>', value: 10_000_00, display: '$10,000' });
    expect(chart.bars).toHaveLength(4);
    expect(chart.trendTitle).toBe('Team revenue, week by week');
    expect(chart.trend).toEqual([
      { label: '9 Nov', value: 9_000_00, display: '$9,000' },
      { label: '16 Nov', value: 21_000_00, display: '$21,000' },
    ]);
  });
});

describe('team figures', () => {
  it('adds up counts and sums, and computes a team ratio on the summed parts', () => {
    const ana = facts({ deal_won: { quantity: 2, amountCents: 1000 }, deal_lost: { quantity: 2, amountCents: 0 } });
    const ben = facts({ deal_won: { quantity: 1, amountCents: 500 }, call: { quantity: 30, amountCents: 0 } });
    const team = sumFacts([ana, ben]);
    expect(team.activities).toEqual({
      deal_won: { quantity: 3, amountCents: 1500 },
      deal_lost: { quantity: 2, amountCents: 0 },
      call: { quantity: 30, amountCents: 0 },
    });
    expect(team.repCount).toBe(2);
    const pair = (f: KpiFacts) => ({ current: f, previous: facts({}) });
    expect(teamFigure(getKpi('revenue'), false, [pair(ana), pair(ben)], 'current')).toBe(1500);
    // 3 won of 5 closed, not the average of 50% and 100%.
    expect(teamFigure(getKpi('win_rate'), false, [pair(ana), pair(ben)], 'current')).toBeCloseTo(0.6);
    expect(teamFigure(getKpi('revenue'), false, [], 'current')).toBe(0);
    expect(teamFigure(getKpi('win_rate'), false, [], 'current')).toBeNull();
  });

  it('averages scorecard scores, whose targets are per person', () => {
    const card = scorecardKpi([{ metric: 'calls', weight: 1, target: 100 }]);
    const pair = (calls: number) => ({
      current: facts({ call: { quantity: calls, amountCents: 0 } }),
      previous: facts({}),
    });
    expect(teamFigure(card, true, [pair(100), pair(50)], 'current')).toBe(75);
    expect(teamFigure(card, true, [], 'current')).toBeNull();
  });

  it('reads a scorecard as a KPI with its own key, so each scorecard loads its own inputs', () => {
    const a = scorecardKpi([{ metric: 'calls', weight: 1, target: 100 }]);
    const b = scorecardKpi([{ metric: 'meetings', weight: 1, target: 10 }]);
    expect(a.key).not.toBe(b.key);
    expect(a.formula).toContain('Calls ×1 (target 100)');
    expect(a.compute(facts({ call: { quantity: 300, amountCents: 0 } }))).toEqual({ status: 'ok', value: 150 });
  });
});
