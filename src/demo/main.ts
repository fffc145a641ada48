/**
 * `npm run demo`'s entry: it speaks before it loads the demo's modules, which takes a second or two
 * (three on a busy machine), so the screen is never blank. package.json runs it with
 * `--max-semi-space-size=1`: V8's young generation otherwise grows to 16 MB semi-spaces that stay
 * resident, and with PGlite's WebAssembly heap beside them that was about 25 MiB of the demo's peak,
 * for no measurable speed (bench/demo-run.ts).
 */
process.stdout.write('KPI Coach demo: starting…\n');

const { runDemo } = await import('./run-demo.js');
await runDemo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
