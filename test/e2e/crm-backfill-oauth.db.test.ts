import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { closeAll, crmOAuthFlow } from '../support/crm-oauth-flow.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type FakeHubSpot, putCalls, startFakeHubSpot } from '../support/fake-hubspot.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';

/**
 * A backfill in many-workspace mode, on the workspace's own OAuth grant: the admin connects their
 * HubSpot portal, asks for its history, and the run reads it with the workspace's token, refreshing
 * it when it nears its end halfway through, into that workspace alone. The app's waits move the
 * test's clock (which is also the fake's), so the fake's limits hold without real seconds passing.
 */

const HUBSPOT_CLIENT_ID = 'b2c3d4e5-hubspot-client-id';
const HUBSPOT_SECRET = 'the-hubspot-app-secret-of-every-workspace';
const PUBLIC_URL = 'https://kpi.example.com';
const PORTAL = 71234;
const ANA = { id: '88', email: 'ana@acme.test', firstName: 'Ana', lastName: 'Lopez' };
const CALLS = 1_200;
const DAY = 86_400_000;
const TOKEN = '/oauth/2026-03/token';
const CALL_SEARCH = '/crm/v3/objects/calls/search';

const clock = { now: new Date('2026-11-18T15:00:00Z') };
let slack: FakeSlack;
let hubspot: FakeHubSpot;
let database: DatabaseHandle;
let replica: OAuthReplica;

const flow = crmOAuthFlow(
  () => slack,
  () => replica,
);

async function callsLogged(teamId: string): Promise<{ entries: number; calls: number }> {
  const [row] = await queryRows<{ entries: number; calls: number }>(
    database.db,
    sql`select count(*)::int as entries, coalesce(sum(quantity) filter (where kind = 'call'), 0)::int as calls
        from activities where workspace_id = ${teamId}`,
  );
  return row ?? { entries: 0, calls: 0 };
}

describeDb('a backfill on a workspace OAuth grant', () => {
  beforeAll(async () => {
    slack = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
    hubspot = await startFakeHubSpot({
      oauth: {
        clientId: HUBSPOT_CLIENT_ID,
        clientSecret: HUBSPOT_SECRET,
        redirectUri: `${PUBLIC_URL}/crm/oauth/hubspot/callback`,
      },
      now: () => clock.now,
    });
    database = await openTestDatabase();
    const crm = parseCrmConfig(
      { HUBSPOT_CLIENT_ID, HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET, HUBSPOT_API_URL: hubspot.baseUrl, PUBLIC_URL },
      [],
    );
    replica = await startOAuthReplica({
      fake: slack,
      database,
      crm,
      now: () => clock.now,
      sleep: async (ms) => {
        clock.now = new Date(clock.now.getTime() + ms);
      },
    });
    await replica.install('TAAA', 'code-a');
    await replica.install('TBBB', 'code-b');
    hubspot.addOwner(ANA);
    // Ana is a member of the first workspace only: her calls are credited there by her email.
    slack.addUser({ id: 'UANA', teamId: 'TAAA', name: 'ana', displayName: 'Ana', email: ANA.email, tz: 'UTC' });
    putCalls(hubspot, {
      ownerId: ANA.id,
      count: CALLS,
      from: new Date(clock.now.getTime() - 80 * DAY),
      spanMs: 70 * DAY,
      firstId: 700_000,
    });
  }, 60_000);
  afterAll(() => closeAll(replica, hubspot, slack, database));

  it('reads the portal with the workspace token, refreshed halfway, into that workspace only', async () => {
    const state = (await flow.authorizeUrl('TAAA', 'UADM', 'hubspot')).searchParams.get('state') ?? '';
    expect((await flow.callback('hubspot', { code: hubspot.approve(PORTAL), state })).status).toBe(200);
    hubspot.calls.length = 0;

    // Halfway through the calls, 26 minutes pass: the 30-minute token has under 5 minutes left.
    let moved = false;
    const watch = setInterval(() => {
      const searched = hubspot.calls.filter((c) => c.path === CALL_SEARCH).length;
      if (!moved && searched >= CALLS / 200 / 2) {
        moved = true;
        clock.now = new Date(clock.now.getTime() + 26 * 60_000);
      }
    }, 1);
    try {
      const reply = await flow.kpi('TAAA', 'UADM', 'crm backfill hubspot', true);
      expect(JSON.stringify(reply.body)).toMatch(/HubSpot/);
      await replica.bot.backfills.idle();
    } finally {
      clearInterval(watch);
    }
    expect(moved).toBe(true);

    const [run] = await replica.bot.backfills.latest('TAAA');
    expect(run).toMatchObject({ source: 'hubspot', status: 'done', error: null });
    expect(await callsLogged('TAAA')).toEqual({ entries: CALLS, calls: CALLS });
    expect(await callsLogged('TBBB')).toEqual({ entries: 0, calls: 0 });

    // One refresh, before the token ran out: no read was refused (an association read of records
    // without links is HubSpot's 207), on two tokens of the portal.
    const refreshes = hubspot.calls.filter((c) => c.path === TOKEN);
    expect(refreshes.map((c) => c.status)).toEqual([200]);
    expect(String(refreshes[0]?.body)).toContain('grant_type=refresh_token');
    const reads = hubspot.calls.filter((c) => c.path !== TOKEN);
    expect(reads.filter((c) => c.status >= 300)).toEqual([]);
    const tokens = new Set(reads.map((c) => c.authorization));
    expect(tokens.size).toBe(2);
    for (const token of tokens) expect(token).toMatch(new RegExp(`^Bearer hs-at-${PORTAL}-`));

    // The other workspace has no grant: its admin is told so, and nothing is read for it.
    const refused = await flow.kpi('TBBB', 'UBADM', 'crm backfill hubspot', true);
    expect(JSON.stringify(refused.body)).toMatch(/connect/i);
    expect(await replica.bot.backfills.latest('TBBB')).toEqual([]);
  }, 120_000);
});
