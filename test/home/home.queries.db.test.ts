import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { activities, goals, members } from '../../src/db/schema.js';
import { parseSettings } from '../../src/game/settings.js';
import { type HomeSection, type HomeViewer, loadHome } from '../../src/home/home.queries.js';
import { createLogger } from '../../src/lib/logger.js';
import { getMember } from '../../src/members/members.repository.js';
import { describeDb, newWorkspaceId, openTestDatabase, TEST_DB } from '../support/db.js';
import { memoryBackfills } from '../support/memory-backfills.js';

const NOW = new Date('2026-11-18T15:00:00Z');

/** Opening the Home tab costs the same queries for a team of 3 as for a team of 60: no query per person. */
describeDb('loadHome', () => {
  let database: DatabaseHandle;
  let counted: Database;
  let queries = 0;

  beforeAll(async () => {
    database = await openTestDatabase();
    // The same connection, through a drizzle instance that counts the statements it sends.
    const logger = { logQuery: () => void queries++ };
    const client = (database.db as unknown as { $client: unknown }).$client;
    counted =
      TEST_DB === 'pglite'
        ? (drizzlePglite(client as PGlite, { schema, logger }) as unknown as Database)
        : (drizzlePostgres(client as Sql, { schema, logger }) as unknown as Database);
  });
  afterAll(async () => database.close());

  async function team(size: number): Promise<{ workspaceId: string; viewer: HomeViewer }> {
    const workspaceId = newWorkspaceId();
    const reps = Array.from({ length: size }, (_, i) => `UREP${i}`);
    await database.db.insert(members).values([
      { workspaceId, userId: 'UMGR', displayName: 'Morgan', role: 'manager', timezone: 'America/New_York' },
      ...reps.map((userId, i) => ({
        workspaceId,
        userId,
        displayName: `Rep ${i}`,
        managerId: 'UMGR',
        timezone: 'America/New_York',
      })),
    ]);
    await database.db.insert(activities).values(
      reps.map((userId, i) => ({
        workspaceId,
        userId,
        kind: 'call',
        quantity: i + 1,
        occurredAt: new Date('2026-11-17T15:00:00Z'),
        source: 'slack',
        idempotencyKey: `k${i}`,
      })),
    );
    await database.db.insert(goals).values([
      { workspaceId, userId: 'UMGR', metric: 'calls', target: 10, period: 'week', setBy: 'UMGR' },
      ...reps.map((userId) => ({
        workspaceId,
        userId,
        metric: 'calls',
        target: 50,
        period: 'week' as const,
        setBy: 'UMGR',
      })),
    ]);
    const member = await getMember(database.db, workspaceId, 'UMGR');
    if (!member) throw new Error('no manager');
    return {
      workspaceId,
      viewer: {
        member,
        client: null,
        logger: createLogger('silent'),
        timezone: 'America/New_York',
        currency: 'USD',
        settings: parseSettings({}),
        now: NOW,
      },
    };
  }

  async function countQueries(size: number): Promise<{ count: number; sections: HomeSection[] }> {
    const { viewer } = await team(size);
    queries = 0;
    const sections = await loadHome(counted, viewer);
    return { count: queries, sections };
  }

  it('loads a manager’s scorecard, goals and team with a fixed number of queries', async () => {
    const small = await countQueries(3);
    const large = await countQueries(60);
    // Counting works (19 statements: scorecard, goals and team 13, contests 2, game 2, and the
    // manager's settings section 2: live boards and unmatched CRM owners), and the count does not
    // grow with the team.
    expect(small.count).toBeGreaterThan(0);
    expect(small.count).toBeLessThanOrEqual(19);
    expect(large.count).toBe(small.count);
    // No contest is running, so that section is left out.
    expect(small.sections.map((s) => s.kind)).toEqual(['scorecard', 'goals', 'game', 'team', 'settings']);
    const teamSection = large.sections.find((s) => s.kind === 'team');
    expect(teamSection?.kind === 'team' && teamSection.rows).toHaveLength(60);
    const rep = teamSection?.kind === 'team' ? teamSection.rows.find((r) => r.name === 'Rep 59') : undefined;
    expect(rep?.figures.map((f) => [f.def.key, f.result])).toContainEqual(['calls', { status: 'ok', value: 60 }]);
    expect(rep?.goals).toBe(1);
  });

  it("gives an admin each readable CRM and its latest backfill's line; a manager neither", async () => {
    const { workspaceId, viewer } = await team(1);
    const backfills = memoryBackfills({ connected: ['pipedrive'], now: () => NOW });
    const window = { since: new Date('2026-09-01T00:00:00Z'), until: NOW };
    await backfills.start({ workspaceId, source: 'pipedrive', window, requestedBy: 'UMGR' });
    const crmBackfill = { backfills, fromEnvironment: ['hubspot' as const] };
    const settingsOf = (sections: HomeSection[]) => sections.find((s) => s.kind === 'settings');
    const asManager = settingsOf(await loadHome(database.db, { ...viewer, crmBackfill }));
    expect(asManager?.kind === 'settings' && asManager.crm).toBeNull();
    const admin = { ...viewer.member, role: 'admin' as const };
    const asAdmin = settingsOf(await loadHome(database.db, { ...viewer, member: admin, crmBackfill }));
    expect(asAdmin?.kind === 'settings' && asAdmin.crm).toMatchObject({
      backfillable: ['hubspot'],
      backfills: [{ source: 'pipedrive', line: 'Pipedrive: 0 deals so far' }],
    });
  });
});
