import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { applyMigration, describeDb, openTestDatabase } from '../support/db.js';
import { dropReadRollups } from '../support/read-rollups.js';

describeDb('migration 0009 (read_rollups) on a database with a log and no per-day roll-up', () => {
  let database: DatabaseHandle;
  const days = () =>
    queryRows<Record<string, unknown>>(
      database.db,
      sql`select d.user_id, z.zone, d.day::text as day, d.kind, d.note_chars, d.entries, d.quantity::int as quantity,
            d.amount_cents::float8 as amount_cents
          from activity_days d join activity_day_zones z using (workspace_id, user_id) order by 1, 3, 4`,
    );
  beforeAll(async () => {
    database = await openTestDatabase();
    await dropReadRollups(database);
    // U1 in Kathmandu (+05:45), U2 with no member row (the workspace's New York), U3 with a zone
    // PostgreSQL does not know (UTC); a deal won and its undo.
    await database.db.execute(sql`
      insert into workspaces (id, name, default_timezone, installed_at) values ('TA', 'A', 'America/New_York', now())`);
    await database.db.execute(sql`
      insert into members (workspace_id, user_id, display_name, timezone) values
        ('TA', 'U1', 'One', 'Asia/Kathmandu'), ('TA', 'U3', 'Three', 'Mars/Olympus_Mons')`);
    await database.db.execute(sql`
      insert into activities (id, workspace_id, user_id, kind, quantity, amount_cents, occurred_at, source, idempotency_key, note, reverses_id) values
        (1, 'TA', 'U1', 'call', 3, 0, '2026-03-02T18:14:00Z', 'slack', 'a', null, null),
        (2, 'TA', 'U1', 'call', 2, 0, '2026-03-02T18:15:00Z', 'slack', 'b', null, null),
        (3, 'TA', 'U2', 'deal_won', 1, 500000, '2026-03-02T03:00:00Z', 'hubspot', 'c', 'a long enough note', null),
        (4, 'TA', 'U2', 'deal_won', -1, -500000, '2026-03-02T03:00:00Z', 'hubspot', 'undo:3', 'undo', 3),
        (5, 'TA', 'U3', 'email', 4, 0, '2026-03-02T23:59:59Z', 'slack', 'd', null, null),
        (7, 'TA', 'U4', 'meeting', 1, 0, '2026-03-02T03:00:00Z', 'slack', 'f', null, null)`);
  });
  afterAll(async () => {
    await database.close();
  });

  it('backfills each rep’s days in their zone, and rebuilds them when their zone or the workspace’s changes', async () => {
    await applyMigration(database, '0009_');
    const row = (user: string, zone: string, day: string, kind: string, more: Record<string, number>) => ({
      user_id: user,
      zone,
      day,
      kind,
      note_chars: 0,
      entries: 1,
      quantity: 1,
      amount_cents: 0,
      ...more,
    });
    expect(await days()).toEqual([
      // 18:14 UTC is 23:59 in Kathmandu, 18:15 is past its midnight.
      row('U1', 'Asia/Kathmandu', '2026-03-02', 'call', { quantity: 3 }),
      row('U1', 'Asia/Kathmandu', '2026-03-03', 'call', { quantity: 2 }),
      // The undo carries its original's note length, so it nets out in the same row.
      row('U2', 'America/New_York', '2026-03-01', 'deal_won', { note_chars: 18, entries: 2, quantity: 0 }),
      row('U3', 'UTC', '2026-03-02', 'email', { quantity: 4 }),
      row('U4', 'America/New_York', '2026-03-01', 'meeting', {}),
    ]);

    // U1 moves to UTC and U2 becomes a member in Tokyo: their days move with them.
    await database.db.execute(sql`update members set timezone = 'UTC' where workspace_id = 'TA' and user_id = 'U1'`);
    await database.db.execute(sql`
      insert into members (workspace_id, user_id, display_name, timezone) values ('TA', 'U2', 'Two', 'Asia/Tokyo')`);
    // And new entries are kept in the new zones.
    await database.db.execute(sql`
      insert into activities (id, workspace_id, user_id, kind, quantity, amount_cents, occurred_at, source, idempotency_key)
      values (6, 'TA', 'U1', 'call', 1, 0, '2026-03-02T23:00:00Z', 'slack', 'e')`);
    expect(await days()).toEqual([
      row('U1', 'UTC', '2026-03-02', 'call', { entries: 3, quantity: 6 }),
      row('U2', 'Asia/Tokyo', '2026-03-02', 'deal_won', { note_chars: 18, entries: 2, quantity: 0 }),
      row('U3', 'UTC', '2026-03-02', 'email', { quantity: 4 }),
      row('U4', 'America/New_York', '2026-03-01', 'meeting', {}),
    ]);

    // The workspace's default zone moves: U4, a rep with no zone of their own, moves with it.
    await database.db.execute(sql`update workspaces set default_timezone = 'Asia/Tokyo' where id = 'TA'`);
    expect((await days()).at(-1)).toEqual(row('U4', 'Asia/Tokyo', '2026-03-02', 'meeting', {}));
  });
});
