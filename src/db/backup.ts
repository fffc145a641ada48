import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CodedError, ErrorCode } from '../lib/errors.js';
import { lockDataDir } from './data-dir-lock.js';

/**
 * Backups of the embedded database: a gzipped tarball of the PGlite data directory, as PGlite's own
 * `dumpDataDir` writes it and `loadDataDir` reads it. Both hold the data-dir lock, so neither runs
 * while the bot (or another command) has the directory open.
 */

export class BackupError extends CodedError {
  readonly code = ErrorCode.BackupFailed;
}

/** Writes the tarball next to `file` first, then renames it: a crash never leaves half a backup under the name. */
export async function backupDataDir(dataDir: string, file: string): Promise<{ bytes: number }> {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    throw new BackupError(`${dataDir} holds no embedded database to back up.`);
  }
  const release = lockDataDir(dataDir);
  try {
    const client = await PGlite.create(dataDir);
    const dump = await client.dumpDataDir('gzip').finally(() => client.close());
    const bytes = Buffer.from(await dump.arrayBuffer());
    const partial = `${file}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    return { bytes: bytes.length };
  } finally {
    release();
  }
}

/**
 * Replaces the data directory with a backup. The backup is loaded into a new directory beside it
 * and opened (a corrupt or foreign file fails there, leaving the current data untouched); only then
 * is the old directory moved aside and the new one renamed into place. The new directory is locked
 * before it appears under the data directory's name, so no bot can open it half-swapped.
 */
export async function restoreDataDir(dataDir: string, file: string): Promise<{ previous: string | null }> {
  if (!existsSync(file)) throw new BackupError(`There is no backup file at ${file}.`);
  const target = resolve(dataDir);
  const releaseTarget = lockDataDir(target);
  const stamp = `${process.pid}-${Date.now()}`;
  const incoming = join(dirname(target), `.${basename(target)}.restore-${stamp}`);
  const releaseIncoming = lockDataDir(incoming);
  try {
    try {
      const client = await PGlite.create(incoming, { loadDataDir: new Blob([readFileSync(file)]) });
      await client.query('select 1').finally(() => client.close());
    } catch (error) {
      rmSync(incoming, { recursive: true, force: true });
      throw new BackupError(
        `${file} is not a backup this command can restore (${error instanceof Error ? error.message : String(error)}).`,
      );
    }
    const hadData = existsSync(join(target, 'PG_VERSION'));
    const previous = hadData ? `${target}.before-restore-${stamp}` : null;
    if (previous) renameSync(target, previous);
    else rmSync(target, { recursive: true, force: true });
    renameSync(incoming, target);
    // The old directory's lock file went with it; the restored one carries ours, released below.
    if (previous) rmSync(join(previous, 'kpi-bot.lock'), { force: true });
    return { previous };
  } finally {
    releaseIncoming();
    releaseTarget();
    if (existsSync(incoming)) rmSync(incoming, { recursive: true, force: true });
  }
}
