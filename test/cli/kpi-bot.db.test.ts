import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, openOpsApp, runCli } from '../../src/cli/kpi-bot.js';
import type { DatabaseHandle } from '../../src/db/client.js';
import { JOBS } from '../../src/jobs/catalog.js';
import type { JobOptions } from '../../src/jobs/job.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';

/** What the test jobs saw: the instant, the options and who Slack said the bot is. */
const seen = vi.hoisted(() => [] as { now: Date; options: JobOptions; team: string | undefined }[]);

// The app runs jobs from the catalogue, so the catalogue is what the test replaces.
/** The first bytes of a PNG: what a chart's file must hold. */
const PNG = vi.hoisted(() => Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64'));

vi.mock('../../src/jobs/catalog.js', async () => {
  const { enqueuePosts } = await import('../../src/delivery/outbox.repository.js');
  const jobs: import('../../src/jobs/job.js').JobDefinition[] = [
    {
      name: 'test-board',
      description: 'Posts a test board',
      cron: '0 9 * * 1',
      timezone: 'America/New_York',
      run: async (deps, now, options) => {
        const workspaceId = options.workspaceId ?? 'T-ALL';
        const slack = await deps.slackFor(workspaceId);
        const auth = slack ? await slack.auth.test() : undefined;
        seen.push({ now, options, team: auth?.team_id });
        const keys = await enqueuePosts(deps.db, [
          {
            workspaceId,
            key: `board:C1:${now.toISOString()}`,
            kind: 'board',
            target: 'C1',
            payload: {
              text: 'Board',
              chart: { filename: 'board.png', title: 'Revenue', altText: 'Bars', pngBase64: PNG },
            },
          },
        ]);
        return { enqueued: keys.length, 'already decided': 1 - keys.length };
      },
    },
    {
      name: 'test-broken',
      description: 'Always fails',
      cron: '* * * * *',
      timezone: 'UTC',
      run: async () => {
        throw new Error('the board query timed out');
      },
    },
  ];
  return { JOBS: jobs, findJob: (name: string) => jobs.find((j) => j.name === name) };
});

const TEAM = 'TCLI0001';
const TOKEN = 'xoxb-cli-test';
const CLOCK = new Date('2026-11-23T14:00:00Z');

describeDb('kpi-bot jobs (in process, real app, fake Slack)', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let closes = 0;

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addToken(TOKEN, { teamId: TEAM, botUserId: 'UBOT', botId: 'BBOT' });
    fake.addChannel({ id: 'C1', teamId: TEAM, members: ['UBOT'] });
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
    await fake.close();
  });
  beforeEach(() => {
    seen.length = 0;
    closes = 0;
  });

  const env = () => ({
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: 'secret',
    SLACK_API_URL: fake.apiUrl,
    LOG_LEVEL: 'silent',
  });

  async function cli(argv: string[], overrides: { env?: Record<string, string> } = {}) {
    let stdout = '';
    let stderr = '';
    let opened = 0;
    const files = new Map<string, Buffer>();
    const code = await runCli(argv, {
      jobs: JOBS,
      env: overrides.env ?? env(),
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      now: () => CLOCK,
      // The real app on the test database, which the test keeps open to look at afterwards.
      open: async (config) => {
        opened++;
        return openOpsApp(config, async () => ({ ...database, close: async () => void closes++ }));
      },
      writeFile: (path, bytes) => files.set(path, bytes),
    });
    return { code, stdout, stderr, opened, files };
  }

  const outboxKeys = async (workspaceId: string) =>
    (
      await database.db.query.outbox.findMany({
        where: (o, { eq }) => eq(o.workspaceId, workspaceId),
      })
    ).map((o) => o.key);

  it('lists the jobs with their schedule', async () => {
    const { code, stdout, opened } = await cli(['jobs', 'list']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toBe(
      'test-board   0 9 * * 1 (America/New_York)  Posts a test board\n' +
        'test-broken  * * * * * (UTC)  Always fails\n',
    );
    expect(opened).toBe(0);
  });

  it('runs a job once as of --now for one workspace, with that workspace’s Slack client, and prints its report', async () => {
    const { code, stdout, stderr } = await cli([
      'jobs',
      'run',
      'test-board',
      '--now',
      '2026-11-30T09:00:00-05:00',
      '--workspace',
      TEAM,
    ]);
    expect({ code, stderr }).toEqual({ code: EXIT_OK, stderr: '' });
    expect(seen).toEqual([{ now: new Date('2026-11-30T14:00:00Z'), options: { workspaceId: TEAM }, team: TEAM }]);
    expect(stdout).toBe(
      `Running test-board as of 2026-11-30T14:00:00.000Z for workspace ${TEAM}…\ntest-board: enqueued 1\n` +
        'Delivered 1 post.\n',
    );
    expect(await outboxKeys(TEAM)).toEqual(['board:C1:2026-11-30T14:00:00.000Z']);
    expect(closes).toBe(1);

    // Run again for the same instant: the job decides the same post, which is stored once.
    const again = await cli(['jobs', 'run', 'test-board', '--now', '2026-11-30T14:00:00Z', '--workspace', TEAM]);
    expect(again.stdout).toContain('test-board: already decided 1\n');
    expect(await outboxKeys(TEAM)).toHaveLength(1);
  });

  it('runs for every workspace at the wall-clock time without options', async () => {
    const { code, stdout } = await cli(['jobs', 'run', 'test-board']);
    expect(seen).toEqual([{ now: CLOCK, options: {}, team: undefined }]);
    expect(stdout).toContain('as of 2026-11-23T14:00:00.000Z for every workspace');
    // The test job posts in a workspace the bot is not installed in: a failed post is not "Delivered".
    expect(stdout).toContain('failed: board:C1:2026-11-23T14:00:00.000Z to C1: not_installed\n');
    expect(code).toBe(EXIT_FAILED);
  });

  const posted = () => fake.callsTo('chat.postMessage').filter((c) => c.ok).length;

  it('waits out a short Retry-After and says the post was delivered', async () => {
    fake.failNext('chat.postMessage', { retryAfter: 3 });
    const before = posted();
    const { code, stdout } = await cli([
      'jobs',
      'run',
      'test-board',
      '--now',
      '2026-12-01T09:00:00Z',
      '--workspace',
      TEAM,
    ]);
    expect(stdout).toMatch(/enqueued 1\nDelivered 1 post\.\n$/);
    expect(code).toBe(EXIT_OK);
    expect(posted()).toBe(before + 1);
  });

  it('does not say "Delivered." while a post waits for a retry: past --wait it names it and exits 1', async () => {
    // Every try within the bound fails, however long a loaded machine takes to get there.
    fake.failNext('chat.postMessage', { status: 503, times: 3 });
    const { code, stdout } = await cli([
      'jobs',
      'run',
      'test-board',
      '--now',
      '2026-12-02T09:00:00Z',
      '--workspace',
      TEAM,
      '--wait',
      '1',
    ]);
    expect(stdout).not.toContain('Delivered 1 post');
    expect({ code, stdout }).toMatchObject({ code: EXIT_FAILED });
    expect(stdout).toMatch(
      /Delivered 0 of 1 post\.\n {2}still pending after 1 s: board:C1:2026-12-02T09:00:00\.000Z to C1, next try at \S+Z \(last error: http_503\)\n/,
    );
  });

  it('previews with --dry-run: prints the posts, writes the charts, and writes nothing else', async () => {
    const calls = fake.callsTo('chat.postMessage').length;
    const at = '2026-12-07T09:00:00-05:00';
    const { code, stdout, files } = await cli([
      'jobs',
      'run',
      'test-board',
      '--dry-run',
      '--now',
      at,
      '--workspace',
      TEAM,
      '--out',
      'preview',
    ]);
    expect(code).toBe(EXIT_OK);
    const key = 'board:C1:2026-12-07T14:00:00.000Z';
    expect(stdout).toContain(`test-board: enqueued 1\nIt would post 1 message:\n\nboard to C1 (${key}):\n  Board\n`);
    const file = 'preview/board_C1_2026-12-07T14_00_00_000Z.png';
    expect(stdout).toContain(`chart "Revenue": ${file}`);
    expect(files.get(file)?.toString('base64')).toBe(PNG);
    // Nothing recorded: the real run at that instant still decides (and sends) the post.
    expect(await outboxKeys(TEAM)).not.toContain(key);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(calls);
    const real = await cli(['jobs', 'run', 'test-board', '--now', at, '--workspace', TEAM]);
    expect(real.stdout).toContain('test-board: enqueued 1\nDelivered');
    expect(await outboxKeys(TEAM)).toContain(key);
  });

  it('exits 1 with the reason when the job fails, and still closes the database', async () => {
    const { code, stderr } = await cli(['jobs', 'run', 'test-broken']);
    expect(code).toBe(EXIT_FAILED);
    expect(stderr).toBe('test-broken failed: the board query timed out\n');
    expect(closes).toBe(1);
  });

  it('exits 2 and names the jobs for an unknown job, without opening anything', async () => {
    const { code, stderr, opened } = await cli(['jobs', 'run', 'weekly-boards']);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain('There is no job named "weekly-boards". The jobs: test-board, test-broken.');
    expect(stderr).toContain('kpi-bot jobs run <job>');
    expect(opened).toBe(0);
  });

  it('exits 2 on a bad --now or an unknown option', async () => {
    const bad = await cli(['jobs', 'run', 'test-board', '--now', 'monday 9am']);
    expect(bad.code).toBe(EXIT_USAGE);
    expect(bad.stderr).toContain('give an ISO 8601 time with its offset, e.g. 2026-11-30T09:00:00Z');
    const unknown = await cli(['jobs', 'run', 'test-board', '--preview']);
    expect(unknown.code).toBe(EXIT_USAGE);
    expect(unknown.stderr).toContain("Unknown option '--preview'");
    expect(seen).toEqual([]);
  });

  it('exits 2 with every configuration problem, and when Slack rejects the token', async () => {
    const missing = await cli(['jobs', 'run', 'test-board'], { env: {} });
    expect(missing.code).toBe(EXIT_USAGE);
    expect(missing.stderr).toContain('SLACK_BOT_TOKEN');
    expect(missing.opened).toBe(0);

    const revoked = await cli(['jobs', 'run', 'test-board'], { env: { ...env(), SLACK_BOT_TOKEN: 'xoxb-unknown' } });
    expect(revoked.code).toBe(EXIT_USAGE);
    expect(revoked.stderr).toMatch(/^kpi-bot cannot run test-board: Slack rejected SLACK_BOT_TOKEN/);
    expect(revoked.stderr).not.toContain('xoxb-unknown');
    expect(closes).toBe(1);
    expect(seen).toEqual([]);
  });
});
