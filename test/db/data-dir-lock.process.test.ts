import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js';
import { holdDataDir, startHolder } from '../support/holder.js';

const LOCK_FILE = 'kpi-bot.lock';

const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpi-lock-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** The pid of a process that has come and gone. */
async function exitedPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}

describe('lockDataDir', () => {
  it('creates the directory and a lock file with its pid, and release removes it', () => {
    const dir = join(tempDir(), 'nested', 'data');
    const release = lockDataDir(dir);
    const lock = join(dir, LOCK_FILE);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(lock)).toBe(false);
    // Released, it can be taken again.
    const again = lockDataDir(dir);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    again();
    expect(existsSync(lock)).toBe(false);
  });

  it('lets the same process lock again: a lock with its own pid is one left by an earlier run with a reused pid', () => {
    const dir = tempDir();
    // e.g. pid 1 in a container that was restarted after a crash.
    writeFileSync(join(dir, LOCK_FILE), String(process.pid));
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    expect(() => lockDataDir(dir)).not.toThrow();
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a directory locked by another live process, naming it and advising DATABASE_URL', async () => {
    const dir = tempDir();
    const lock = join(dir, LOCK_FILE);
    const holder = await startHolder(
      [
        '-e',
        `const fs = require('node:fs');
       const fd = fs.openSync(process.argv[1], 'wx');
       fs.writeSync(fd, String(process.pid));
       fs.closeSync(fd);
       console.log('ready');
       setInterval(() => {}, 60000);`,
        lock,
      ],
      children,
    );
    expect(readFileSync(lock, 'utf8')).toBe(String(holder.pid));

    let thrown: unknown;
    try {
      lockDataDir(dir);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DataDirLockedError);
    const locked = thrown as DataDirLockedError;
    expect(locked.code).toBe('kpi_bot.data_dir_locked');
    expect(locked.dataDir).toBe(dir);
    expect(locked.pid).toBe(holder.pid);
    expect(locked.message).toContain(
      `The embedded database in ${dir} is already open in another process (pid ${holder.pid}).`,
    );
    expect(locked.message).toContain('DATABASE_URL');
    expect(locked.message).toContain('DATA_DIR');
    // The holder's lock is left alone.
    expect(readFileSync(lock, 'utf8')).toBe(String(holder.pid));
  });

  it('takes over a lock left by a process that has exited', async () => {
    const dir = tempDir();
    const lock = join(dir, LOCK_FILE);
    const dead = await exitedPid();
    writeFileSync(lock, String(dead));
    const release = lockDataDir(dir);
    expect(readFileSync(lock, 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock file that holds no pid', () => {
    const dir = tempDir();
    writeFileSync(join(dir, LOCK_FILE), 'garbage');
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    release();
  });
});

describe('openDatabase on a PGlite directory already open in another process', () => {
  it('refuses the second process with a clear message and exit code 2, and the first keeps its lock', async () => {
    const dir = tempDir();
    const holder = await holdDataDir(dir, children);
    const expected = `The embedded database in ${dir} is already open in another process (pid ${holder.pid}).`;

    // In this process: refused before PGlite touches the directory.
    await expect(openDatabase({ driver: 'pglite', dataDir: dir })).rejects.toThrow(expected);

    // The app itself, pointed at the same directory. SLACK_API_URL goes nowhere, so had the lock
    // let it through it would fail later with a different message.
    const second = await run(['--import', 'tsx', 'src/main.ts'], {
      SLACK_BOT_TOKEN: 'xoxb-lock-test',
      SLACK_SIGNING_SECRET: 'lock-test',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
      DATABASE_URL: `file://${dir}`,
      LOG_LEVEL: 'silent',
    });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`kpi-bot cannot start: ${expected}`);
    expect(second.stderr).toContain('set DATABASE_URL to a PostgreSQL server');
    expect(second.stderr).not.toMatch(/^\s+at /m);

    expect(holder.exitCode).toBeNull();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(String(holder.pid));
  }, 60_000);
});
