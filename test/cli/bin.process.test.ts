import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { JOBS } from '../../src/jobs/catalog.js';

const BIN = fileURLToPath(new URL('../../bin/kpi-bot.js', import.meta.url));
const run = promisify(execFile);

/** The installed command as an operator runs it: node, the bin file, tsx loading the sources. */
async function kpiBot(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each spawn starts node and tsx on the whole source tree: slow on a busy machine.
describe('the kpi-bot bin', { timeout: 60_000 }, () => {
  it('lists every job of the catalogue, with no configuration needed', async () => {
    const { code, stdout, stderr } = await kpiBot('jobs', 'list');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.trimEnd().split('\n');
    if (JOBS.length === 0) expect(lines).toEqual(['No job is scheduled in this build.']);
    else expect(lines.map((l) => l.split(' ')[0])).toEqual(JOBS.map((j) => j.name));
  });

  it('exits 2 with the usage on a mistake', async () => {
    const { code, stderr } = await kpiBot('jobs', 'run', 'no-such-job');
    expect(code).toBe(2);
    expect(stderr).toContain('kpi-bot: There is no job named "no-such-job".');
    expect(stderr).toContain('kpi-bot jobs list');
  });
});
