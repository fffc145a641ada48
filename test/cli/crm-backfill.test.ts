import { describe, expect, it } from 'vitest';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, runCli } from '../../src/cli/kpi-bot.js';
import type { BackfillReporter, BackfillRun } from '../../src/integrations/backfill/contract.js';
import { type MemoryBackfills, memoryBackfills } from '../support/memory-backfills.js';

/**
 * `kpi-bot crm backfill` with the engine behind the contract: the arguments it refuses, the bar on
 * a terminal and the lines elsewhere, fed by the engine's reports, and the exit code of the end.
 */

const NOW = new Date('2026-11-18T15:00:00Z');
const ENV = { SLACK_BOT_TOKEN: 'xoxb-cli', SLACK_SIGNING_SECRET: 'secret', LOG_LEVEL: 'silent' };

type Drive = NonNullable<Parameters<typeof memoryBackfills>[0]['drive']>;

/** The engine's reports of a run: two pages of deals, one of leads, two of activities. */
function pages(end: 'done' | 'failed'): (reporter: BackfillReporter) => Drive {
  return (reporter) => async (run, update) => {
    const steps: Partial<BackfillRun>[] = [
      { read: { deals: 200, leads: 0, activities: 0 }, estimated: { deals: 400, leads: null, activities: null } },
      { read: { deals: 400, leads: 0, activities: 0 } },
      {
        stage: 'leads',
        read: { deals: 400, leads: 100, activities: 0 },
        estimated: { deals: 400, leads: 100, activities: null },
      },
      {
        stage: 'activities',
        read: { deals: 400, leads: 100, activities: 200 },
        estimated: { deals: 400, leads: 100, activities: 400 },
      },
    ];
    for (const step of steps) await reporter.report(update(step));
    await reporter.report(
      end === 'done'
        ? update({ status: 'done', read: { deals: 400, leads: 100, activities: 400 }, finishedAt: NOW })
        : update({ status: 'failed', error: 'HubSpot refused the access token', finishedAt: NOW }),
    );
    expect(run.requestedBy).toBeNull();
  };
}

interface CliOptions {
  isTTY?: boolean;
  end?: 'done' | 'failed';
  connected?: boolean;
  /** The bot already has a run going in its own process, which ends a little later. */
  elsewhere?: boolean;
}

async function cli(argv: string[], o: CliOptions = {}) {
  let stdout = '';
  let stderr = '';
  let closed = 0;
  let engine: MemoryBackfills | undefined;
  const code = await runCli(['crm', ...argv], {
    jobs: [],
    env: ENV,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    now: () => NOW,
    isTTY: o.isTTY ?? false,
    pollMs: 10,
    openBackfills: async (_config, reporter) => {
      const connected = o.connected === false ? [] : (['hubspot'] as const);
      if (o.elsewhere) {
        const bot = memoryBackfills({ connected, now: () => NOW });
        const { run } = await bot.start({
          workspaceId: 'T1',
          source: 'hubspot',
          window: { since: NOW, until: NOW },
          requestedBy: 'UBOSS',
        });
        setTimeout(() => bot.update(run.id, { status: 'done', finishedAt: NOW }), 50);
        engine = bot;
      } else {
        engine = memoryBackfills({ connected, now: () => NOW, drive: pages(o.end ?? 'done')(reporter) });
      }
      return { backfills: engine, close: async () => void closed++ };
    },
  });
  return { code, stdout, stderr, closed, requests: engine?.requests ?? [] };
}

describe('kpi-bot crm backfill', () => {
  it('reads 90 days by default and prints a line per report, then exits 0', async () => {
    const { code, stdout, stderr, closed, requests } = await cli(['backfill', 'hubspot', '--workspace', 'T1']);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    expect(closed).toBe(1);
    expect(requests).toEqual([
      {
        workspaceId: 'T1',
        source: 'hubspot',
        window: { since: new Date('2026-08-20T15:00:00Z'), until: NOW },
        requestedBy: null,
      },
    ]);
    // Not a terminal: the first report and the end (the clock stands still, so the rest are throttled).
    expect(stdout).toBe(
      'Backfilling HubSpot into T1 since 2026-08-20…\n' +
        'HubSpot: 200 of ~400 deals\n' +
        'HubSpot: done: 400 deals, 100 leads, 400 activities read in 1 s.\n',
    );
  });

  it('draws a bar in place on a terminal, ending on a line of its own', async () => {
    const { code, stdout } = await cli(['backfill', 'hubspot', '--workspace', 'T1', '--since', '2026-09-01'], {
      isTTY: true,
    });
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('since 2026-09-01');
    expect(stdout).toContain('\r[####--------------------]  16% HubSpot: 200 of ~400 deals\x1b[K');
    expect(
      stdout.endsWith(
        '\r[########################] 100% HubSpot: done: 400 deals, 100 leads, 400 activities read in 1 s.\x1b[K\n',
      ),
    ).toBe(true);
  });

  it('follows a run the bot has going elsewhere until it ends', async () => {
    const { code, stdout } = await cli(['backfill', 'hubspot', '--workspace', 'T1'], { elsewhere: true });
    expect(code).toBe(EXIT_OK);
    expect(stdout).toContain('One was already running (since 2026-11-18); following it instead.\n');
    expect(stdout).toContain('HubSpot: 0 deals so far\n');
    expect(stdout.endsWith('HubSpot: done: 0 deals, 0 leads, 0 activities read in 1 s.\n')).toBe(true);
  });

  it('exits 1 with the reason when the run stops', async () => {
    const { code, stderr } = await cli(['backfill', 'hubspot', '--workspace', 'T1'], { end: 'failed' });
    expect(code).toBe(EXIT_FAILED);
    expect(stderr).toBe(
      'The HubSpot backfill stopped: HubSpot refused the access token. Run the same command to go on.\n',
    );
  });

  it('exits 1 with the reason when the CRM is not connected', async () => {
    const { code, stderr, closed } = await cli(['backfill', 'hubspot', '--workspace', 'T1'], { connected: false });
    expect(code).toBe(EXIT_FAILED);
    expect(stderr).toContain('HubSpot is not connected to this workspace');
    expect(closed).toBe(1);
  });

  it('refuses what it cannot use, opening nothing', async () => {
    const cases: [string[], string][] = [
      [['backfill', 'hubspot'], '--workspace needs a team id'],
      [['backfill', 'generic', '--workspace', 'T1'], 'Name the CRM to read: hubspot, salesforce, pipedrive'],
      [['backfill', 'hubspot', '--workspace', 'T1', '--since', '2026-02-30'], "--since: 2026-02-30 isn't a date"],
      [['backfill', 'hubspot', '--workspace', 'T1', '--since', '2027-01-01'], '2027-01-01 is in the future'],
      [['backfill', 'hubspot', '--workspace', 'T1', '--since', '2025-01-01'], 'at most a year back'],
      [['backfill', 'hubspot', '--workspace', 'T1', '--until', 'x'], "Unknown option '--until'"],
    ];
    for (const [argv, says] of cases) {
      const { code, stderr, closed } = await cli(argv);
      expect(code, argv.join(' ')).toBe(EXIT_USAGE);
      expect(stderr, argv.join(' ')).toContain(says);
      expect(closed).toBe(0);
    }
  });
});
