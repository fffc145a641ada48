import { type DatabaseConfig, formatProblems, parseDatabaseConfig } from '../config.js';
import { rebuildActivitySummary, summarizedWorkspaces } from '../db/activity-summary.js';
import { BackupError, backupDataDir, restoreDataDir } from '../db/backup.js';
import { openDatabase } from '../db/client.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';

/**
 * `kpi-bot db migrate`, and `kpi-bot db backup|restore <file>` for the embedded database. They need
 * only the database settings; with PostgreSQL, backups are left to its own tools.
 */

export const DB_SYNOPSIS = `  kpi-bot db migrate
  kpi-bot db rebuild-summaries
  kpi-bot db backup <file>
  kpi-bot db restore <file>`;

export const DB_USAGE = `db migrate applies the database migrations and exits (only DATABASE_URL or DATA_DIR is needed),
so a deploy pipeline can migrate before it rolls out; the bot also migrates at start-up, under the
same lock.

db rebuild-summaries recomputes the activity summaries (what boards, scorecards, goals and the
game read) from the activity log, one workspace at a time. Safe while the bot runs: writes of the
workspace being rebuilt wait for it, reads go on.

db backup writes the embedded database (DATA_DIR) to one file; db restore replaces it with
one, keeping the previous directory beside it. Stop the bot first: the data directory is locked
while it runs. With DATABASE_URL set to PostgreSQL, use pg_dump and pg_restore instead.`;

interface DbDeps {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
}

const POSTGRES_HINT =
  'DATABASE_URL points to PostgreSQL: back it up with its own tools, e.g. `pg_dump --format=custom "$DATABASE_URL" > kpi.dump`, ' +
  'and restore with `pg_restore --clean --dbname "$DATABASE_URL" kpi.dump` (see "Backups" in README.md).';

/** Exit codes as `runCli`'s: 0 done, 1 failed, 2 a usage or configuration problem. */
export async function runDbCommand(args: readonly string[], deps: DbDeps): Promise<number> {
  const [action, file, ...extra] = args;
  const usable =
    action === 'migrate' || action === 'rebuild-summaries'
      ? file === undefined
      : (action === 'backup' || action === 'restore') && file !== undefined;
  if (!usable || extra.length > 0) {
    deps.stderr(
      `kpi-bot: say \`db migrate\`, \`db backup <file>\` or \`db restore <file>\` (or \`db rebuild-summaries\`).\n\nUsage:\n${DB_SYNOPSIS}\n`,
    );
    return 2;
  }
  const parsed = parseDatabaseConfig(deps.env);
  if (!parsed.ok) {
    deps.stderr(`${formatProblems(parsed.problems)}\n`);
    return 2;
  }
  const { database } = parsed;
  if (action === 'rebuild-summaries') return rebuildSummaries(database, deps);
  // Only `db migrate` comes without a file now.
  if (action === 'migrate' || file === undefined) return migrate(database, deps);
  if (database.driver === 'postgres') {
    deps.stderr(`kpi-bot: ${POSTGRES_HINT}\n`);
    return 2;
  }
  if (database.dataDir === null) {
    deps.stderr('kpi-bot: DATABASE_URL is memory://, which keeps nothing on disk to back up or restore.\n');
    return 2;
  }
  try {
    if (action === 'backup') {
      const { bytes } = await backupDataDir(database.dataDir, file);
      deps.stdout(`Backed up ${database.dataDir} to ${file} (${bytes} bytes).\n`);
    } else {
      const { previous } = await restoreDataDir(database.dataDir, file);
      deps.stdout(
        `Restored ${database.dataDir} from ${file}.${previous ? ` The data it replaced is in ${previous}; delete it once the bot runs well.` : ''}\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof BackupError) {
      deps.stderr(`kpi-bot cannot ${action}: ${error.message}\n`);
      return 2;
    }
    deps.stderr(`kpi-bot ${action} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Applies the migrations (under the same lock as the bot's start-up) and closes the database. */
async function migrate(config: DatabaseConfig, deps: DbDeps): Promise<number> {
  try {
    const database = await openDatabase(config);
    await database.close();
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      deps.stderr(`kpi-bot cannot migrate: ${error.message}\n`);
      return 2;
    }
    deps.stderr(`kpi-bot db migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  deps.stdout(`Migrations applied (${config.driver === 'postgres' ? 'PostgreSQL' : 'embedded database'}).\n`);
  return 0;
}

/** Rebuilds every workspace's activity summary from its log, saying how far it got. */
async function rebuildSummaries(config: DatabaseConfig, deps: DbDeps): Promise<number> {
  try {
    const database = await openDatabase(config);
    try {
      const ids = await summarizedWorkspaces(database.db);
      for (const id of ids) {
        const rows = await rebuildActivitySummary(database.db, id);
        deps.stdout(`Rebuilt ${id}: ${rows} summary rows.\n`);
      }
      deps.stdout(`Activity summaries rebuilt for ${ids.length} workspace${ids.length === 1 ? '' : 's'}.\n`);
    } finally {
      await database.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      deps.stderr(`kpi-bot cannot rebuild summaries: ${error.message}\n`);
      return 2;
    }
    deps.stderr(`kpi-bot db rebuild-summaries failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
