import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { applyMigration, describeDb, openTestDatabase } from '../support/db.js';

describeDb('migration 0005 on a database where two workspaces claimed one CRM account', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
    // Back to the schema before 0005, with what it allowed: one portal claimed by two workspaces.
    await database.db.execute(sql`drop index crm_connections_account`);
    await database.db.execute(sql`
      insert into crm_connections (id, workspace_id, source, account_id, secret, created_by, created_at) values
        ('late', 'TA', 'hubspot', '62515', 's', 'U', '2026-02-01'),
        ('first', 'TB', 'hubspot', '62515', 's', 'U', '2026-01-01'),
        ('other', 'TC', 'hubspot', '777', 's', 'U', '2026-03-01'),
        ('pd1', 'TA', 'pipedrive', null, 's', 'U', '2026-01-01'),
        ('pd2', 'TB', 'pipedrive', null, 's', 'U', '2026-01-01')`);
  });
  afterAll(async () => {
    await database.close();
  });

  it('keeps the first claim, builds the index, and then refuses a second claim', async () => {
    await applyMigration(database, '0005_');
    const rows = await queryRows<{ id: string }>(database.db, sql`select id from crm_connections order by id`);
    // Connections without an account id (Pipedrive, generic) are all kept.
    expect(rows.map((r) => r.id)).toEqual(['first', 'other', 'pd1', 'pd2']);
    await expect(
      database.db.execute(sql`insert into crm_connections (id, workspace_id, source, account_id, secret, created_by)
        values ('again', 'TD', 'hubspot', '62515', 's', 'U')`),
    ).rejects.toThrow();
  });
});
