import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { applyMigration, describeDb, openTestDatabase } from '../support/db.js';
import { dropReadRollups } from '../support/read-rollups.js';

describeDb('migration 0007 on a database with a log and no summary', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
    // Back to the schema before 0007, with a log already written: two reps, an undo, a gated note.
    await dropReadRollups(database);
    await database.db.execute(sql`drop view activity_summary_from_log`);
    await database.db.execute(sql`drop table activity_summary cascade`);
    await database.db.execute(sql`drop function activity_summary_apply cascade`);
    await database.db.execute(sql`drop function activity_note_chars`);
    await database.db.execute(sql`drop function activity_bucket`);
    await database.db.execute(sql`
      insert into activities (id, workspace_id, user_id, kind, quantity, amount_cents, occurred_at, source, idempotency_key, note, reverses_id) values
        (1, 'TA', 'U1', 'call', 3, 0, '2026-03-02T09:01:00Z', 'slack', 'a', null, null),
        (2, 'TA', 'U1', 'call', 2, 0, '2026-03-02T09:14:59Z', 'slack', 'b', null, null),
        (3, 'TA', 'U1', 'deal_won', 1, 500000, '2026-03-02T09:15:00Z', 'hubspot', 'c', 'a long enough note', null),
        (4, 'TA', 'U1', 'deal_won', -1, -500000, '2026-03-02T09:15:00Z', 'hubspot', 'undo:3', 'undo', 3),
        (5, 'TB', 'U2', 'email', 4, 0, '2026-03-02T23:59:59Z', 'slack', 'd', null, null)`);
  });
  afterAll(async () => {
    await database.close();
  });

  it('backfills the summary from the existing log, and keeps it from then on', async () => {
    await applyMigration(database, '0007_');
    const summary = () =>
      queryRows<Record<string, unknown>>(
        database.db,
        sql`select workspace_id, user_id, to_char(bucket at time zone 'UTC', 'HH24:MI') as at, kind, note_chars, entries,
              quantity::int as quantity, amount_cents::float8 as amount_cents, unpriced_quantity::int as unpriced
            from activity_summary order by 1, 2, 3, 4`,
      );
    expect(await summary()).toEqual([
      {
        workspace_id: 'TA',
        user_id: 'U1',
        at: '09:00',
        kind: 'call',
        note_chars: 0,
        entries: 2,
        quantity: 5,
        amount_cents: 0,
        unpriced: 5,
      },
      // The undo carries its original's note length, so a gate takes back exactly what it gave.
      {
        workspace_id: 'TA',
        user_id: 'U1',
        at: '09:15',
        kind: 'deal_won',
        note_chars: 18,
        entries: 2,
        quantity: 0,
        amount_cents: 0,
        unpriced: 0,
      },
      {
        workspace_id: 'TB',
        user_id: 'U2',
        at: '23:45',
        kind: 'email',
        note_chars: 0,
        entries: 1,
        quantity: 4,
        amount_cents: 0,
        unpriced: 4,
      },
    ]);
    await database.db.execute(sql`
      insert into activities (id, workspace_id, user_id, kind, quantity, amount_cents, occurred_at, source, idempotency_key)
      values (6, 'TB', 'U2', 'email', 1, 0, '2026-03-02T23:50:00Z', 'slack', 'e')`);
    expect((await summary()).at(-1)).toMatchObject({ workspace_id: 'TB', entries: 2, quantity: 5 });
  });
});
