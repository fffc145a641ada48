import { describe, expect, it } from 'vitest';
import type { Contest } from '../../src/contests/contest.js';
import { progressText } from '../../src/contests/contest-lines.js';
import { rankContest } from '../../src/contests/scoring.js';
import { getKpi } from '../../src/kpi/catalogue.js';
import {
  cancelledPost,
  contestListMessage,
  resultPost,
  standingsPost,
  startPost,
} from '../../src/slack/blocks/contest.blocks.js';
import { LIMITS, validateBlocks } from '../support/fake-slack.js';

const contest: Contest = {
  id: 7,
  workspaceId: 'T1',
  name: 'Demo <dash> & co',
  metric: 'demos',
  scorecard: null,
  ranking: 'goal_percent',
  startsAt: new Date('2026-11-16T05:00:00Z'),
  endsAt: new Date('2026-11-21T05:00:00Z'),
  timezone: 'America/New_York',
  channelId: 'CSALES',
  participants: null,
  prizes: { kind: 'top', places: ['Gold', 'Silver <3'] },
  minScore: 20,
  status: 'live',
  createdBy: 'UMGR',
  createdAt: new Date('2026-11-13T17:00:00Z'),
  result: null,
};

const rules = { mode: 'goal_percent' as const, prizes: contest.prizes, minScore: 20 };
const standings = rankContest(
  [
    { userId: 'UANA', name: 'Ana', public: true, value: 5, goal: 10 },
    { userId: 'UBEN', name: 'Ben', public: false, value: 3, goal: 4 },
    { userId: 'UCAT', name: 'Cat', public: true, value: 1, goal: 7 },
  ],
  rules,
);

/** Every post must be one Slack accepts: a text fallback and valid blocks. */
function expectValid(payload: { text: string; blocks?: unknown[] }) {
  expect(payload.text.length).toBeGreaterThan(0);
  expect(validateBlocks(payload.blocks, '/blocks', LIMITS.messageBlocks)).toEqual([]);
}

describe('contest posts', () => {
  it('announces the start with the rules and the prizes, user text escaped', () => {
    const post = startPost(contest, 'Ranked by percent of goal.', 'USD');
    expectValid(post);
    const text = JSON.stringify(post);
    expect(text).toContain('Gold');
    expect(text).toContain('Silver &lt;3');
    expect(text).toContain('Minimum to win: 20% of goal');
    expect(post.text).toContain('Demo &lt;dash&gt; &amp; co');
    expect(text).toContain('everyone in <#CSALES>');
  });

  it('shows standings with plain names and no mentions', () => {
    const top = standings.filter((s) => s.public && s.rank <= 2);
    const post = standingsPost(contest, top, 'goal_percent', 'Method.', 'USD', 'Tue 17 Nov');
    expectValid(post);
    expect(JSON.stringify(post)).toContain(':second_place_medal: Ana: *50% of goal* (5 demos)');
    expect(JSON.stringify(post)).not.toMatch(/<@/);
  });

  it('tags public winners with their prizes and counts private ones without naming them', () => {
    const winners = standings.filter((s) => s.prize !== null);
    const post = resultPost(contest, winners, 'goal_percent', 'Method.', 'USD');
    expectValid(post);
    const text = JSON.stringify(post);
    expect(text).toContain('<@UANA>');
    expect(text).toContain('wins Silver &lt;3');
    expect(text).not.toContain('UBEN');
    expect(text).toContain('1 more winner who keeps results private');
    const none = resultPost(contest, [], 'goal_percent', 'Method.', 'USD');
    expectValid(none);
    expect(none.text).toContain('No winner this time');
  });

  it('tells the channel when a contest is called off', () => {
    expectValid(cancelledPost(contest));
  });

  it('lists contests with the asker’s own place and progress', () => {
    const cat = standings.find((s) => s.userId === 'UCAT');
    if (!cat) throw new Error('no Cat');
    const next = progressText({ prize: 'Silver', scoreGap: 36, valueGap: 2.5 }, 'goal_percent', getKpi('demos'), 'USD');
    expect(next).toBe('3 demos to go for Silver');
    const message = contestListMessage(
      [{ contest, mine: { standing: cat, of: 3, mode: 'goal_percent', next } }],
      'USD',
      true,
    );
    expectValid(message);
    expect(JSON.stringify(message)).toContain('#3 of 3');
    expect(JSON.stringify(message)).toContain('3 demos to go for Silver');
  });
});
