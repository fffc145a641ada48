/**
 * `npm run demo`'s entry: it speaks before it loads the demo's modules, which takes a second or two
 * (three on a busy machine), so the screen is never blank.
 */
process.stdout.write('KPI Coach demo: starting…\n');

const { runDemo } = await import('./run-demo.js');
await runDemo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
