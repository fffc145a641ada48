// `npm run bench`: the benchmarks measure the runtime the image and CI run. On a Node older than
// package.json's engines allow (a machine's own Node 20), they run on Node 24 from the npm registry's
// `node` package, as .ci/run does for the tests: the image's node flags are tuned for Node 24.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const [wantMajor, wantMinor] = /(\d+)\.(\d+)/.exec(engines).slice(1).map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
let env = process.env;
if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
  const bin = execFileSync('npx', ['-y', '-p', 'node@24', '-c', 'dirname "$(readlink -f "$(command -v node)")"'], {
    encoding: 'utf8',
  }).trim();
  process.stderr.write(
    `Node ${process.versions.node} is older than package.json's engines (${engines}): running on ${bin}/node\n`,
  );
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
}
const run = spawnSync('node', ['--import', 'tsx', 'bench/main.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
