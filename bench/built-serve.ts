import { execFile } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The serving process of the scale bench runs what production runs: the app compiled by tsc (as
 * `npm run build` and the Docker image compile it), not tsx, and started with the Dockerfile's node
 * flags. bench/serve.ts is compiled with the sources into dist-bench/ (bench/tsconfig.serve.json).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}dist-bench`;
export const BUILT_SERVE = `${OUT}/bench/serve.js`;

/** Compiles src/ and bench/serve.ts into dist-bench/; the migrations are read from the repository's. */
export async function buildServe(): Promise<void> {
  await promisify(execFile)(process.execPath, [
    `${ROOT}node_modules/typescript/bin/tsc`,
    '-p',
    `${ROOT}bench/tsconfig.serve.json`,
  ]);
  // The compiled client finds the migrations two levels above itself, as dist/db/client.js does.
  if (!existsSync(`${OUT}/drizzle`)) symlinkSync(`${ROOT}drizzle`, `${OUT}/drizzle`);
}

/**
 * The environment the image's PostgreSQL stage sets (its `ENV` lines) but `PORT`, which a bench
 * chooses: glibc's malloc settings are read from it, so the serving process must run with them.
 */
export function productionEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const stage = /^FROM \S+ AS postgres$([\s\S]*?)(?=^FROM |(?![\s\S]))/m.exec(dockerfile)?.[1];
  if (stage === undefined) throw new Error('the Dockerfile has no postgres stage');
  const env: Record<string, string> = {};
  for (const line of stage.matchAll(/^ENV (.+)$/gm)) {
    for (const pair of (line[1] ?? '').trim().split(/\s+/)) {
      const [name, value] = pair.split('=', 2);
      if (name === undefined || value === undefined) throw new Error(`an ENV the bench cannot read: ${line[0]}`);
      if (name !== 'PORT') env[name] = value;
    }
  }
  return env;
}

/** The node flags the Docker image starts the app with: its CMD's arguments before `dist/main.js`. */
export function productionNodeFlags(): string[] {
  const dockerfile = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  if (cmd === undefined) throw new Error('the Dockerfile has no CMD [...] line');
  const args = JSON.parse(cmd) as string[];
  const entry = args.indexOf('dist/main.js');
  if (entry < 0) throw new Error(`the Dockerfile's CMD does not start dist/main.js: ${cmd}`);
  return args.slice(0, entry);
}

/**
 * The node flags `npm start` runs the app with: package.json's start script between `node` and
 * `--import tsx`, less `--env-file-if-exists` (a bench passes its own environment, never a `.env`).
 */
export function npmStartNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const words = (scripts.start ?? '').split(/\s+/);
  const entry = words.indexOf('--import');
  if (words[0] !== 'node' || entry < 0)
    throw new Error(`npm start is not "node … --import tsx src/main.ts": ${scripts.start}`);
  return words.slice(1, entry).filter((flag) => !flag.startsWith('--env-file'));
}
