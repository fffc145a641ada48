/**
 * `npm run demo`'s entry: it speaks before it loads the demo's modules, which takes a second or two
 * (three on a busy machine), so the screen is never blank. package.json runs it with
 * `--max-semi-space-size=1`: V8's young generation otherwise grows to 16 MB semi-spaces that stay
 * resident, and with PGlite's WebAssembly heap beside them that was about 25 MiB of the demo's peak,
 * for no measurable speed (bench/demo-run.ts). And with `--liftoff-only`: on Node 24, V8's optimising
 * tier recompiles PGlite's hot WebAssembly and kept the demo's peak at about 780 MB (420 MB on Node
 * 20); V8's baseline code alone peaks at about 370 MB, for a run 2 s longer.
 */
process.stdout.write('KPI Coach demo: starting…\n');

const { runDemo } = await import('./run-demo.js');
await runDemo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
