import { describe, expect, it } from 'vitest';
import { findKpi } from '../../../src/kpi/catalogue.js';
import { helpText, parseKpiCommand, SUBCOMMANDS, USAGE } from '../../../src/slack/subcommands/registry.js';

const ctx = { now: new Date('2026-11-18T19:00:00Z'), timezone: 'America/New_York', findMetric: findKpi };

/** One text for each kind of command a parser returns, whichever subcommand parses it. */
const ONE_OF_EACH = [
  'help',
  'log calls 3',
  'undo',
  'me',
  'board',
  'board kudos',
  'board subscribe calls',
  'board unsubscribe',
  'boards',
  'explain calls',
  'explain points',
  'explain crm',
  'privacy',
  'privacy export',
  'privacy forget <@U2>',
  'crm',
  'kudos <@U2> for the demo',
  'recognition',
  'nudges',
  'contest',
  'goal meetings 12',
  'goals',
  'role <@U2> manager',
  'team',
  'audit',
];

describe('the /kpi subcommand registry', () => {
  it('gives each word to one subcommand only', () => {
    const words = SUBCOMMANDS.flatMap((s) => [s.name, ...s.aliases]);
    expect(new Set(words).size).toBe(words.length);
  });

  it('has exactly one runner for each command type', () => {
    const types = SUBCOMMANDS.flatMap((s) => s.runs);
    expect(new Set(types).size).toBe(types.length);
    for (const text of ONE_OF_EACH) {
      const parsed = parseKpiCommand(text, ctx);
      if (!parsed.ok) throw new Error(`${text}: ${parsed.error}`);
      expect(types, text).toContain(parsed.command.type);
    }
    const parsedTypes = new Set(
      ONE_OF_EACH.map((text) => {
        const parsed = parseKpiCommand(text, ctx);
        return parsed.ok ? parsed.command.type : 'invalid';
      }),
    );
    expect([...parsedTypes].sort()).toEqual([...types].sort());
  });

  it('builds the help from each subcommand’s usage, and help topics from their names', () => {
    for (const s of SUBCOMMANDS) {
      if (s.usage !== null) expect(helpText()).toContain(s.usage);
      if (s.name === 'help') continue;
      const topic = s.helpTopic ?? s.name;
      expect(parseKpiCommand(`help ${s.name}`, ctx)).toEqual({ ok: true, command: { type: 'help', topic } });
      expect(USAGE[topic]).toBeDefined();
    }
  });
});
