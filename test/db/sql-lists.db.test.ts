import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { oneOf } from '../../src/db/sql-lists.js';
import { describeDb, openTestDatabase } from '../support/db.js';

// Values a Slack ID never holds, but a list must still carry them whole: quotes, commas, braces,
// backslashes, JSON's own characters, non-ASCII and the word NULL.
const AWKWARD = ["U'1", 'U,2', 'U"3', 'U{4}', 'a\\b', '[5]', 'Ü6', 'NULL', ''];
const OTHERS = ['x', 'U1', 'U', 'null', 'u,2'];

describeDb('oneOf', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const matching = async (values: readonly string[]) => {
    const candidates = sql.join(
      [...AWKWARD, ...OTHERS].map((v) => sql`(${v})`),
      sql`, `,
    );
    const rows = await queryRows<{ v: string }>(
      database.db,
      sql`select v from (values ${candidates}) t(v) where ${oneOf(sql`v`, values)} order by v`,
    );
    return rows.map((r) => r.v);
  };

  it('matches exactly the values listed, however they are written', async () => {
    expect(await matching(AWKWARD)).toEqual([...AWKWARD].sort(byCodePoint));
    expect(await matching(['U,2', 'NULL'])).toEqual(['NULL', 'U,2']);
  });

  it('matches one value, and none for an empty list', async () => {
    expect(await matching(["U'1"])).toEqual(["U'1"]);
    expect(await matching([])).toEqual([]);
  });
});

/** PostgreSQL's order for these (the test databases' collation is C). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
