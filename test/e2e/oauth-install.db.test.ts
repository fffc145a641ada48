import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { crmConnections, crmEvents, installations, workspaces } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import type { EncryptionKeys } from '../../src/lib/secret-box.js';
import { describeDb, openTestDatabase, TEST_DB } from '../support/db.js';
import { signHubSpotV3 } from '../support/fake-hubspot.js';
import { type FakeSlack, type RecordedResponse, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';
import { ADMIN_URL } from '../support/test-env.js';

const HUBSPOT_SECRET = 'one-hubspot-app-for-every-workspace';
const KEY_1 = Buffer.alloc(32, 1);
const KEY_2 = Buffer.alloc(32, 2);

/** Many workspaces: the OAuth install stores the installation, commands are authorised from it. */
describeDb('many-workspace mode (OAuth)', () => {
  let fake: FakeSlack;
  let database: DatabaseHandle;
  let replica: OAuthReplica;
  let url: string;

  /** Starts the app on the shared database; a restart with other keys is a key rotation. */
  async function startReplica(encryption: EncryptionKeys) {
    replica = await startOAuthReplica({
      fake,
      database,
      crm: parseCrmConfig({ HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET }, []),
      encryption,
    });
    url = replica.url;
  }

  beforeAll(async () => {
    fake = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
    database = await openTestDatabase();
    await startReplica({ current: KEY_1, previous: [] });
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

  async function deliver(portalId: number, eventId: number = portalId) {
    const body = JSON.stringify([
      {
        eventId,
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
  }

  it('routes one HubSpot app to each workspace by the portal an admin connected', async () => {
    const refused = await kpi('TAAA', 'UREP', 'crm connect hubspot 62515', 'h0');
    expect(refused.reply?.body.text).toContain('Only a workspace admin');
    const connected = await kpi('TAAA', 'UADM', 'crm connect hubspot 62515', 'h1', true);
    expect(JSON.stringify(connected.reply?.body)).toContain('/webhooks/hubspot');
    const ours = await deliver(62515);
    expect(ours.status).toBe(200);
    const stored = await database.db.select().from(crmEvents).where(eq(crmEvents.source, 'hubspot'));
    expect(stored.map((e) => e.workspaceId)).toEqual(['TAAA']);
    const stranger = await deliver(999);
    expect(stranger.status).toBe(404);
    expect(await database.db.select().from(crmEvents).where(eq(crmEvents.source, 'hubspot'))).toHaveLength(1);
  });

  it("refuses a second workspace's claim of a connected portal, and routes every batch to the first", async () => {
    await install('TCCC', 'code-c');
    const claim = await kpi('TCCC', 'UADC', 'crm connect hubspot 62515', 'c1', true);
    const text = JSON.stringify(claim.reply?.body);
    expect(text).toContain('already connected to another workspace');
    expect(text).toContain('/kpi crm connect hubspot');
    const theirs = await database.db.select().from(crmConnections).where(eq(crmConnections.workspaceId, 'TCCC'));
    expect(theirs).toEqual([]);
    // A second row for the portal cannot exist, whatever path writes it.
    await expect(
      database.db.insert(crmConnections).values({
        id: 'forged',
        workspaceId: 'TCCC',
        source: 'hubspot',
        accountId: '62515',
        secret: 'x',
        createdBy: 'UADC',
      }),
    ).rejects.toThrow();
    for (let i = 1; i <= 15; i++) expect((await deliver(62515, 1000 + i)).status).toBe(200);
    const stored = await database.db.select().from(crmEvents).where(eq(crmEvents.source, 'hubspot'));
    expect(new Set(stored.map((e) => e.workspaceId))).toEqual(new Set(['TAAA']));
    expect(stored).toHaveLength(16);
  });

  /** Every stored secret in the database as text, and the secrets it must not show. */
  async function storedSecrets() {
    const rows = await queryRows<{ text: string }>(
      database.db,
      sql`select data::text as text from installations union all select secret from crm_connections`,
    );
    return rows.map((r) => r.text).join('\n');
  }
  const secretsGiven: string[] = ['xoxb-TAAA-code-a', 'xoxb-TCCC-code-c'];

  it('stores bot tokens and CRM secrets encrypted, and still serves from them', async () => {
    for (const [crm, id] of [
      ['generic', 'g1'],
      ['pipedrive', 'p1'],
      ['salesforce 00D000000000001AAA', 's1'],
    ] as const) {
      const reply = await kpi('TAAA', 'UADM', `crm connect ${crm}`, id, true);
      const text = JSON.stringify(reply.reply?.body);
      const secret = /whsec_[A-Za-z0-9+/=]+|password `([^`]+)`|token=([A-Za-z0-9_-]+)/.exec(text);
      expect(secret).not.toBeNull();
      secretsGiven.push(secret?.[2] ?? secret?.[3] ?? secret?.[0] ?? '');
    }
    const stored = await storedSecrets();
    expect(stored).toContain('kpi-enc:v1:');
    for (const secret of secretsGiven) expect(stored).not.toContain(secret);
    expect((await kpi('TAAA', 'U1', 'log calls 2', 'a4')).reply?.body.text).toBe('Logged 2 calls.');
  });

  it('re-encrypts every stored secret under a new key at start-up, reading the old one meanwhile', async () => {
    const before = await storedSecrets();
    await replica.stop();
    await startReplica({ current: KEY_2, previous: [KEY_1] });
    const after = await storedSecrets();
    const keyIds = (text: string) => new Set([...text.matchAll(/kpi-enc:v1:([0-9a-f]{8}):/g)].map((m) => m[1]));
    expect(keyIds(before).size).toBe(1);
    expect(keyIds(after).size).toBe(1);
    expect([...keyIds(after)]).not.toEqual([...keyIds(before)]);
    expect((await kpi('TAAA', 'U1', 'log calls 1', 'a5')).reply?.body.text).toBe('Logged 1 call.');
    expect((await replica.bot.jobDeps.slackFor('TAAA'))?.token).toBe('xoxb-TAAA-code-a');
    // The old key is no longer needed.
    await replica.stop();
    await startReplica({ current: KEY_2, previous: [] });
    expect((await kpi('TAAA', 'U1', 'log calls 1', 'a6')).reply?.body.text).toBe('Logged 1 call.');
    expect((await replica.bot.jobDeps.slackFor('TAAA'))?.token).toBe('xoxb-TAAA-code-a');
  });

  it.runIf(TEST_DB === 'postgres')('leaves no token in a pg_dump of the database', async () => {
    const [row] = await queryRows<{ name: string }>(database.db, sql`select current_database() as name`);
    const target = new URL(ADMIN_URL);
    target.pathname = `/${row?.name}`;
    const { stdout } = await promisify(execFile)('pg_dump', ['--no-owner', target.toString()], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(stdout).toContain('COPY public.installations');
    expect(stdout).toContain('kpi-enc:v1:');
    for (const secret of secretsGiven) expect(stdout).not.toContain(secret);
    expect(stdout).not.toMatch(/xox[abpe]-/);
  });
});
