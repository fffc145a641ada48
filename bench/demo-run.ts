import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { processMemory } from './process-memory.js';

/**
 * `npm run demo` as a new user runs it (issue 12): no DATA_DIR, so a fresh embedded database in a
 * temporary folder. Measures, from spawning the process that runs the demo, when its first output
 * arrives, when it ends, and its peak resident memory (the kernel's high-water mark, read until it
 * exits). `npm` itself, in front of it, is not counted.
 */

export interface DemoRunResult {
  firstOutputMs: number;
  totalMs: number;
  peakMiB: number | null;
  load: number[];
}

const POLL_MS = 20;

/** The node arguments of package.json's `demo` script, so the bench runs what `npm run demo` runs. */
function demoCommand(): string[] {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { demo: string } };
  const [program, ...args] = manifest.scripts.demo.split(/\s+/);
  if (program !== 'node') throw new Error(`the demo script no longer starts with node: ${manifest.scripts.demo}`);
  return args;
}

export async function benchDemo(): Promise<DemoRunResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'kpi-bench-demo-'));
  const load = [loadavg()[0] ?? 0];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };
  const started = performance.now();
  const child = spawn(process.execPath, [...demoCommand(), '--out', outDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let firstOutputMs: number | null = null;
  let peakMiB: number | null = null;
  let stderr = '';
  child.stdout.on('data', () => {
    firstOutputMs ??= performance.now() - started;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const poll = setInterval(() => {
    const memory = child.pid === undefined ? null : processMemory(child.pid);
    if (memory) peakMiB = Math.max(peakMiB ?? 0, memory.peakMiB);
  }, POLL_MS);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`npm run demo exited with ${code}: ${stderr}`);
    load.push(loadavg()[0] ?? 0);
    return { firstOutputMs: firstOutputMs ?? Number.NaN, totalMs: performance.now() - started, peakMiB, load };
  } finally {
    clearInterval(poll);
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Measured with this file at 85afd0d (before issue 12's changes), load average about 13 on 2 cores. */
const BEFORE = { firstOutputMs: 28_960, totalMs: 37_491, peakMiB: 980 };

export function demoTable(result: DemoRunResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mib = (value: number | null) => (value === null ? 'n/a' : `${Math.round(value)} MiB`);
  const load = `${Math.min(...result.load).toFixed(1)}–${Math.max(...result.load).toFixed(1)}`;
  return [
    '`npm run demo` on a new temporary database (the node process that runs it). Targets: first output within 3 s, peak RSS under 400 MB.',
    '',
    '| | before | now | target met? |',
    '|---|--:|--:|---|',
    `| first output | ${s(BEFORE.firstOutputMs)} | ${s(result.firstOutputMs)} | ${result.firstOutputMs < 3000 ? 'yes' : 'no'} |`,
    `| peak RSS | ${mib(BEFORE.peakMiB)} | ${mib(result.peakMiB)} | ${result.peakMiB !== null && result.peakMiB < 400 ? 'yes' : 'no'} |`,
    `| whole demo | ${s(BEFORE.totalMs)} | ${s(result.totalMs)} | |`,
    '',
    `Load average (1 min): ${load}.`,
  ].join('\n');
}
