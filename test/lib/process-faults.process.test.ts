import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../src/lib/process-faults.ts', import.meta.url));
const LOGGER = fileURLToPath(new URL('../../src/lib/logger.ts', import.meta.url));

/** Runs `body` in a fresh process whose faults `handleProcessFaults` handles; `onFatal` exits 1. */
function runWithHandlers(body: string) {
  const script = `
    import { handleProcessFaults } from ${JSON.stringify(MODULE)};
    import { createLogger } from ${JSON.stringify(LOGGER)};
    handleProcessFaults(createLogger('info'), () => process.exit(1));
    ${body}
    setTimeout(() => { console.log('still alive'); process.exit(0); }, 300);
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, out: run.stdout };
}

describe('handleProcessFaults', () => {
  it('logs a rejection nobody handled, with what it was, and carries on', () => {
    const { code, out } = runWithHandlers(`
      const error = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      Promise.reject(error);
    `);
    expect(code).toBe(0);
    expect(out).toContain('still alive');
    expect(out).toMatch(/"fault":"unhandledRejection".*"databaseUnavailable":true/);
    expect(out).toContain('terminating connection due to administrator command');
  });

  it('carries on after an exception thrown by a dropped database connection', () => {
    const { code, out } = runWithHandlers(`
      setImmediate(() => { throw Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }); });
    `);
    expect(code).toBe(0);
    expect(out).toContain('the database connection dropped; carrying on');
  });

  it('logs any other uncaught exception as fatal and shuts down', () => {
    const { code, out } = runWithHandlers(`setImmediate(() => { throw new TypeError('a bug'); });`);
    expect(code).toBe(1);
    expect(out).toMatch(/"level":60.*"fault":"uncaughtException".*a bug|"level":60.*a bug/);
    expect(out).not.toContain('still alive');
  });
});
