import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { closeAll, connectionOf as connectionOfCrm, crmOAuthFlow, startOAuthWorld } from '../support/crm-oauth-flow.js';
import { describeDb } from '../support/db.js';
import { type FakeSalesforce, outboundMessage, startFakeSalesforce } from '../support/fake-salesforce.js';
import type { FakeSlack } from '../support/fake-slack.js';
import type { OAuthReplica } from '../support/oauth-harness.js';

const APP = { clientId: '3MVG9-sf-consumer-key', clientSecret: 'sf-consumer-secret-0123456789' };
const PUBLIC_URL = 'https://kpi.example.com';
const REDIRECT_URI = `${PUBLIC_URL}/crm/oauth/salesforce/callback`;
const ORG = '00D000000000001AAA';
const OWNER = { Id: '005000000000009AAA', Email: 'ana@example.com', Name: 'Ana' };

/** Many workspaces, each connecting its Salesforce org by OAuth, against the strict fake Salesforce. */
describeDb('connecting Salesforce by OAuth (many workspaces)', () => {
  const clock = { now: new Date('2026-11-18T15:00:00Z') };
  let slack: FakeSlack;
  let salesforce: FakeSalesforce;
  let database: DatabaseHandle;
  let replica: OAuthReplica;
  const flow = crmOAuthFlow(
    () => slack,
    () => replica,
  );

  beforeAll(async () => {
    salesforce = await startFakeSalesforce({ oauth: { ...APP, redirectUri: REDIRECT_URI }, now: () => clock.now });
    const env = {
      SALESFORCE_CLIENT_ID: APP.clientId,
      SALESFORCE_CLIENT_SECRET: APP.clientSecret,
      SALESFORCE_LOGIN_URL: salesforce.instanceUrl,
      PUBLIC_URL,
    };
    ({ slack, database, replica } = await startOAuthWorld(env, () => clock.now));
  });
  afterAll(() => closeAll(replica, salesforce, slack, database));

  let webhook = { id: '', token: '' };
  /** Salesforce sending an Opportunity of a new owner: the calls the app then made to Salesforce. */
  async function sendOpportunity(id: string, owner: typeof OWNER) {
    salesforce.addUser(owner);
    const fields = { Id: id, Name: 'Initech', StageName: 'Prospecting', OwnerId: owner.Id };
    const notifications = [{ id: `04l${id.slice(3)}`, sObject: { type: 'Opportunity', fields } }];
    const before = salesforce.calls.length;
    const res = await fetch(
      `${replica.url}/webhooks/salesforce/${webhook.id}?token=${encodeURIComponent(webhook.token)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
        body: outboundMessage({ organizationId: ORG, notifications }),
      },
    );
    expect(res.status).toBe(200);
    await replica.bot.crm.idle();
    return salesforce.calls
      .slice(before)
      .map((c, i) => ({ ...c, authorization: salesforce.authorizations[before + i] }));
  }

  const connectionOf = (teamId: string) => connectionOfCrm(database, teamId, 'salesforce');

  it('binds the org its identity URL names, and reads the API on the instance with the grant', async () => {
    const url = await flow.authorizeUrl('TAAA', 'UADM', 'salesforce');
    expect(url.origin + url.pathname).toBe(`${salesforce.instanceUrl}/services/oauth2/authorize`);
    expect(url.searchParams.get('response_type')).toBe('code');
    const answer = await flow.callback('salesforce', {
      code: salesforce.approve(ORG),
      state: url.searchParams.get('state') ?? '',
    });
    expect(answer.status).toBe(200);
    const row = await connectionOf('TAAA');
    expect(row).toMatchObject({ accountId: ORG, createdBy: 'UADM' });
    expect(row?.tokens).toMatch(/^kpi-enc:v1:/);
    expect(row?.tokens).not.toMatch(/sf-(at|rt)-/);
    const token = /\?token=(\S+) as the Outbound Message endpoint/.exec(answer.text)?.[1] ?? '';
    expect(token).not.toBe('');

    webhook = { id: row?.id ?? '', token };

    // The message leaves fields out: the Opportunity and its owner are read with the workspace's grant.
    const used = await sendOpportunity('006000000000001AAA', OWNER);
    expect(used.map((c) => [c.path, c.status])).toEqual([
      ['/services/data/v60.0/composite/sobjects/Opportunity', 200],
      ['/services/data/v60.0/query', 200],
    ]);
    for (const call of used) expect(call.authorization).toMatch(/^Bearer 00D!sf-at-/);
  });

  it('refreshes before the assumed hour is up, keeping the refresh token Salesforce does not renew', async () => {
    const first = salesforce.authorizations.find((a) => a?.startsWith('Bearer 00D!'));
    clock.now = new Date(clock.now.getTime() + 56 * 60_000);
    const used = await sendOpportunity('006000000000002AAA', { ...OWNER, Id: '005000000000010AAA' });
    expect(used.map((c) => [c.path, c.status])).toEqual([
      ['/services/oauth2/token', 200],
      ['/services/data/v60.0/composite/sobjects/Opportunity', 200],
      ['/services/data/v60.0/query', 200],
    ]);
    for (const call of used.slice(1)) {
      expect(call.authorization).toMatch(/^Bearer 00D!sf-at-/);
      expect(call.authorization).not.toBe(first);
    }
    expect((await connectionOf('TAAA'))?.tokensRefusedAt).toBeNull();
  });

  it('refuses a second workspace connecting the same org, and disconnects with revocation', async () => {
    const url = await flow.authorizeUrl('TBBB', 'UBADM', 'salesforce');
    const answer = await flow.callback('salesforce', {
      code: salesforce.approve(ORG),
      state: url.searchParams.get('state') ?? '',
    });
    expect(answer.status).toBe(409);
    expect(await connectionOf('TBBB')).toBeUndefined();
    expect(salesforce.liveRefreshTokens(ORG)).toBe(1);
    const done = await flow.kpi('TAAA', 'UADM', 'crm disconnect salesforce', true);
    expect(done.body.text).toContain('revoked in Salesforce too');
    expect(salesforce.liveRefreshTokens(ORG)).toBe(0);
    expect(await connectionOf('TAAA')).toBeUndefined();
  });
});
