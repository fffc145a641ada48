import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrmApiAuthError } from '../../../src/integrations/adapter.js';
import { createHubSpotOAuth } from '../../../src/integrations/hubspot/oauth.js';
import { type FakeHubSpot, startFakeHubSpot } from '../../support/fake-hubspot.js';

const APP = {
  clientId: 'hs-client',
  clientSecret: 'hs-secret',
  redirectUri: 'https://kpi.example.com/crm/oauth/hubspot/callback',
};

/** The HubSpot OAuth client against the strict fake: what HubSpot refuses, it refuses. */
describe('HubSpot OAuth', () => {
  const clock = { now: new Date('2026-11-18T15:00:00Z') };
  let hubspot: FakeHubSpot;
  const client = (over: { clientSecret?: string } = {}) =>
    createHubSpotOAuth({
      clientId: APP.clientId,
      clientSecret: over.clientSecret ?? APP.clientSecret,
      apiUrl: hubspot.baseUrl,
      now: () => clock.now,
    });

  beforeAll(async () => {
    hubspot = await startFakeHubSpot({ oauth: APP, now: () => clock.now });
  });
  afterAll(async () => hubspot.close());

  it('exchanges a code once, for tokens that prove the portal and expire by the clock', async () => {
    const code = hubspot.approve(4242);
    const tokens = await client().exchange(code, APP.redirectUri);
    expect(tokens.expiresAt).toBe(clock.now.getTime() + 1800 * 1000);
    expect(await client().accountOf(tokens)).toBe('4242');
    await expect(client().exchange(code, APP.redirectUri)).rejects.toBeInstanceOf(CrmApiAuthError);

    clock.now = new Date(clock.now.getTime() + 1801 * 1000);
    await expect(client().accountOf(tokens)).rejects.toThrow('token not active');
    const fresh = await client().refresh(tokens.refreshToken);
    expect(fresh.refreshToken).toBe(tokens.refreshToken);
    expect(await client().accountOf(fresh)).toBe('4242');
  });

  it('refuses a wrong client secret, another redirect URI and a revoked refresh token', async () => {
    await expect(client({ clientSecret: 'guess' }).exchange(hubspot.approve(1), APP.redirectUri)).rejects.toThrow(
      'refused (400)',
    );
    await expect(client().exchange(hubspot.approve(1), 'https://evil.example.com/cb')).rejects.toBeInstanceOf(
      CrmApiAuthError,
    );
    const tokens = await client().exchange(hubspot.approve(1), APP.redirectUri);
    await client().revoke(tokens);
    expect(hubspot.liveRefreshTokens(1)).toBe(0);
    await expect(client().refresh(tokens.refreshToken)).rejects.toBeInstanceOf(CrmApiAuthError);
  });

  it('puts the credentials in form bodies, never in a URL', async () => {
    hubspot.calls.length = 0;
    const tokens = await client().exchange(hubspot.approve(7), APP.redirectUri);
    await client().accountOf(tokens);
    // The paths are fixed (v1 put the token in the path of its metadata look-up).
    expect(hubspot.calls.map((c) => [c.method, c.path, c.status])).toEqual([
      ['POST', '/oauth/2026-03/token', 200],
      ['POST', '/oauth/2026-03/token/introspect', 200],
    ]);
    expect(String(hubspot.calls[0]?.body)).toContain(`client_secret=${APP.clientSecret}`);
    expect(String(hubspot.calls[1]?.body)).toContain(`token=${tokens.accessToken}`);
  });
});
