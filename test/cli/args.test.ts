import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.js';

const JOBS = ['weekly-boards', 'nudges'];
const parse = (...argv: string[]) => parseCliArgs(argv, JOBS);
const error = (...argv: string[]) => {
  const result = parse(...argv);
  if (result.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return result.error;
};

describe('parseCliArgs', () => {
  it('reads jobs list and help', () => {
    expect(parse('jobs', 'list')).toEqual({ ok: true, command: { type: 'list' } });
    for (const argv of [[], ['--help'], ['-h'], ['help'], ['jobs', 'run', '--help']]) {
      expect(parse(...argv)).toEqual({ ok: true, command: { type: 'help' } });
    }
  });

  it('reads a run with its instant and workspace', () => {
    expect(parse('jobs', 'run', 'nudges', '--now', '2026-11-30T09:00:00-05:00', '--workspace', 'T123')).toEqual({
      ok: true,
      command: { type: 'run', job: 'nudges', now: new Date('2026-11-30T14:00:00Z'), workspaceId: 'T123' },
    });
    expect(parse('jobs', 'run', 'nudges', '--now=2026-11-30T09:00Z')).toEqual({
      ok: true,
      command: { type: 'run', job: 'nudges', now: new Date('2026-11-30T09:00:00Z'), workspaceId: null },
    });
    expect(parse('jobs', 'run', 'weekly-boards')).toEqual({
      ok: true,
      command: { type: 'run', job: 'weekly-boards', now: null, workspaceId: null },
    });
  });

  it('names the jobs when the job is unknown or missing', () => {
    expect(error('jobs', 'run', 'weekly-board')).toBe(
      'There is no job named "weekly-board". The jobs: weekly-boards, nudges.',
    );
    expect(error('jobs', 'run')).toBe('Which job? The jobs: weekly-boards, nudges.');
    expect(parseCliArgs(['jobs', 'run', 'x'], [])).toEqual({
      ok: false,
      error: 'There is no job named "x". No job is scheduled in this build.',
    });
  });

  it('says which format --now takes, and refuses a time without its offset', () => {
    for (const now of ['tomorrow', '2026-13-01T09:00:00Z', '2026-11-30T09:00:00', '2026-11-30']) {
      expect(error('jobs', 'run', 'nudges', '--now', now)).toBe(
        `--now "${now}" is not a time I can read: give an ISO 8601 time with its offset, e.g. 2026-11-30T09:00:00Z or 2026-11-30T09:00:00-05:00.`,
      );
    }
  });

  it('refuses unknown options, commands and stray arguments', () => {
    expect(error('jobs', 'run', 'nudges', '--force')).toMatch(/Unknown option '--force'/);
    expect(error('jobs', 'run', 'nudges', '--now')).toMatch(/--now/);
    expect(error('deploy')).toBe('Unknown command "deploy".');
    expect(error('jobs')).toBe('Say `jobs list` or `jobs run <job>`.');
    expect(error('jobs', 'start')).toBe('Unknown jobs command "start".');
    expect(error('jobs', 'run', 'nudges', 'extra')).toBe('Unexpected argument "extra".');
    expect(error('jobs', 'list', '--workspace', 'T1')).toBe('`jobs list` takes no arguments.');
    expect(error('jobs', 'run', 'nudges', '--workspace', ' ')).toBe('--workspace needs a team id, e.g. T0123ABCD.');
  });
});
