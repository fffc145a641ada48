import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { processMemory } from './process-memory.js';

/**
 * `npm run demo` as a new user runs it (issue 12): no DATA_DIR, so a fresh embedded database in a
 * temporary folder. Measures, from spawning the process that runs the demo, when its first output
 * arrives, when it ends, and its peak resident memory (the kernel's high-water mark, read until it
 * exits). `npm` and tsx's CLI, which `npm run demo` puts in front of it, are not counted.
 */

export interface DemoRunResult {
  firstOutputMs: number;
  totalMs: number;
  peakMiB: number | null;
  load: number[];
}

const POLL_MS = 20;

export async function benchDemo(): Promise<DemoRunResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'kpi-bench-demo-'));
  const load = [loadavg()[0] ?? 0];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', '--out', outDir], {
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
