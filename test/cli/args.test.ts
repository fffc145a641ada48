import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.js';

const JOBS = ['weekly-boards', 'nudges'];
const parse = (...argv: string[]) => parseCliArgs(argv, JOBS);
const error = (...argv: string[]) => {
  const result = parse(...argv);
  if (result.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return result.error;
};

/** A run with every option left at its default. */
const RUN = { type: 'run', job: 'nudges', now: null, workspaceId: null, waitSeconds: 60, dryRun: null } as const;

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
      command: { ...RUN, job: 'nudges', now: new Date('2026-11-30T14:00:00Z'), workspaceId: 'T123' },
    });
    expect(parse('jobs', 'run', 'nudges', '--now=2026-11-30T09:00Z')).toEqual({
      ok: true,
      command: { ...RUN, job: 'nudges', now: new Date('2026-11-30T09:00:00Z') },
    });
    expect(parse('jobs', 'run', 'weekly-boards')).toEqual({
      ok: true,
      command: { ...RUN, job: 'weekly-boards' },
    });
  });

  it('reads --wait, and --dry-run with the folder for its charts', () => {
    expect(parse('jobs', 'run', 'nudges', '--wait', '120')).toEqual({
      ok: true,
      command: { ...RUN, waitSeconds: 120 },
    });
    expect(parse('jobs', 'run', 'nudges', '--dry-run')).toEqual({
      ok: true,
      command: { ...RUN, dryRun: { chartsDir: 'kpi-bot-preview' } },
    });
    expect(parse('jobs', 'run', 'nudges', '--dry-run', '--out', 'out/monday')).toEqual({
      ok: true,
      command: { ...RUN, dryRun: { chartsDir: 'out/monday' } },
    });
    expect(error('jobs', 'run', 'nudges', '--wait', 'long')).toBe(
      '--wait "long" is not a number of seconds, e.g. --wait 120.',
    );
    expect(error('jobs', 'run', 'nudges', '--dry-run', '--wait', '5')).toBe('--dry-run sends nothing to wait for.');
    expect(error('jobs', 'run', 'nudges', '--out', 'x')).toBe('--out goes with --dry-run.');
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
