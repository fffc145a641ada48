import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The real process entry (`src/main.ts`) as an operator starts it: a child with only the given
 * environment, its output collected. For what only a whole process shows: exit codes, crashes,
 * several replicas on one database.
 */

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface AppProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when the process has ended (it is killed with SIGKILL after `timeoutMs`). */
  exited: Promise<Exit>;
  /** Ends it with SIGTERM (SIGKILL after 10 s) and waits. */
  stop(): Promise<Exit>;
}

/** How the process entry is started: from source through tsx (as `npm start`), or built (as the image). */
export const SOURCE_ENTRY = ['--import', 'tsx', 'src/main.ts'];
export const BUILT_ENTRY = ['dist/main.js'];

export function startMain(env: Record<string, string>, timeoutMs = 120_000, entry = SOURCE_ENTRY): AppProcess {
  const child = spawn(process.execPath, entry, {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<Exit>((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        exited.finally(() => clearTimeout(kill)).catch(() => {});
      }
      return exited;
    },
  };
}

/** Runs `src/main.ts` until it exits by itself (or is killed after `timeoutMs`). */
export function runMain(env: Record<string, string>, timeoutMs = 45_000): Promise<Exit> {
  return startMain(env, timeoutMs).exited;
}

/** Polls `url` until it answers with `status`; throws with the process's output if it never does. */
export async function waitForStatus(url: string, status: number, withinMs: number, app?: AppProcess): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (app && app.child.exitCode !== null) break;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === status) return;
      last = `status ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const output = app ? `\n${app.output().stdout}\n${app.output().stderr}` : '';
  throw new Error(`${url} did not answer ${status} within ${withinMs} ms (${last})${output}`);
}

export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
