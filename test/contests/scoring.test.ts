import { describe, expect, it } from 'vitest';
import { CONTEST_EXPLANATION } from '../../src/contests/explain.js';
import {
  type ContestRules,
  canWin,
  type Entrant,
  fillGoals,
  goalForWindow,
  nextPrize,
  publicTop,
  rankContest,
  scorecardScore,
  winners,
} from '../../src/contests/scoring.js';
import type { Goal } from '../../src/goals/goals.repository.js';

const e = (userId: string, value: number, goal: number | null = null, pub = true): Entrant => ({
  userId,
  name: userId,
  public: pub,
  value,
  goal,
});

const top3: ContestRules = {
  mode: 'raw',
  prizes: { kind: 'top', places: ['Gold', 'Silver', 'Bronze'] },
  minScore: null,
};

describe('contest ranking', () => {
  it('ranks by percent of each rep’s own goal, so a small territory competes on equal terms', () => {
    // Ana sold 30 of a 20 goal (150%); Ben 60 of a 100 goal (60%). Raw, Ben would win.
    const entrants = [e('Ana', 30, 20), e('Ben', 60, 100)];
    const byGoal = rankContest(entrants, { ...top3, mode: 'goal_percent' });
    expect(byGoal.map((s) => [s.userId, s.rank, s.score])).toEqual([
      ['Ana', 1, 150],
      ['Ben', 2, 60],
    ]);
    const raw = rankContest(entrants, top3);
    expect(raw.map((s) => s.userId)).toEqual(['Ben', 'Ana']);
  });

  it('lets ties share a place and its prize (1, 2, 2, 4)', () => {
    const standings = rankContest([e('A', 9), e('B', 5), e('C', 5), e('D', 2)], top3);
    expect(standings.map((s) => [s.userId, s.rank, s.prize])).toEqual([
      ['A', 1, 'Gold'],
      ['B', 2, 'Silver'],
      ['C', 2, 'Silver'],
      ['D', 4, null],
    ]);
  });

  it('crowns nobody at zero and nobody below the minimum score', () => {
    const standings = rankContest([e('A', 40), e('B', 10), e('C', 0)], { ...top3, minScore: 20 });
    expect(winners(standings).map((s) => s.userId)).toEqual(['A']);
    expect(winners(rankContest([e('A', 0), e('B', 0)], top3))).toEqual([]);
    expect(canWin(0, null)).toBe(false);
  });

  it('gives a threshold prize to everyone at or above it', () => {
    const rules: ContestRules = {
      mode: 'goal_percent',
      prizes: { kind: 'threshold', score: 100, prize: 'Q4 bonus' },
      minScore: null,
    };
    const standings = rankContest([e('A', 12, 10), e('B', 10, 10), e('C', 8, 10)], rules);
    expect(winners(standings).map((s) => s.userId)).toEqual(['A', 'B']);
    // C has 8 of 10 demos: 2 demos (20 points of goal) to go.
    expect(nextPrize(standings, 'C', rules)).toEqual({ prize: 'Q4 bonus', scoreGap: 20, valueGap: 2 });
    expect(nextPrize(standings, 'A', rules)).toBeNull();
  });

  it('tells someone outside the prize places what it takes to tie the last one', () => {
    const standings = rankContest([e('A', 9), e('B', 7), e('C', 5), e('D', 2)], top3);
    expect(nextPrize(standings, 'D', top3)).toEqual({ prize: 'Bronze', scoreGap: 3, valueGap: 3 });
  });

  it('shows only the top half of the field publicly, without opted-out or zero people', () => {
    const standings = rankContest(
      [e('A', 9), e('B', 7, null, false), e('C', 5), e('D', 4), e('E', 3), e('F', 0)],
      top3,
    );
    // Six people: at most three places shown; B opted out keeps place 2 but is not named.
    expect(publicTop(standings).map((s) => [s.userId, s.rank])).toEqual([
      ['A', 1],
      ['C', 3],
    ]);
  });
});

describe('goals for a contest', () => {
  it('measures people with no goal against the median goal, and ranks raw when nobody has one', () => {
    const filled = fillGoals(
      new Map<string, number | null>([
        ['A', 10],
        ['B', 30],
        ['C', null],
      ]),
    );
    expect(filled.mode).toBe('goal_percent');
    expect(filled.goals.get('C')).toBe(20);
    const none = fillGoals(new Map<string, number | null>([['A', null]]));
    expect(none.mode).toBe('raw');
  });

  it('scales a weekly goal to a two-week contest by working days', () => {
    const goal = {
      id: 1,
      workspaceId: 'T',
      userId: 'U',
      channelId: null,
      metric: 'demos',
      target: 10,
      period: 'week',
      startsOn: null,
      endsOn: null,
      setBy: 'U',
      suggestedTarget: null,
      createdAt: new Date(),
      archivedAt: null,
    } satisfies Goal;
    // Mon 16 Nov to Mon 30 Nov 2026 (New York): ten working days, two weeks of five.
    const target = goalForWindow(
      [goal],
      { start: new Date('2026-11-16T05:00:00Z'), end: new Date('2026-11-30T05:00:00Z') },
      'America/New_York',
    );
    expect(target).toBeCloseTo(20);
    // A holiday in the contest makes the share smaller.
    const withHoliday = goalForWindow(
      [goal],
      { start: new Date('2026-11-16T05:00:00Z'), end: new Date('2026-11-30T05:00:00Z') },
      'America/New_York',
      ['2026-11-26'],
    );
    expect(withHoliday).toBeCloseTo(18);
  });
});

describe('weighted scorecard contests', () => {
  it('scores each metric’s share of target, weighted, and uses the rep’s own goal as the target where set', () => {
    const weights = [
      { metric: 'demos', weight: 3, target: 10 },
      { metric: 'calls', weight: 1, target: 100 },
    ];
    const values: Record<string, number> = { demos: 5, calls: 100 };
    // demos 50% × 3/4 + calls 100% × 1/4 = 37.5 + 25.
    expect(scorecardScore(weights, (m) => values[m] ?? null)).toBeCloseTo(62.5);
    expect(scorecardScore(weights, (m) => values[m] ?? null, new Map([['demos', 5]]))).toBeCloseTo(100);
  });
});

describe('the contest explanation', () => {
  it('states the rules the scoring applies', () => {
    for (const rule of [
      'Percent of your own goal',
      'median goal',
      'capped at 150%',
      'Quality gates',
      '1, 2, 2, 4',
      '09:00',
    ]) {
      expect(CONTEST_EXPLANATION).toContain(rule);
    }
  });
});
