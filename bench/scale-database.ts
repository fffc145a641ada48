import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { type SQL, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { runDbCommand } from '../src/cli/db-commands.js';
import { type DatabaseHandle, MIGRATIONS_FOLDER, openDatabase } from '../src/db/client.js';
import { queryRows } from '../src/db/rows.js';
import { insertActivitySlices, insertPeople, type WorkspaceShape } from './generate.js';
import { timed } from './measure.js';

/**
 * The 10M-entry PostgreSQL database of the scale bench (bench/scale.ts), kept between runs: it
 * takes minutes to generate and about 11 GB, so a run reuses it when its marker (a comment on the
 * database) names the same shape, generator and migrations, and `--regenerate` forces a new one.
 * `drop database scale_bench` gives the space back; `SCALE_BENCH_DATABASE` names another one.
 *
 * Generation is a bulk load, the way an operator would import a log: the summary triggers off, every
 * index of the log and its summaries but the primary keys dropped and the tables unlogged while the
 * rows go in (server-side, `insert … select` from `generate_series`: nothing crosses the wire); the
 * summaries built by the code `kpi-bot db rebuild-summaries` runs (it fills empty summaries in one
 * pass, with no index to keep); the tables
 * logged again and the indexes built in one sorted pass each; then VACUUM ANALYZE, as autovacuum
 * would after such a load.
 */

/** Where the bench keeps it unless told another name (`SCALE_BENCH_DATABASE`). */
export const SCALE_DATABASE = 'scale_bench';
/** Bump when the generated data changes, so an older database is regenerated. */
const GENERATOR_VERSION = 3;
/** Rows per `insert … select` statement: few round trips, and no statement holds the server long. */
const ROWS_PER_INSERT = 1_000_000;
/**
 * Session settings of the generator's connections only (postgres.js sends URL parameters as
 * startup parameters): sorts and hashes of 10M rows in memory, index builds with parallel workers.
 * The serving process connects without them.
 */
const LOAD_SETTINGS = { work_mem: '256MB', maintenance_work_mem: '1GB', max_parallel_maintenance_workers: '2' };

export interface GenerationSteps {
  /** Milliseconds of each step, in order, by name. */
  steps: [string, number][];
}

export interface ScaleDatabase {
  /** The database's name on the server. */
  name: string;
  handle: DatabaseHandle;
  /** Where the serving process connects. */
  url: string;
  /** The end of the generated data: the app's clock. */
  dataEnd: Date;
  /** How it was generated now, or null when an earlier run's was reused. */
  generated: GenerationSteps | null;
  close(): Promise<void>;
}

interface Marker {
  shape: Omit<WorkspaceShape, 'now'>;
  generator: number;
  migrations: string;
  dataEnd: string;
}

/**
 * Opens the scale database at `serverUrl`'s server, generating it when it is missing, of another
 * shape, or `regenerate` asks; a new one's data ends at `now`, a reused one's where it ended.
 */
export async function openScaleDatabase(
  serverUrl: string,
  shape: WorkspaceShape,
  options: { database: string; regenerate: boolean; print: (text: string) => void },
): Promise<ScaleDatabase> {
  const { database } = options;
  // Spliced into DDL, which takes no parameters.
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a plain database name: ${database}`);
  const url = databaseUrl(serverUrl, database);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const wanted: Omit<Marker, 'dataEnd'> = {
      shape: { workspaceId: shape.workspaceId, reps: shape.reps, activities: shape.activities, days: shape.days },
      generator: GENERATOR_VERSION,
      migrations: migrationsDigest(),
    };
    const found = await readMarker(admin, database);
    if (!options.regenerate && found !== null && sameGeneration(found, wanted)) {
      options.print(
        `PostgreSQL: reusing database ${database} (data ending ${found.dataEnd}; --regenerate makes a new one)\n`,
      );
      const handle = await openDatabase({ driver: 'postgres', url });
      return {
        name: database,
        handle,
        url,
        dataEnd: new Date(found.dataEnd),
        generated: null,
        close: () => handle.close(),
      };
    }
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.unsafe(`create database ${database}`);
    const generated = await generate(url, shape, options.print);
    const marker: Marker = { ...wanted, dataEnd: shape.now.toISOString() };
    // The marker goes last: a run stopped halfway leaves none, and the next run starts over.
    await admin.unsafe(`comment on database ${database} is '${JSON.stringify(marker)}'`);
    const handle = await openDatabase({ driver: 'postgres', url });
    return { name: database, handle, url, dataEnd: shape.now, generated, close: () => handle.close() };
  } finally {
    await admin.end();
  }
}

async function generate(url: string, shape: WorkspaceShape, print: (text: string) => void): Promise<GenerationSteps> {
  const steps: [string, number][] = [];
  const step = async (name: string, run: () => Promise<unknown>) => {
    print(`  ${name}…`);
    const elapsed = await timed(run);
    print(` ${(elapsed / 1000).toFixed(1)} s\n`);
    steps.push([name, elapsed]);
  };
  const loadUrl = withSettings(url, LOAD_SETTINGS);
  let opened: DatabaseHandle | undefined;
  await step('migrations', async () => {
    opened = await openDatabase({ driver: 'postgres', url: loadUrl });
  });
  if (opened === undefined) throw new Error('the scale database did not open');
  const handle = opened;
  const { db } = handle;
  try {
    await step('reps and goals', () => insertPeople(db, shape));
    // Statement triggers on the log keep the summaries; a rebuild makes them afterwards.
    await db.execute(sql`alter table activities disable trigger user`);
    const indexes = await deferrableIndexes(db);
    // Unlogged while loading: each row's WAL was most of a load's time on a busy server (waits on
    // WALWrite), where SET LOGGED afterwards writes each table to the WAL in bulk, once.
    await step(`drop ${indexes.length} indexes, tables unlogged (${LOADED_TABLES.join(', ')})`, async () => {
      for (const index of indexes) await db.execute(sql`drop index ${sql.identifier(index.name)}`);
      for (const table of LOADED_TABLES) await db.execute(sql`alter table ${sql.identifier(table)} set unlogged`);
    });
    await step(`insert ${shape.activities.toLocaleString('en-US')} entries`, () =>
      insertActivitySlices(db, shape, ROWS_PER_INSERT),
    );
    await db.execute(sql`alter table activities enable trigger user`);
    // Statistics of the loaded log, or the rebuild is planned for the empty table it was.
    await step('analyze the log', () => db.execute(sql`analyze activities`));
    await step('rebuild the summaries (kpi-bot db rebuild-summaries)', () => rebuildSummaries(loadUrl));
    await step('tables logged again', async () => {
      for (const table of LOADED_TABLES) await db.execute(sql`alter table ${sql.identifier(table)} set logged`);
    });
    // After SET LOGGED, which would rebuild them once more; one at a time, each in parallel workers.
    await step('build the indexes again', async () => {
      for (const index of indexes) await db.execute(sql.raw(index.definition));
    });
    await step('vacuum analyze', () => db.execute(sql`vacuum analyze`));
  } finally {
    await handle.close();
  }
  return { steps };
}

/** The log and the summary tables built from it: what the load writes. */
const LOADED_TABLES = ['activities', 'activity_summary', 'activity_days'] as const;

/**
 * What the generator may drop during the load and build again after it: every index of the log and
 * of its summaries but the primary keys (the load repeats no key, and building a unique index again
 * checks that). A rebuild only appends to summaries it finds empty, so it needs none of them.
 */
async function deferrableIndexes(db: DatabaseHandle['db']): Promise<{ name: string; definition: string }[]> {
  const query: SQL = sql`select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i join pg_class t on t.oid = i.indrelid
    where t.relnamespace = 'public'::regnamespace and not i.indisprimary
      and t.relname in (${sql.join(
        LOADED_TABLES.map((table) => sql`${table}`),
        sql`, `,
      )})
    order by 1`;
  return queryRows<{ name: string; definition: string }>(db, query);
}

async function rebuildSummaries(url: string): Promise<void> {
  const output: string[] = [];
  const code = await runDbCommand(['rebuild-summaries'], {
    env: { DATABASE_URL: url },
    stdout: (text) => output.push(text),
    stderr: (text) => output.push(text),
  });
  if (code !== 0) throw new Error(`kpi-bot db rebuild-summaries failed: ${output.join('')}`);
}

async function readMarker(admin: postgres.Sql, database: string): Promise<Marker | null> {
  const [row] = await admin<{ comment: string | null }[]>`
    select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${database}`;
  if (!row?.comment) return null;
  try {
    return JSON.parse(row.comment) as Marker;
  } catch {
    return null;
  }
}

function sameGeneration(found: Marker, wanted: Omit<Marker, 'dataEnd'>): boolean {
  return (
    JSON.stringify({ shape: found.shape, generator: found.generator, migrations: found.migrations }) ===
    JSON.stringify(wanted)
  );
}

/** The migrations the database was generated under: another schema means generating again. */
function migrationsDigest(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS_FOLDER)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    hash.update(file).update(readFileSync(`${MIGRATIONS_FOLDER}/${file}`));
  }
  return hash.digest('hex').slice(0, 16);
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function withSettings(url: string, settings: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(settings)) parsed.searchParams.set(key, value);
  return parsed.toString();
}
