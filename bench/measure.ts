import { setImmediate as nextTurn } from 'node:timers/promises';

/** How many times to run an operation: warm-up runs (caches, JIT, plans) are run but not kept. */
export interface RunPlan {
  warmup: number;
  iterations: number;
}

/**
 * Runs `sample` one call after another and keeps what the timed calls return, in milliseconds.
 * Between calls it lets the event loop turn: PGlite runs queries synchronously on this thread, and
 * minutes of back-to-back queries would starve the HTTP server's and client's timers, so a
 * keep-alive socket closed long ago races the next request ("fetch failed").
 */
export async function collect(plan: RunPlan, sample: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < plan.warmup + plan.iterations; i++) {
    const elapsed = await sample();
    if (i >= plan.warmup) samples.push(elapsed);
    await nextTurn();
  }
  return samples;
}

/** Wall-clock milliseconds of one call. */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}
