import { eq, getTableName, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { installations, schema, workspaces } from '../../src/db/schema.js';
import { PURGE_GRACE_DAYS, WORKSPACE_TABLES } from '../../src/privacy/workspace-purge.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';

const DAY = 24 * 60 * 60 * 1000;

/** Uninstalling starts a grace period; the purge job then deletes every row of the workspace, unless it came back. */
describeDb('purge after uninstall (OAuth mode, signed events, the catalogued job)', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let app: OAuthReplica;
  const clock = { now: new Date() };

  beforeAll(async () => {
    fake = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
    database = await openTestDatabase();
    app = await startOAuthReplica({ fake, database, now: () => clock.now });
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
    await database.close();
  });

  /** Rows the workspace has in each table that carries workspace_id, plus its workspace and installation rows. */
  async function footprint(workspaceId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { table, workspaceId: column } of WORKSPACE_TABLES) {
      const rows = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from ${table} where ${column} = ${workspaceId}`,
      );
      counts[getTableName(table)] = rows[0]?.n ?? 0;
    }
    counts.workspaces = (await database.db.select().from(workspaces).where(eq(workspaces.id, workspaceId))).length;
    counts.installations = (
      await database.db.select().from(installations).where(eq(installations.teamId, workspaceId))
    ).length;
    return counts;
  }

  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

  async function useApp(teamId: string, code: string) {
    await app.install(teamId, code);
    for (const [user, admin] of [
      ['U1', false],
      ['UADMIN', true],
    ] as const) {
      fake.addUser({ id: user, teamId, name: user, tz: 'UTC', isAdmin: admin });
    }
    const replies = [
      await app.kpi(teamId, 'U1', 'log calls 3', `${teamId}-1`),
      await app.kpi(teamId, 'U1', 'log deal won $5k Acme', `${teamId}-2`),
      await app.kpi(teamId, 'U1', 'goal meetings 12', `${teamId}-3`),
      await app.kpi(teamId, 'UADMIN', 'role <@U1> manager', `${teamId}-4`),
    ];
    for (const reply of replies) expect((reply as RecordedResponse).body.text).not.toContain('Sorry');
  }

  const uninstall = (teamId: string) =>
    app.event(teamId, { type: 'app_uninstalled' }, `Ev-${teamId}-${clock.now.getTime()}`);

  it('knows every table: all but workspaces and installations carry workspace_id and are purged', () => {
    const purged = WORKSPACE_TABLES.map((t) => getTableName(t.table)).sort();
    const all = Object.values(schema)
      .map((t) => getTableName(t))
      .sort();
    expect(all.filter((name) => !purged.includes(name))).toEqual(['installations', 'workspaces']);
  });

  it(`keeps the data for ${PURGE_GRACE_DAYS} days after an uninstall, then deletes all of it and nothing else`, async () => {
    const start = new Date();
    clock.now = start;
    await useApp('TPURGE1', 'code-p1');
    await useApp('TKEEP01', 'code-k1');
    const kept = await footprint('TKEEP01');
    const before = await footprint('TPURGE1');
    expect(before.activities).toBeGreaterThan(0);
    expect(before.goals).toBe(1);
    expect(before.audit_log).toBe(1);

    expect(await uninstall('TPURGE1')).toBe(200);
    await expect.poll(async () => (await footprint('TPURGE1')).installations).toBe(0);

    const early = await app.bot.runJob('purge-uninstalled', new Date(start.getTime() + (PURGE_GRACE_DAYS - 1) * DAY));
    expect(early).toEqual({ purged: 0 });
    expect((await footprint('TPURGE1')).activities).toBe(before.activities);

    const due = await app.bot.runJob('purge-uninstalled', new Date(start.getTime() + (PURGE_GRACE_DAYS + 1) * DAY));
    expect(due).toEqual({ purged: 1 });
    expect(total(await footprint('TPURGE1'))).toBe(0);
    expect(await footprint('TKEEP01')).toEqual(kept);
    // Run again (a second replica, a retry): nothing left to do.
    expect(await app.bot.runJob('purge-uninstalled', new Date(start.getTime() + 40 * DAY))).toEqual({ purged: 0 });
  });

  it('cancels the purge when the workspace reinstalls within the grace period', async () => {
    const start = new Date();
    clock.now = start;
    await useApp('TBACK01', 'code-b1');
    const before = await footprint('TBACK01');
    expect(await uninstall('TBACK01')).toBe(200);
    await expect.poll(async () => (await footprint('TBACK01')).installations).toBe(0);

    clock.now = new Date(start.getTime() + 10 * DAY);
    await app.install('TBACK01', 'code-b2');
    const later = await app.bot.runJob('purge-uninstalled', new Date(start.getTime() + (PURGE_GRACE_DAYS + 5) * DAY));
    expect(later).toEqual({ purged: 0 });
    expect((await footprint('TBACK01')).activities).toBe(before.activities);
    const reply = await app.kpi('TBACK01', 'U1', 'me', 'back-me');
    expect((reply as RecordedResponse).body.text).not.toContain('Sorry');
  });
});
