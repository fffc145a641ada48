import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { closeAll, connectionOf as connectionOfCrm, crmOAuthFlow, startOAuthWorld } from '../support/crm-oauth-flow.js';
import { describeDb } from '../support/db.js';
import {
  COMPANY_ID,
  type FakePipedrive,
  OWNER_ID,
  startFakePipedrive,
  v2DealEvent,
} from '../support/fake-pipedrive.js';
import type { FakeSlack } from '../support/fake-slack.js';
import type { OAuthReplica } from '../support/oauth-harness.js';

const CLIENT_ID = 'pd-marketplace-client';
const CLIENT_SECRET = 'pd-marketplace-secret-0123456789';
const PUBLIC_URL = 'https://kpi.example.com';
const REDIRECT_URI = `${PUBLIC_URL}/crm/oauth/pipedrive/callback`;

/** Many workspaces, each connecting its Pipedrive company by OAuth, against the strict fake Pipedrive. */
describeDb('connecting Pipedrive by OAuth (many workspaces)', () => {
  const clock = { now: new Date('2026-11-18T15:00:00Z') };
  let slack: FakeSlack;
  let pipedrive: FakePipedrive;
  let database: DatabaseHandle;
  let replica: OAuthReplica;
  const flow = crmOAuthFlow(
    () => slack,
    () => replica,
  );

  beforeAll(async () => {
    pipedrive = await startFakePipedrive({
      oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI },
      now: () => clock.now,
    });
    const env = {
      PIPEDRIVE_CLIENT_ID: CLIENT_ID,
      PIPEDRIVE_CLIENT_SECRET: CLIENT_SECRET,
      PIPEDRIVE_OAUTH_URL: pipedrive.baseUrl,
      PUBLIC_URL,
    };
    ({ slack, database, replica } = await startOAuthWorld(env, () => clock.now));
  });
  afterAll(() => closeAll(replica, pipedrive, slack, database));

  const connectionOf = (teamId: string) => connectionOfCrm(database, teamId, 'pipedrive');

  it('binds the company the token proves, and reads the API with the grant', async () => {
    const url = await flow.authorizeUrl('TAAA', 'UADM', 'pipedrive');
    expect(url.origin + url.pathname).toBe(`${pipedrive.baseUrl}/oauth/authorize`);
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    const answer = await flow.callback('pipedrive', {
      code: pipedrive.approve(COMPANY_ID),
      state: url.searchParams.get('state') ?? '',
    });
    expect(answer.status).toBe(200);
    const row = await connectionOf('TAAA');
    expect(row).toMatchObject({ accountId: String(COMPANY_ID), createdBy: 'UADM' });
    expect(row?.tokens).toMatch(/^kpi-enc:v1:/);
    expect(row?.tokens).not.toMatch(/pd-(at|rt)-/);
    // The webhook's credentials are shown once, on the page the admin lands on.
    const password = /password (\S+) \(shown once/.exec(answer.text)?.[1] ?? '';
    expect(answer.text).toContain(`${PUBLIC_URL}/webhooks/pipedrive/${row?.id}`);

    pipedrive.addUser({ id: OWNER_ID, email: 'ana@example.com', name: 'Ana' });
    pipedrive.calls.length = 0;
    const body = JSON.stringify(v2DealEvent('create', { id: 4101, title: 'Acme', owner_id: OWNER_ID }));
    const auth = `Basic ${Buffer.from(`${row?.id}:${password}`).toString('base64')}`;
    const res = await fetch(`${replica.url}/webhooks/pipedrive/${row?.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body,
    });
    expect(res.status).toBe(200);
    await replica.bot.crm.idle();
    const apiCalls = pipedrive.calls.filter((c) => c.path.startsWith('/api/'));
    expect(apiCalls.length).toBeGreaterThan(0);
    for (const call of apiCalls) {
      expect(call.authorization).toMatch(new RegExp(`^Bearer pd-at-${COMPANY_ID}-`));
      expect(call.status).toBe(200);
    }
  });

  it('refuses a second workspace connecting the same company, and revokes the grant it got', async () => {
    const url = await flow.authorizeUrl('TBBB', 'UBADM', 'pipedrive');
    const answer = await flow.callback('pipedrive', {
      code: pipedrive.approve(COMPANY_ID),
      state: url.searchParams.get('state') ?? '',
    });
    expect(answer.status).toBe(409);
    expect(await connectionOf('TBBB')).toBeUndefined();
    expect(pipedrive.liveRefreshTokens(COMPANY_ID)).toBe(1);
  });

  it('refreshes grants before they expire with no event needing them, and notices a revoked one', async () => {
    const tokenCalls = () => pipedrive.calls.filter((c) => c.path === '/oauth/token').length;
    const before = tokenCalls();
    // Pipedrive's tokens live an hour: 56 minutes on, the `crm-grants` job refreshes it.
    clock.now = new Date(clock.now.getTime() + 56 * 60_000);
    expect(await replica.bot.runJob('crm-grants', clock.now)).toEqual({ live: 1, refused: 0, unavailable: 0 });
    expect(tokenCalls()).toBe(before + 1);
    expect(await replica.bot.runJob('crm-grants', clock.now)).toEqual({ live: 1, refused: 0, unavailable: 0 });
    expect(tokenCalls()).toBe(before + 1);

    // The company uninstalls the app: the next refresh is refused, and the admin is told.
    pipedrive.uninstall(COMPANY_ID);
    clock.now = new Date(clock.now.getTime() + 56 * 60_000);
    expect(await replica.bot.runJob('crm-grants', clock.now)).toEqual({ live: 0, refused: 1, unavailable: 0 });
    expect((await connectionOf('TAAA'))?.tokensRefusedAt?.toISOString()).toBe(clock.now.toISOString());
    const status = JSON.stringify((await flow.kpi('TAAA', 'UADM', 'crm', true)).body);
    expect(status).toContain('Pipedrive no longer accepts our access');
    // A refused grant is not asked again.
    expect(await replica.bot.runJob('crm-grants', clock.now)).toEqual({ live: 0, refused: 0, unavailable: 0 });
  });

  it('disconnects: revoked at Pipedrive and the connection deleted', async () => {
    // Connected again after the uninstall, which clears the refusal.
    const url = await flow.authorizeUrl('TAAA', 'UADM', 'pipedrive');
    const state = url.searchParams.get('state') ?? '';
    expect((await flow.callback('pipedrive', { code: pipedrive.approve(COMPANY_ID), state })).status).toBe(200);
    expect((await connectionOf('TAAA'))?.tokensRefusedAt).toBeNull();
    expect(pipedrive.liveRefreshTokens(COMPANY_ID)).toBe(1);
    const done = await flow.kpi('TAAA', 'UADM', 'crm disconnect pipedrive', true);
    expect(done.body.text).toContain('revoked in Pipedrive too');
    expect(pipedrive.liveRefreshTokens(COMPANY_ID)).toBe(0);
    expect(await connectionOf('TAAA')).toBeUndefined();
  });
});
