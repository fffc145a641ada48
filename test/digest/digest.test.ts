import { describe, expect, it } from 'vitest';
import { biggestMove, type DigestRep, digestAudience, summarizeTeam } from '../../src/digest/digest.js';
import { type ActivityTotals, activityFacts, type KpiFacts } from '../../src/kpi/facts.js';
import { digestMessage, NO_REPS_TEXT } from '../../src/slack/blocks/digest.blocks.js';
import { weekGoal } from '../coaching/fixtures.js';
import { validateBlocks } from '../support/fake-slack.js';

function facts(counts: Record<string, number>): KpiFacts {
  const activities: ActivityTotals = Object.fromEntries(
    Object.entries(counts).map(([kind, quantity]) => [kind, { quantity, amountCents: 0 }]),
  );
  return activityFacts(activities);
}

const rep = (name: string, change: Partial<DigestRep> = {}): DigestRep => ({
  userId: `U${name}`,
  displayName: name,
  goals: [],
  prompt: null,
  facts: null,
  ...change,
});

describe('digestAudience', () => {
  const people = [
    { userId: 'UA', managerId: 'UM' },
    { userId: 'UB', managerId: 'UM' },
    { userId: 'UC', managerId: 'UN' },
    { userId: 'UM', managerId: null },
    { userId: 'UADMIN', managerId: null },
  ];
  it('is the manager’s own reps', () => {
    expect(digestAudience({ userId: 'UM', isAdmin: false }, people)).toEqual({
      scope: 'team',
      reps: [people[0], people[1]],
    });
    expect(digestAudience({ userId: 'UM', isAdmin: true }, people).scope).toBe('team');
  });
  it('is the whole workspace for an admin with none, and nobody for a manager with none', () => {
    const admin = digestAudience({ userId: 'UADMIN', isAdmin: true }, people);
    expect(admin.scope).toBe('workspace');
    expect(admin.reps.map((p) => p.userId)).toEqual(['UA', 'UB', 'UC', 'UM']);
    expect(digestAudience({ userId: 'UX', isAdmin: false }, people)).toEqual({ scope: 'none', reps: [] });
  });
});

describe('summarizeTeam', () => {
  it('splits the team into ahead and behind pace, most ahead and most behind first', () => {
    const summary = summarizeTeam([
      rep('Ana', { goals: [weekGoal('calls', 50, 30)] }),
      rep('Ben', { goals: [weekGoal('calls', 50, 5), weekGoal('emails', 10, 10)] }),
      rep('Cat', { goals: [weekGoal('calls', 10, 12)] }),
      rep('Dan', { goals: [weekGoal('calls', 50, 15)] }),
      rep('Eve'),
    ]);
    expect(summary.ahead.map((s) => s.name)).toEqual(['Cat', 'Ana']);
    expect(summary.behind.map((s) => [s.name, s.goal.def.key])).toEqual([
      ['Ben', 'calls'],
      ['Dan', 'calls'],
    ]);
    expect(summary.withoutGoals).toEqual(['Eve']);
  });

  it('judges nobody behind before a full working day of the window has passed', () => {
    const mondayMorning = new Date('2026-11-23T14:00:00Z');
    const summary = summarizeTeam([
      rep('Ana', { goals: [weekGoal('calls', 50, 1, mondayMorning)] }),
      rep('Ben', { goals: [weekGoal('calls', 10, 10, mondayMorning)] }),
    ]);
    expect(summary.behind).toEqual([]);
    expect(summary.ahead.map((s) => s.name)).toEqual(['Ben']);
  });

  it('turns each rep’s prompt into a 1:1 topic', () => {
    const prompt = { rule: 'low_pass', kpiKey: 'pass_rate', text: 'x' };
    expect(summarizeTeam([rep('Ana', { prompt })]).topics).toEqual([
      { name: 'Ana', topic: 'pass rate under 11 per 100' },
    ]);
  });
});

describe('biggestMove', () => {
  it('is the team KPI with the largest relative change, summed over reps', () => {
    const move = biggestMove([
      rep('Ana', { facts: { current: facts({ call: 30, email: 10 }), previous: facts({ call: 20, email: 10 }) } }),
      rep('Ben', { facts: { current: facts({ call: 10, email: 10 }), previous: facts({ call: 20, email: 5 }) } }),
    ]);
    // Calls 40 → 40: no change; emails 15 → 20: +33%.
    expect(move).toMatchObject({ from: 15, to: 20, improved: true });
    expect(move?.def.key).toBe('emails');
  });
  it('is null without data in both weeks', () => {
    expect(biggestMove([rep('Ana')])).toBeNull();
    expect(biggestMove([rep('Ana', { facts: { current: facts({ call: 3 }), previous: facts({}) } })])).toBeNull();
  });
});

describe('digestMessage', () => {
  it('is valid Block Kit, lists names plainly and says it is private', () => {
    const summary = summarizeTeam([
      rep('Ana', { goals: [weekGoal('calls', 50, 30)] }),
      rep('Ben', { goals: [weekGoal('calls', 50, 5)] }),
    ]);
    const message = digestMessage({ weekLabel: '2026-W48', scope: 'team', summary, currency: 'USD' });
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('Only you see this.');
    expect(shown).toContain('• Ben: Calls 10% of 50, needs 15 a working day');
    expect(shown).not.toContain('<@');
    expect(message.text).toBe('Your team digest (2026-W48): 1 ahead, 1 behind pace.');
  });
  it('tells a manager without reps how to add them', () => {
    const message = digestMessage({
      weekLabel: '2026-W48',
      scope: 'none',
      summary: summarizeTeam([]),
      currency: 'USD',
    });
    expect(message.text).toBe(NO_REPS_TEXT);
    expect(validateBlocks(message.blocks, '/blocks', 50)).toEqual([]);
  });
});
