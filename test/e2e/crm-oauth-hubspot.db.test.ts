import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { queryRows } from '../../src/db/rows.js';
import { crmEvents, crmOauthStates } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { closeAll, connectionOf as connectionOfCrm, crmOAuthFlow } from '../support/crm-oauth-flow.js';
import { describeDb, openTestDatabase } from '../support/db.js';
import { type FakeHubSpot, signHubSpotV3, startFakeHubSpot } from '../support/fake-hubspot.js';
import { type FakeSlack, startFakeSlack } from '../support/fake-slack.js';
import { OAUTH, type OAuthReplica, startOAuthReplica } from '../support/oauth-harness.js';
import { blockActionsBody, postSigned } from '../support/slack-signing.js';

const HUBSPOT_CLIENT_ID = 'a1b2c3d4-hubspot-client-id';
const HUBSPOT_SECRET = 'one-hubspot-app-secret-for-every-workspace';
const PUBLIC_URL = 'https://kpi.example.com';
const REDIRECT_URI = `${PUBLIC_URL}/crm/oauth/hubspot/callback`;
const PORTAL = 62515;
const BATCH_READ = '/crm/v3/objects/deals/batch/read';

/**
 * Many workspaces, each connecting its own HubSpot portal by OAuth: through signed Slack commands,
 * HubSpot's consent (the fake's `approve`) and the real callback route, against a strict fake of
 * HubSpot's OAuth endpoints whose tokens expire by the test's clock.
 */
describeDb('connecting HubSpot by OAuth (many workspaces)', () => {
  const lines: string[] = [];
  const clock = { now: new Date('2026-11-18T15:00:00Z') };
  let slack: FakeSlack;
  let hubspot: FakeHubSpot;
  let database: DatabaseHandle;
  let replica: OAuthReplica;

  beforeAll(async () => {
    slack = await startFakeSlack({ clientId: OAUTH.clientId, clientSecret: OAUTH.clientSecret });
    hubspot = await startFakeHubSpot({
      oauth: { clientId: HUBSPOT_CLIENT_ID, clientSecret: HUBSPOT_SECRET, redirectUri: REDIRECT_URI },
      now: () => clock.now,
    });
    database = await openTestDatabase();
    const crm = parseCrmConfig(
      {
        HUBSPOT_CLIENT_ID,
        HUBSPOT_CLIENT_SECRET: HUBSPOT_SECRET,
        HUBSPOT_API_URL: hubspot.baseUrl,
        PUBLIC_URL,
      },
      [],
    );
    replica = await startOAuthReplica({
      fake: slack,
      database,
      crm,
      now: () => clock.now,
      logger: createLogger('trace', { write: (line: string) => void lines.push(line) }, [HUBSPOT_SECRET]),
    });
    await replica.install('TAAA', 'code-a');
    await replica.install('TBBB', 'code-b');
  });
  afterAll(() => closeAll(replica, hubspot, slack, database));

  const flow = crmOAuthFlow(
    () => slack,
    () => replica,
  );
  const kpi = flow.kpi;
  const authorizeUrl = (teamId: string, userId: string) => flow.authorizeUrl(teamId, userId, 'hubspot');

  let homeEvents = 0;
  /** The person opens the App Home tab: the view published for them. */
  async function openHome(teamId: string, userId: string, isAdmin = false): Promise<string> {
    slack.addUser({ id: userId, teamId, name: userId, tz: 'UTC', isAdmin });
    const before = slack.callsTo('views.publish').length;
    const event = { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab: 'home', event_ts: '1.0' };
    expect(await replica.event(teamId, event, `EvHome${++homeEvents}`)).toBe(200);
    await slack.waitFor(() => slack.callsTo('views.publish').length > before);
    return JSON.stringify(slack.callsTo('views.publish').at(-1)?.args.view);
  }

  /** A click on a Home tab button: the message then sent to the person's DM. */
  async function clickHome(teamId: string, userId: string, actionId: string, value: string): Promise<string> {
    const before = slack.callsTo('chat.postMessage').length;
    const body = blockActionsBody({
      type: 'block_actions',
      team: { id: teamId, domain: 'test' },
      user: { id: userId, team_id: teamId },
      api_app_id: 'A1',
      trigger_id: `trigger-home-${++homeEvents}`,
      container: { type: 'view', view_id: 'VHOME' },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1.0' }],
    });
    const res = await postSigned(`${replica.url}/slack/events`, body, {
      signingSecret: OAUTH.signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    await slack.waitFor(() => slack.callsTo('chat.postMessage').length > before);
    const dm = slack.callsTo('chat.postMessage').at(-1);
    expect(dm?.args.channel).toBe(userId);
    return JSON.stringify(dm?.args);
  }

  const callback = (query: Record<string, string>) => flow.callback('hubspot', query);

  const connectionOf = (teamId: string) => connectionOfCrm(database, teamId, 'hubspot');

  let eventIds = 0;
  async function deliver(portalId: number, dealId: number) {
    const body = JSON.stringify([
      {
        eventId: ++eventIds,
        subscriptionId: 1,
        portalId,
        appId: 1,
        occurredAt: clock.now.getTime(),
        subscriptionType: 'deal.creation',
        attemptNumber: 0,
        objectId: dealId,
        changeSource: 'CRM',
      },
    ]);
    // HubSpot signs the URL it was given: the public one, whatever proxy stands in front.
    const headers = signHubSpotV3(body, {
      clientSecret: HUBSPOT_SECRET,
      method: 'POST',
      url: `${PUBLIC_URL}/webhooks/hubspot`,
      timestamp: clock.now.getTime(),
    });
    const res = await fetch(`${replica.url}/webhooks/hubspot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    await replica.bot.crm.idle();
    return res.status;
  }

  describe('one workspace connecting its portal', () => {
    it('refuses a rep, and gives nothing a rep could use', async () => {
      const reply = await kpi('TAAA', 'UREP', 'crm connect hubspot');
      expect(reply.body.text).toContain('Only a workspace admin');
      expect(JSON.stringify(reply.body)).not.toContain('oauth/authorize');
      expect(await database.db.select().from(crmOauthStates)).toEqual([]);
    });

    it("sends the admin to HubSpot's consent page with a state bound to them", async () => {
      const url = await authorizeUrl('TAAA', 'UADM');
      expect(url.origin + url.pathname).toBe('https://app.hubspot.com/oauth/authorize');
      expect(url.searchParams.get('client_id')).toBe(HUBSPOT_CLIENT_ID);
      expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
      expect(url.searchParams.get('scope')?.split(' ')).toContain('crm.objects.deals.read');
      const states = await database.db.select().from(crmOauthStates);
      expect(states).toEqual([expect.objectContaining({ workspaceId: 'TAAA', userId: 'UADM', source: 'hubspot' })]);
      expect(url.searchParams.get('state')).toMatch(new RegExp(`^${states[0]?.nonce}\\.`));
    });

    it('offers the admin, and only the admin, a button on the App Home that DMs them the consent link', async () => {
      expect(await openHome('TAAA', 'UREP')).not.toContain('kpi_crm_connect');
      const home = await openHome('TAAA', 'UADM', true);
      expect(home).toContain('"action_id":"kpi_crm_connect"');
      expect(home).toContain('Connect HubSpot');
      const dm = await clickHome('TAAA', 'UADM', 'kpi_crm_connect', 'hubspot');
      expect(dm).toContain('https://app.hubspot.com/oauth/authorize?client_id=');
      // Anyone can send the click; a rep is told no, and no state is issued to them.
      const refused = await clickHome('TAAA', 'UREP', 'kpi_crm_connect', 'hubspot');
      expect(refused).toContain('Only a workspace admin');
      const states = await database.db.select().from(crmOauthStates);
      expect(states.map((s) => s.userId)).not.toContain('UREP');
    });

    it('binds the portal the token proves, with the tokens sealed, and routes its webhooks here', async () => {
      const state = (await authorizeUrl('TAAA', 'UADM')).searchParams.get('state') ?? '';
      const answer = await callback({ code: hubspot.approve(PORTAL), state });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain(`account ${PORTAL} is now connected`);
      const row = await connectionOf('TAAA');
      expect(row).toMatchObject({ accountId: String(PORTAL), createdBy: 'UADM', tokensRefusedAt: null });
      expect(row?.tokens).toMatch(/^kpi-enc:v1:/);
      const status = await kpi('TAAA', 'UADM', 'crm', true);
      expect(JSON.stringify(status.body)).toContain(`portal ${PORTAL}, connected by OAuth`);
      expect(await deliver(PORTAL, 901)).toBe(200);
      const events = await database.db.select().from(crmEvents).where(eq(crmEvents.source, 'hubspot'));
      expect(events.map((e) => e.workspaceId)).toEqual(['TAAA']);
    });

    it('refuses a replayed, forged or expired state, and a state for another CRM', async () => {
      const url = await authorizeUrl('TAAA', 'UADM');
      const state = url.searchParams.get('state') ?? '';
      const [nonce] = state.split('.');
      // Forged: a nonce that exists, signed by someone without the app's secret.
      const forged = await callback({ code: hubspot.approve(PORTAL), state: `${nonce}.AAAA` });
      expect(forged.status).toBe(400);
      const first = await callback({ code: hubspot.approve(PORTAL), state });
      expect(first.status).toBe(200);
      const replayed = await callback({ code: hubspot.approve(PORTAL), state });
      expect(replayed.status).toBe(400);
      expect(replayed.text).toContain('already used, or is too old');

      const late = (await authorizeUrl('TAAA', 'UADM')).searchParams.get('state') ?? '';
      clock.now = new Date(clock.now.getTime() + 11 * 60_000);
      const expired = await callback({ code: hubspot.approve(PORTAL), state: late });
      expect(expired.status).toBe(400);
      const elsewhere = await fetch(`${replica.url}/crm/oauth/pipedrive/callback?code=x&state=${state}`);
      expect(elsewhere.status).toBe(404);
    });

    it('refuses a code HubSpot does not honour, and keeps the grant it had', async () => {
      const before = await connectionOf('TAAA');
      const state = (await authorizeUrl('TAAA', 'UADM')).searchParams.get('state') ?? '';
      const answer = await callback({ code: 'code-never-issued', state });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('refused the authorisation');
      expect(await connectionOf('TAAA')).toEqual(before);
    });
  });

  describe('using the grant', () => {
    it("reads from HubSpot with the workspace's own token, refreshed before it expires", async () => {
      hubspot.addDeal('902', { dealname: 'Acme', amount: '100', dealstage: 'appointmentscheduled' });
      hubspot.calls.length = 0;
      expect(await deliver(PORTAL, 902)).toBe(200);
      const read = hubspot.calls.filter((c) => c.path === BATCH_READ);
      expect(read.map((c) => c.status)).toEqual([200]);
      expect(read[0]?.authorization).toMatch(/^Bearer hs-at-62515-/);
      const firstToken = read[0]?.authorization;

      // 26 minutes on, the 30-minute token has under 5 minutes left: refreshed before the read.
      clock.now = new Date(clock.now.getTime() + 26 * 60_000);
      hubspot.calls.length = 0;
      hubspot.addDeal('903', { dealname: 'Globex', amount: '200', dealstage: 'appointmentscheduled' });
      expect(await deliver(PORTAL, 903)).toBe(200);
      expect(hubspot.calls.map((c) => [c.method, c.path, c.status])).toEqual([
        ['POST', '/oauth/2026-03/token', 200],
        ['POST', BATCH_READ, 200],
      ]);
      expect(String(hubspot.calls[0]?.body)).toContain('grant_type=refresh_token');
      expect(hubspot.calls[1]?.authorization).toMatch(/^Bearer hs-at-62515-/);
      expect(hubspot.calls[1]?.authorization).not.toBe(firstToken);
    });

    it('refuses a second workspace connecting the same portal, and revokes the grant it got', async () => {
      const live = hubspot.liveRefreshTokens(PORTAL);
      const state = (await authorizeUrl('TBBB', 'UBADM')).searchParams.get('state') ?? '';
      const answer = await callback({ code: hubspot.approve(PORTAL), state });
      expect(answer.status).toBe(409);
      expect(answer.text).toContain('connected to another workspace');
      expect(await connectionOf('TBBB')).toBeUndefined();
      expect((await connectionOf('TAAA'))?.accountId).toBe(String(PORTAL));
      // The refused grant was revoked at HubSpot; the first workspace's still works.
      expect(hubspot.liveRefreshTokens(PORTAL)).toBe(live);
    });

    it('tells the admin when HubSpot stops honouring the grant', async () => {
      hubspot.uninstall(PORTAL);
      clock.now = new Date(clock.now.getTime() + 31 * 60_000);
      hubspot.addDeal('904', { dealname: 'Initech', amount: '300', dealstage: 'appointmentscheduled' });
      expect(await deliver(PORTAL, 904)).toBe(200);
      const row = await connectionOf('TAAA');
      expect(row?.tokensRefusedAt?.toISOString()).toBe(clock.now.toISOString());
      const [waiting] = await database.db
        .select()
        .from(crmEvents)
        .where(and(eq(crmEvents.workspaceId, 'TAAA'), eq(crmEvents.objectKey, 'deal:904')));
      expect(waiting?.waitingFor).toBe('hubspot API token refused');
      const status = JSON.stringify((await kpi('TAAA', 'UADM', 'crm', true)).body);
      expect(status).toContain('HubSpot no longer accepts our access');
      expect(status).toContain('/kpi crm connect hubspot');
      const home = await openHome('TAAA', 'UADM', true);
      expect(home).toContain('HubSpot no longer accepts our access');
      expect(home).toContain('Reconnect HubSpot');

      // Connecting again clears it.
      const state = (await authorizeUrl('TAAA', 'UADM')).searchParams.get('state') ?? '';
      expect((await callback({ code: hubspot.approve(PORTAL), state })).status).toBe(200);
      expect((await connectionOf('TAAA'))?.tokensRefusedAt).toBeNull();
    });

    it('disconnects: revoked at HubSpot, the grant deleted, the portal no longer routed', async () => {
      const state = (await authorizeUrl('TBBB', 'UBADM')).searchParams.get('state') ?? '';
      expect((await callback({ code: hubspot.approve(777), state })).status).toBe(200);
      expect(hubspot.liveRefreshTokens(777)).toBe(1);
      const rep = await kpi('TBBB', 'UBREP', 'crm disconnect hubspot');
      expect(rep.body.text).toContain('Only a workspace admin');
      expect(hubspot.liveRefreshTokens(777)).toBe(1);
      const done = await kpi('TBBB', 'UBADM', 'crm disconnect hubspot', true);
      expect(done.body.text).toContain('revoked in HubSpot too');
      expect(hubspot.liveRefreshTokens(777)).toBe(0);
      expect(await connectionOf('TBBB')).toBeUndefined();
      expect(await deliver(777, 905)).toBe(404);
      const again = await kpi('TBBB', 'UBADM', 'crm disconnect hubspot', true);
      expect(again.body.text).toContain('not connected');
    });
  });

  it('keeps every token out of the database in plain text and out of the logs', async () => {
    const rows = await queryRows<{ text: string }>(
      database.db,
      sql`select coalesce(tokens, '') || ' ' || secret as text from crm_connections`,
    );
    const stored = rows.map((r) => r.text).join('\n');
    expect(stored).toContain('kpi-enc:v1:');
    expect(stored).not.toMatch(/hs-(at|rt)-/);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(log).not.toMatch(/hs-(at|rt)-/);
    expect(log).not.toMatch(/code-\d+-\d+/);
    expect(log).not.toContain(HUBSPOT_SECRET);
  });
});
