import { describe, expect, it } from 'vitest';
import {
  FIELDS,
  parseScorecardLines,
  readContestForm,
  readMetadata,
  type StateValues,
} from '../../src/contests/contest-form.js';

const NOW = new Date('2026-11-18T15:00:00Z'); // Wed 18 Nov, 10:00 in New York
const NY = 'America/New_York';

/** Slack's `view.state.values`, each element's action id being its block's id. */
function values(fields: Partial<Record<keyof typeof FIELDS, object>>): StateValues {
  const base: Partial<Record<keyof typeof FIELDS, object>> = {
    name: { value: 'Demo dash' },
    metric: { selected_option: { value: 'demos' } },
    period: { selected_option: { value: 'week' } },
    ranking: { selected_option: { value: 'goal_percent' } },
    prize1: { value: 'Gold' },
    channel: { selected_conversation: 'C1' },
    ...fields,
  };
  return Object.fromEntries(
    Object.entries(base).map(([field, state]) => {
      const block = FIELDS[field as keyof typeof FIELDS];
      return [block, { [block]: state }];
    }),
  );
}

const read = (fields: Partial<Record<keyof typeof FIELDS, object>>) =>
  readContestForm(values(fields), { now: NOW, timezone: NY });

describe('reading the new-contest form', () => {
  it('reads "this week" as from now to the end of the local week', () => {
    const result = read({});
    expect(result.ok && result.draft).toMatchObject({
      name: 'Demo dash',
      metric: 'demos',
      ranking: 'goal_percent',
      startsAt: new Date('2026-11-18T15:00:00Z'),
      endsAt: new Date('2026-11-23T05:00:00Z'),
      prizes: { kind: 'top', places: ['Gold'] },
      participants: null,
      channelId: 'C1',
    });
  });

  it('reads a threshold prize, and money thresholds in cents when ranking raw revenue', () => {
    const result = read({
      metric: { selected_option: { value: 'revenue' } },
      ranking: { selected_option: { value: 'raw' } },
      prize1: { value: '' },
      thresholdScore: { value: '20,000' },
      thresholdPrize: { value: 'The Q4 bonus' },
      minScore: { value: '5000' },
    });
    expect(result.ok && result.draft).toMatchObject({
      prizes: { kind: 'threshold', score: 2_000_000, prize: 'The Q4 bonus' },
      minScore: 500_000,
    });
  });

  it('refuses both kinds of prize, a metric and a scorecard together, and places out of order', () => {
    const both = read({ thresholdScore: { value: '100' }, thresholdPrize: { value: 'Bonus' } });
    expect(!both.ok && both.errors[FIELDS.thresholdScore]).toMatch(/not both/);
    const twice = read({ scorecard: { value: 'demos 1 10' } });
    expect(!twice.ok && twice.errors[FIELDS.scorecard]).toMatch(/not both/);
    const gap = read({ prize1: { value: 'Gold' }, prize3: { value: 'Bronze' } });
    expect(!gap.ok && gap.errors[FIELDS.prize2]).toMatch(/in order/);
  });

  it('refuses a window that is already over, and one longer than a year', () => {
    const over = read({
      period: { selected_option: { value: 'dates' } },
      startDate: { selected_date: '2026-11-02' },
      endDate: { selected_date: '2026-11-06' },
    });
    expect(!over.ok && over.errors[FIELDS.endDate]).toMatch(/already be over/);
    const long = read({
      period: { selected_option: { value: 'dates' } },
      startDate: { selected_date: '2026-11-20' },
      endDate: { selected_date: '2028-01-01' },
    });
    expect(!long.ok && long.errors[FIELDS.endDate]).toMatch(/at most 366 days/);
  });

  it('asks which was meant when a period and dates are both chosen', () => {
    const both = read({ startDate: { selected_date: '2026-11-20' }, endDate: { selected_date: '2026-11-27' } });
    expect(!both.ok && both.errors[FIELDS.period]).toMatch(/The dates below/);
  });

  it('names people when chosen, once each', () => {
    const result = read({ people: { selected_users: ['U1', 'U2', 'U1'] } });
    expect(result.ok && result.draft.participants).toEqual(['U1', 'U2']);
  });

  it('reads a weighted scorecard, one metric per line, with money targets', () => {
    expect(parseScorecardLines('demos 2 10\nrevenue 1 $20k')).toEqual({
      ok: true,
      weights: [
        { metric: 'demos', weight: 2, target: 10 },
        { metric: 'revenue', weight: 1, target: 2_000_000 },
      ],
    });
    expect(parseScorecardLines('demos 2')).toMatchObject({ ok: false });
    expect(parseScorecardLines('happiness 1 10')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/isn't a metric/),
    });
    expect(parseScorecardLines('demos 1 10\ndemos 2 5')).toMatchObject({
      ok: false,
      error: 'Each metric may appear once.',
    });
  });

  it('reads the metadata the modal carries, and refuses anything else', () => {
    expect(readMetadata('{"key":"123.4.ab","timezone":"Mars/Olympus"}')).toEqual({ key: '123.4.ab', timezone: 'UTC' });
    expect(readMetadata('not json')).toBeNull();
    expect(readMetadata('{"timezone":"UTC"}')).toBeNull();
  });
});
