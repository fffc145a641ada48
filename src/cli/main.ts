import { JOBS } from '../jobs/catalog.js';
import { runCli } from './kpi-bot.js';

/** The `kpi-bot` process entry (see bin/kpi-bot.js): the only CLI module that reads process.env or exits. */
runCli(process.argv.slice(2), {
  jobs: JOBS,
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
  isTTY: process.stdout.isTTY === true,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kpi-bot crashed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
