import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILT_ENTRY, freePort, SOURCE_ENTRY, startMain, waitForStatus } from '../test/support/app-process.js';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { commandSender } from './app.js';
import { npmStartNodeFlags, productionEnvironment, productionNodeFlags } from './built-serve.js';
import { benchRep } from './generate.js';
import { collect } from './measure.js';
import { processMemory } from './process-memory.js';
import { type Summary, summarize } from './stats.js';

/**
 * PGlite as the app runs it (issue 12): on disk in DATA_DIR, in its own process. A child process
 * generates 1,000 reps and 1,000,000 entries into a data directory and exits; then the real entry
 * (`src/main.ts`, HTTP mode, the fake Slack) is started on that migrated directory a few times, timed
 * from spawning it to `/healthz` answering 200; the last start then serves `/kpi me` and `/kpi board`
 * and its resident memory is read from /proc, the generator's long gone.
 */

const SHAPE = { reps: 1000, activities: 1_000_000, days: 90 };
const WORKSPACE_ID = 'TBENCH0001';
const SIGNING_SECRET = 'bench-signing-secret';
const STARTS = 3;
const PLAN = { warmup: 10, iterations: 100 };

export interface PgliteStartResult {
  generation: { ms: number; maxRssMiB: number };
  /** Spawn → `/healthz` 200, each start, in milliseconds: from source through tsx (`npm start`). */
  startsMs: number[];
  /** The same for the built entry (`node dist/main.js`, as the Docker image starts it). */
  builtStartsMs: number[];
  /** RSS of the app process once healthy, after serving, and its peak, in MiB. */
  rss: { healthyMiB: number; servingMiB: number; peakMiB: number } | null;
  me: Summary;
  board: Summary;
  load: number[];
}

export async function benchPgliteStart(): Promise<PgliteStartResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kpi-bench-pglite-'));
  const fake = await startFakeSlack();
  const load = [loadavg()[0] ?? 0];
  try {
    const generation = await generate(dataDir);
    load.push(loadavg()[0] ?? 0);
    const botToken = `xoxb-${WORKSPACE_ID}`;
    fake.addToken(botToken, { teamId: WORKSPACE_ID, botUserId: 'UBOT', botId: 'BBOT' });
    const env = {
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.apiUrl,
      LOG_LEVEL: 'warn',
    };
    /** Starts the entry on the migrated directory and times it from spawning to `/healthz` 200. */
    const start = async (entry: string[], imageEnv: Record<string, string> = {}) => {
      const port = await freePort();
      const started = performance.now();
      const app = startMain({ ...imageEnv, ...env, PORT: String(port) }, 120_000, entry);
      try {
        await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 120_000, app);
      } catch (error) {
        await app.stop();
        throw error;
      }
      load.push(loadavg()[0] ?? 0);
      return { app, port, ms: performance.now() - started };
    };
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
    const builtStartsMs: number[] = [];
    const startsMs: number[] = [];
    // Each as it is started: npm start's node flags, and the Dockerfile's flags and environment.
    const sourceEntry = [...npmStartNodeFlags(), ...SOURCE_ENTRY];
    const builtEntry = [...productionNodeFlags(), ...BUILT_ENTRY];
    for (const [entry, times, imageEnv] of [
      [builtEntry, builtStartsMs, productionEnvironment()],
      [sourceEntry, startsMs, {}],
    ] as const) {
      for (let i = 0; i < STARTS; i++) {
        const { app, ms } = await start(entry, imageEnv);
        times.push(ms);
        await app.stop();
      }
    }
    // One more start from source, as `npm start` runs it, serves the commands.
    const { app, port } = await start(sourceEntry);
    try {
      const healthy = processMemory(app.child.pid ?? 0);
      const command = commandSender(fake, `http://127.0.0.1:${port}`, WORKSPACE_ID, SIGNING_SECRET);
      const randomRep = () => benchRep(1 + Math.floor(Math.random() * SHAPE.reps)).userId;
      const me = summarize(await collect(PLAN, () => command(randomRep(), 'me')));
      const board = summarize(await collect(PLAN, () => command(randomRep(), 'board')));
      const serving = processMemory(app.child.pid ?? 0);
      load.push(loadavg()[0] ?? 0);
      const rss =
        healthy && serving
          ? { healthyMiB: healthy.rssMiB, servingMiB: serving.rssMiB, peakMiB: serving.peakMiB }
          : null;
      return { generation, startsMs, builtStartsMs, rss, me, board, load };
    } finally {
      await app.stop();
    }
  } finally {
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The generator in its own process: its PGlite heap never mixes with the app's figures. */
async function generate(dataDir: string): Promise<{ ms: number; maxRssMiB: number }> {
  const args = [dataDir, WORKSPACE_ID, SHAPE.reps, SHAPE.activities, SHAPE.days, new Date().toISOString()];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/pglite-generate.ts', ...args.map(String)],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { ms: number; maxRssMiB: number };
}

/** Measured with this file at 85afd0d (before issue 12's changes), load average 12–15 on 2 cores. */
const BEFORE = {
  startsMs: [8293, 6798, 7429],
  rss: { healthyMiB: 449, servingMiB: 559, peakMiB: 562 },
  me: { p50: 129.1, p99: 279.3 },
  board: { p50: 83.3, p99: 232.8 },
};

export function pgliteStartTable(result: PgliteStartResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mib = (value: number | undefined) => (value === undefined ? 'n/a' : `${Math.round(value)} MiB`);
  const ms = (summary: Summary) => `${summary.p50.toFixed(1)} / ${summary.p99.toFixed(1)} ms`;
  const starts = (values: number[]) => values.map(s).join(', ');
  const load = `${Math.min(...result.load).toFixed(1)}–${Math.max(...result.load).toFixed(1)}`;
  return [
    `${SHAPE.reps.toLocaleString('en-US')} reps, ${SHAPE.activities.toLocaleString('en-US')} entries, PGlite in a data directory, the app (\`src/main.ts\`) in its own process. Targets: start-up under 3 s, serving RSS under 600 MB.`,
    '',
    '| | before | now | target met? |',
    '|---|--:|--:|---|',
    `| start-up to \`/healthz\` 200, migrated directory, \`npm start\` (tsx, ${STARTS} starts) | ${starts(BEFORE.startsMs)} | ${starts(result.startsMs)} | ${Math.max(...result.startsMs) < 3000 ? 'yes' : 'no'} |`,
    `| the same, built entry \`node dist/main.js\` (as the image runs it) | | ${starts(result.builtStartsMs)} | ${Math.max(...result.builtStartsMs) < 3000 ? 'yes' : 'no'} |`,
    `| RSS once healthy | ${mib(BEFORE.rss.healthyMiB)} | ${mib(result.rss?.healthyMiB)} | |`,
    `| RSS serving (after ${PLAN.iterations + PLAN.warmup} \`/kpi me\` and as many \`/kpi board\`) | ${mib(BEFORE.rss.servingMiB)} | ${mib(result.rss?.servingMiB)} | ${result.rss && result.rss.peakMiB < 600 ? 'yes' : 'no'} (peak ${mib(result.rss?.peakMiB)}) |`,
    `| \`/kpi me\` p50 / p99 | ${ms(BEFORE.me)} | ${ms(result.me)} | |`,
    `| \`/kpi board\` p50 / p99 | ${ms(BEFORE.board)} | ${ms(result.board)} | |`,
    '',
    `Node ${process.versions.node}; \`npm start\` as its script runs it (\`node ${npmStartNodeFlags().join(' ')} --import tsx src/main.ts\`), the built entry with the Dockerfile's flags (\`node ${productionNodeFlags().join(' ')} dist/main.js\`).`,
    `Generated in ${s(result.generation.ms)} by a separate process (peak ${mib(result.generation.maxRssMiB)}, not counted above). Load average (1 min): ${load}.`,
  ].join('\n');
}
