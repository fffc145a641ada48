import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The CommonJS modules a fresh node process has loaded once it imported `entry` (a path under src/). */
async function modulesLoadedBy(entry: string): Promise<string[]> {
  const script = [
    `await import(${JSON.stringify(`./${entry}`)});`,
    "const { createRequire } = await import('node:module');",
    'console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));',
  ].join('\n');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: ROOT,
    },
  );
  return JSON.parse(stdout) as string[];
}

// An app served over HTTP runs none of Bolt's other receivers; loading them cost 240 modules, 6 MB
// of heap and 15 MB of resident memory (src/slack/bolt-runtime.ts).
describe("the app's module graph", () => {
  it("loads Bolt's App without Socket Mode, undici or Express", async () => {
    const loaded = await modulesLoadedBy('src/app.ts');
    expect(loaded.some((path) => path.endsWith('/@slack/bolt/dist/App.js'))).toBe(true);
    expect(loaded.filter((path) => /\/node_modules\/(@slack\/socket-mode|undici|express)\//.test(path))).toEqual([]);
  }, 60_000);
});
