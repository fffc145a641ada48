import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { crmEvents, installations, workspaces } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { signHubSpotV3 } from '../support/fake-hubspot.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';

const HUBSPOT_SECRET = 'one-hubspot-app-for-every-workspace';

/** Many workspaces: the OAuth install stores the installation, commands are authorised from it. */
describeDb('many-workspace mode (OAuth)', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let replica: OAuthReplica;
  let url: string;

  beforeAll(async () => {
    fake = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
    database = await openTestDatabase();
    replica = await startOAuthReplica({
      fake,
      database,
      crm: parseCrmConfig({ HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET }, []),
    });
    url = replica.url;
  });
  afterAll(async () => {
    await replica.stop();
    await fake.close();
    await database.close();
  });

  const install = (teamId: string, code: string) => replica.install(teamId, code);

  async function kpi(
    teamId: string,
    userId: string,
    text: string,
    id: string,
    isAdmin = false,
  ): Promise<{ status: number; reply?: RecordedResponse }> {
    fake.addUser({ id: userId, teamId, name: userId, tz: 'UTC', isAdmin });
    const answer = await replica.kpi(teamId, userId, text, id);
    return typeof answer === 'number' ? { status: answer } : { status: 200, reply: answer };
  }

  it('installs through /slack/install, stores the installation and answers that workspace', async () => {
    await install('TAAA', 'code-a');
    const rows = await database.db.select().from(installations).where(eq(installations.teamId, 'TAAA'));
    expect(rows).toHaveLength(1);
    const ws = await database.db.select().from(workspaces).where(eq(workspaces.id, 'TAAA'));
    expect(ws[0]?.installedAt).toBeInstanceOf(Date);
    const { reply } = await kpi('TAAA', 'U1', 'log calls 3', 'a1');
    expect(reply?.body.text).toBe('Logged 3 calls.');
    // The reply used the installed workspace's own bot token.
    expect(fake.callsTo('users.info').at(-1)?.token).toBe('xoxb-TAAA-code-a');
  });

  it("keeps each workspace's data to itself", async () => {
    await install('TBBB', 'code-b');
    await kpi('TBBB', 'U1', 'log deal won $50k', 'b1');
    const board = await kpi('TAAA', 'U1', 'board', 'a2');
    expect(JSON.stringify(board.reply?.body)).not.toContain('$50,000');
  });

  it('forgets the tokens on app_uninstalled and then refuses that workspace', async () => {
    expect(await replica.event('TBBB', { type: 'app_uninstalled' }, 'Ev-uninstall')).toBe(200);
    await expect
      .poll(async () => (await database.db.select().from(installations).where(eq(installations.teamId, 'TBBB'))).length)
      .toBe(0);
    const after = await kpi('TBBB', 'U1', 'me', 'b2');
    expect(after.reply).toBeUndefined();
    expect(after.status).toBe(401);
    // The other workspace is untouched.
    expect((await kpi('TAAA', 'U1', 'log calls 1', 'a3')).reply?.body.text).toBe('Logged 1 call.');
  });

  it('routes one HubSpot app to each workspace by the portal an admin connected', async () => {
    const refused = await kpi('TAAA', 'UREP', 'crm connect hubspot 62515', 'h0');
    expect(refused.reply?.body.text).toContain('Only a workspace admin');
    const connected = await kpi('TAAA', 'UADM', 'crm connect hubspot 62515', 'h1', true);
    expect(JSON.stringify(connected.reply?.body)).toContain('/webhooks/hubspot');
    const deliver = async (portalId: number) => {
      const body = JSON.stringify([
        {
          eventId: portalId,
          subscriptionId: 1,
          portalId,
          appId: 1,
          occurredAt: Date.now(),
          subscriptionType: 'deal.creation',
          attemptNumber: 0,
          objectId: 77,
          changeSource: 'CRM',
        },
      ]);
      const endpoint = `${url}/webhooks/hubspot`;
      const headers = signHubSpotV3(body, {
        clientSecret: HUBSPOT_SECRET,
        method: 'POST',
        url: endpoint,
        timestamp: Date.now(),
      });
      return fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    };
    const ours = await deliver(62515);
    expect(ours.status).toBe(200);
    const stored = await database.db.select().from(crmEvents).where(eq(crmEvents.source, 'hubspot'));
    expect(stored.map((e) => e.workspaceId)).toEqual(['TAAA']);
    const stranger = await deliver(999);
    expect(stranger.status).toBe(404);
    expect(await database.db.select().from(crmEvents).where(eq(crmEvents.source, 'hubspot'))).toHaveLength(1);
  });
});
