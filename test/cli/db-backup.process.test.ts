import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/kpi-bot.js';
import { openDatabase } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { seedDemoTeam } from '../../src/demo/seed.js';
import { holdDataDir } from '../support/holder.js';

/** `kpi-bot db backup|restore` on a real, seeded, file-backed PGlite directory. */

const WORKSPACE = 'TBACKUP01';
const NOW = new Date('2026-11-20T12:00:00Z');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpi-backup-'));
  dirs.push(dir);
  return dir;
}

async function cli(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    jobs: [],
    env,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    now: () => NOW,
  });
  return { code, stdout, stderr };
}

/** What a restore must bring back exactly: row counts and the money, per table. */
async function fingerprint(dataDir: string) {
  const handle = await openDatabase({ driver: 'pglite', dataDir }, { migrate: false });
  try {
    const rows = await queryRows<{ activities: number; cents: string; members: number; goals: number }>(
      handle.db,
      sql`select (select count(*)::int from activities) as activities,
                 (select coalesce(sum(amount_cents), 0)::text from activities) as cents,
                 (select count(*)::int from members) as members,
                 (select count(*)::int from goals) as goals`,
    );
    return rows[0];
  } finally {
    await handle.close();
  }
}

describe('kpi-bot db backup and restore (embedded database)', () => {
  it('round-trips a seeded database: a restore brings back exactly what the backup held', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const seeded = await openDatabase({ driver: 'pglite', dataDir });
    const team = await seedDemoTeam(seeded.db, { workspaceId: WORKSPACE, now: NOW, reps: 6, days: 30 });
    await seeded.close();
    const before = await fingerprint(dataDir);
    expect(before?.activities).toBe(team.rows.activities);
    expect(before?.activities).toBeGreaterThan(100);

    const file = join(root, 'kpi.tar.gz');
    const backup = await cli(['db', 'backup', file], { DATA_DIR: dataDir });
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(file)).toBe(true);

    // Changes after the backup are what the restore takes away.
    const later = await openDatabase({ driver: 'pglite', dataDir }, { migrate: false });
    await later.db.execute(sql`delete from activities where workspace_id = ${WORKSPACE}`);
    await later.close();
    expect((await fingerprint(dataDir))?.activities).toBe(0);

    const restore = await cli(['db', 'restore', file], { DATA_DIR: dataDir });
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain('before-restore');
    expect(await fingerprint(dataDir)).toEqual(before);
    // The replaced data is kept beside it, and no temporary directory or lock is left behind.
    const left = readdirSync(root).sort();
    expect(left).toEqual(['data', expect.stringMatching(/^data\.before-restore-/), 'kpi.tar.gz']);
    expect(existsSync(join(dataDir, 'kpi-bot.lock'))).toBe(false);
    // The restored directory opens and migrates as the bot would open it.
    const reopened = await openDatabase({ driver: 'pglite', dataDir });
    await reopened.close();
  }, 120_000);

  it('refuses to restore over a directory the bot has open, and leaves it untouched', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const seeded = await openDatabase({ driver: 'pglite', dataDir });
    await seeded.close();
    const file = join(root, 'kpi.tar.gz');
    expect((await cli(['db', 'backup', file], { DATA_DIR: dataDir })).code).toBe(0);

    const holder = await holdDataDir(dataDir, children);
    const restore = await cli(['db', 'restore', file], { DATA_DIR: dataDir });
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain(`already open in another process (pid ${holder.pid})`);
    const backup = await cli(['db', 'backup', join(root, 'again.tar.gz')], { DATA_DIR: dataDir });
    expect(backup.code).toBe(2);
    expect(readdirSync(root).sort()).toEqual(['data', 'kpi.tar.gz']);
  }, 120_000);

  it('refuses a file that is not a backup without touching the current data', async () => {
    const root = tempDir();
    const dataDir = join(root, 'data');
    const seeded = await openDatabase({ driver: 'pglite', dataDir });
    const team = await seedDemoTeam(seeded.db, { workspaceId: WORKSPACE, now: NOW, reps: 2, days: 5 });
    await seeded.close();
    const junk = join(root, 'junk.tar.gz');
    writeFileSync(junk, 'not a tarball');
    const restore = await cli(['db', 'restore', junk], { DATA_DIR: dataDir });
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('is not a backup this command can restore');
    expect((await fingerprint(dataDir))?.activities).toBe(team.rows.activities);
    expect(readdirSync(root).sort()).toEqual(['data', 'junk.tar.gz']);
    expect((await cli(['db', 'restore', join(root, 'missing.tar.gz')], { DATA_DIR: dataDir })).code).toBe(2);
  }, 120_000);

  it('points to pg_dump when DATABASE_URL is PostgreSQL, and says memory:// has nothing to back up', async () => {
    const pg = await cli(['db', 'backup', 'x.tar.gz'], { DATABASE_URL: 'postgres://db.example/kpi' });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toContain('pg_dump');
    const memory = await cli(['db', 'backup', 'x.tar.gz'], { DATABASE_URL: 'memory://' });
    expect(memory.stderr).toContain('keeps nothing on disk');
    expect((await cli(['db', 'wipe'], {})).code).toBe(2);
  });

  it('db migrate takes no arguments, and migrates a new embedded database', async () => {
    for (const argv of [['db'], ['db', 'migrate', 'now'], ['db', 'backup']]) {
      const wrong = await cli(argv, { DATABASE_URL: 'memory://' });
      expect(wrong).toMatchObject({ code: 2, stdout: '' });
      expect(wrong.stderr).toContain('say `db migrate`, `db backup <file>` or `db restore <file>`');
    }
    const dataDir = join(tempDir(), 'data');
    const done = await cli(['db', 'migrate'], { DATA_DIR: dataDir });
    expect(done).toEqual({ code: 0, stdout: 'Migrations applied (embedded database).\n', stderr: '' });
    const handle = await openDatabase({ driver: 'pglite', dataDir }, { migrate: false });
    const [row] = await queryRows<{ n: number }>(
      handle.db,
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    await handle.close();
    expect(row?.n).toBeGreaterThan(0);
  }, 120_000);

  it('db rebuild-summaries recomputes a lost summary from the log', async () => {
    const dataDir = join(tempDir(), 'data');
    const seeded = await openDatabase({ driver: 'pglite', dataDir });
    await seedDemoTeam(seeded.db, { workspaceId: WORKSPACE, now: NOW, reps: 2, days: 5 });
    const summary = sql`select count(*)::int as n, coalesce(sum(quantity), 0)::int as q from activity_summary`;
    const [kept] = await queryRows<{ n: number; q: number }>(seeded.db, summary);
    await seeded.db.execute(sql`truncate activity_summary`);
    await seeded.close();
    expect(kept?.n).toBeGreaterThan(0);

    expect((await cli(['db', 'rebuild-summaries', 'now'], { DATA_DIR: dataDir })).code).toBe(2);
    const done = await cli(['db', 'rebuild-summaries'], { DATA_DIR: dataDir });
    expect(done).toEqual({
      code: 0,
      stdout: `Rebuilt ${WORKSPACE}: ${kept?.n} summary rows.\nActivity summaries rebuilt for 1 workspace.\n`,
      stderr: '',
    });
    const handle = await openDatabase({ driver: 'pglite', dataDir }, { migrate: false });
    const [rebuilt] = await queryRows<{ n: number; q: number }>(handle.db, summary);
    await handle.close();
    expect(rebuilt).toEqual(kept);
  }, 120_000);
});
