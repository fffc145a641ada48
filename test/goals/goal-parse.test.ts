import { describe, expect, it } from 'vitest';
import { findKpi } from '../../src/kpi/catalogue.js';
import { type KpiCommand, parseKpiCommand, USAGE } from '../../src/slack/subcommands/registry.js';
import type { ParseContext } from '../../src/slack/subcommands/words.js';

const ctx: ParseContext = {
  // Wednesday 18 November 2026, 14:00 in New York.
  now: new Date('2026-11-18T19:00:00Z'),
  timezone: 'America/New_York',
  findMetric: findKpi,
};

function command(text: string): KpiCommand {
  const result = parseKpiCommand(text, ctx);
  if (!result.ok) throw new Error(`${text}: ${result.error}`);
  return result.command;
}

function error(text: string): string {
  const result = parseKpiCommand(text, ctx);
  if (result.ok) throw new Error(`${text} parsed as ${JSON.stringify(result.command)}`);
  return result.error;
}

const self = { kind: 'self' } as const;

describe('/kpi goal', () => {
  it.each<[string, KpiCommand]>([
    [
      'goal meetings 12',
      { type: 'goal', action: 'set', metric: 'meetings', target: 12, period: { period: 'week' }, subject: self },
    ],
    [
      'goal revenue $12.5k month',
      { type: 'goal', action: 'set', metric: 'revenue', target: 12_500_00, period: { period: 'month' }, subject: self },
    ],
    [
      'goal deals won 3 this quarter',
      { type: 'goal', action: 'set', metric: 'deals_won', target: 3, period: { period: 'quarter' }, subject: self },
    ],
    [
      'goal revenue 50000 weekly',
      { type: 'goal', action: 'set', metric: 'revenue', target: 50_000_00, period: { period: 'week' }, subject: self },
    ],
    [
      'goal follow ups 40 2026-12-01 to 2026-12-31',
      {
        type: 'goal',
        action: 'set',
        metric: 'follow_ups',
        target: 40,
        period: { period: 'custom', startsOn: '2026-12-01', endsOn: '2026-12-31' },
        subject: self,
      },
    ],
    [
      'goal calls 200 nov 16 to nov 30',
      {
        type: 'goal',
        action: 'set',
        metric: 'calls',
        target: 200,
        period: { period: 'custom', startsOn: '2026-11-16', endsOn: '2026-11-30' },
        subject: self,
      },
    ],
    [
      'goal meetings 8 for <@U0REP|ana>',
      {
        type: 'goal',
        action: 'set',
        metric: 'meetings',
        target: 8,
        period: { period: 'week' },
        subject: { kind: 'user', userId: 'U0REP' },
      },
    ],
    [
      'goal demos 20 month for <#C0SALES|sales>',
      {
        type: 'goal',
        action: 'set',
        metric: 'demos',
        target: 20,
        period: { period: 'month' },
        subject: { kind: 'channel', channelId: 'C0SALES' },
      },
    ],
    [
      'goal meetings',
      { type: 'goal', action: 'suggest', metric: 'meetings', period: { period: 'week' }, subject: self },
    ],
    [
      'goal revenue month',
      { type: 'goal', action: 'suggest', metric: 'revenue', period: { period: 'month' }, subject: self },
    ],
    [
      'goal remove calls month for <@U0REP>',
      {
        type: 'goal',
        action: 'remove',
        metric: 'calls',
        period: { period: 'month' },
        subject: { kind: 'user', userId: 'U0REP' },
      },
    ],
  ])('%s', (text, expected) => {
    expect(command(text)).toEqual(expected);
  });

  it('refuses ratios with an explanation and points at metrics that can be goals', () => {
    expect(error('goal win rate 30')).toMatch(/Win rate isn't a total .* can't be a goal.*e\.g\. revenue/);
    expect(error('goal average deal size $5k')).toMatch(/Average deal size isn't a total/);
  });

  it('refuses bad targets, periods and subjects with a clear reason and the usage', () => {
    expect(parseKpiCommand('goal calls -5', ctx)).toMatchObject({ ok: false, usage: USAGE.goal });
    expect(error('goal calls -5')).toMatch(/can't be negative/);
    expect(error('goal revenue 12,50')).toMatch(/isn't a number I can read/);
    expect(error('goal calls 12 fortnight')).toMatch(/isn't a goal period/);
    expect(error('goal calls 12 2026-10-01 to 2026-10-31')).toMatch(/already ended/);
    expect(error('goal calls 12 2026-12-31 to 2026-12-01')).toMatch(/starts after it ends/);
    expect(error('goal calls 12 for ana')).toMatch(/Mention them with @/);
    expect(error('goal calls 12 <@U0REP>')).toMatch(/with “for”/);
    expect(error('goal pizza 3')).toMatch(/I don't know a metric called “pizza”/);
    expect(error('goal')).toMatch(/Which metric/);
    expect(error('goal calls nov 16 to nov 30')).toBe(
      'Put the target right after the metric, then the period, e.g. `/kpi goal calls 12 2026-12-01 to 2026-12-31`.',
    );
  });

  it('never echoes a broadcast or markup back', () => {
    const message = error('goal <!channel> 12');
    expect(message).not.toMatch(/@channel|<!/);
  });
});

describe('/kpi goals, role, team, audit', () => {
  it('reads who is named', () => {
    expect(command('goals')).toEqual({ type: 'goals', userId: null });
    expect(command('goals <@U0REP|ana>')).toEqual({ type: 'goals', userId: 'U0REP' });
    expect(command('role <@U0ANA|ana> manager')).toEqual({ type: 'role', userId: 'U0ANA', role: 'manager' });
    expect(command('role <@U0ANA> Admins')).toEqual({ type: 'role', userId: 'U0ANA', role: 'admin' });
    expect(command('team')).toEqual({ type: 'team', action: 'show' });
    expect(command('team add <@U0A|a> <@U0B|b>')).toEqual({
      type: 'team',
      action: 'add',
      userIds: ['U0A', 'U0B'],
      managerId: null,
    });
    expect(command('team add <@U0A> to <@U0M|max>')).toEqual({
      type: 'team',
      action: 'add',
      userIds: ['U0A'],
      managerId: 'U0M',
    });
    expect(command('team remove <@U0A>')).toEqual({ type: 'team', action: 'remove', userIds: ['U0A'] });
    expect(command('audit')).toEqual({ type: 'audit' });
  });

  it('explains what is wrong', () => {
    expect(error('goals ana')).toMatch(/Mention them with @/);
    expect(error('role ana manager')).toMatch(/Say whose role/);
    expect(error('role <@U0ANA> boss')).toMatch(/rep, manager or admin/);
    expect(error('team add')).toMatch(/Say who/);
    expect(error('team add <@U0A> to')).toMatch(/Name the manager/);
    expect(error('team fire <@U0A>')).toMatch(/isn't a team command/);
    expect(error('audit everything')).toMatch(/takes nothing after it/);
  });
});

describe('/kpi explain rules', () => {
  it.each(['points', 'streaks', 'streak', 'badges', 'levels', 'ranking', 'leaderboard', 'goals', 'contests'])(
    '%s',
    (topic) => {
      expect(command(`explain ${topic}`)).toMatchObject({ type: 'rules' });
    },
  );

  it('still explains metrics', () => {
    expect(command('explain win rate')).toEqual({ type: 'explain', metric: 'win_rate' });
  });
});
