import { describe, expect, it } from 'vitest';
import { formatProblems, parseConfig } from '../../src/config.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('CRM configuration', () => {
  it('leaves every CRM disabled when its secret is not set', () => {
    const problems: string[] = [];
    const crm = parseCrmConfig({}, problems);
    expect([crm.hubspot, crm.salesforce, crm.pipedrive, crm.generic]).toEqual([null, null, null, null]);
    expect(problems).toEqual([]);
  });

  it('reads each CRM with its API credentials and base URLs', () => {
    const problems: string[] = [];
    const crm = parseCrmConfig(
      {
        HUBSPOT_CLIENT_SECRET: 'hs-secret',
        HUBSPOT_CLIENT_ID: 'hs-client',
        HUBSPOT_ACCESS_TOKEN: 'hs-token',
        HUBSPOT_API_URL: 'http://127.0.0.1:9/',
        HUBSPOT_PORTAL_ID: '62515',
        SALESFORCE_ORGANIZATION_ID: '00D000000000001AAA',
        SALESFORCE_WEBHOOK_TOKEN: 'sf-token',
        PIPEDRIVE_WEBHOOK_USER: 'pd-user',
        PIPEDRIVE_WEBHOOK_PASSWORD: 'pd-password',
        PIPEDRIVE_API_TOKEN: 'pd-api',
        PIPEDRIVE_API_URL: 'https://acme.pipedrive.com',
        WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        HUBSPOT_WON_STAGES: 'closedwon, contractsigned',
        PUBLIC_URL: 'https://kpi.example.com/',
      },
      problems,
    );
    expect(problems).toEqual([]);
    expect(crm.hubspot).toEqual({
      clientSecret: 'hs-secret',
      clientId: 'hs-client',
      accessToken: 'hs-token',
      apiUrl: 'http://127.0.0.1:9',
      portalId: '62515',
    });
    expect(crm.salesforce).toEqual({
      organizationId: '00D000000000001AAA',
      token: 'sf-token',
      accessToken: null,
      instanceUrl: null,
    });
    expect(crm.pipedrive).toEqual({
      user: 'pd-user',
      password: 'pd-password',
      apiToken: 'pd-api',
      apiUrl: 'https://acme.pipedrive.com',
    });
    expect(crm.generic).toEqual({ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(crm.stages.hubspot).toEqual({ won: ['closedwon', 'contractsigned'], lost: ['closedlost'] });
    expect(crm.publicUrl).toBe('https://kpi.example.com');
  });

  it('refuses a HubSpot client id without its secret, which signs and exchanges with it', () => {
    const problems: string[] = [];
    expect(parseCrmConfig({ HUBSPOT_CLIENT_ID: 'hs-client' }, problems).hubspot).toBeNull();
    expect(problems).toEqual([
      'HUBSPOT_CLIENT_SECRET is missing: HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET go together.',
    ]);
  });

  it('lists every CRM problem with the rest of the configuration, without echoing secrets', () => {
    const result = parseConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      SALESFORCE_WEBHOOK_TOKEN: 'sf-very-secret-token',
      PIPEDRIVE_WEBHOOK_USER: 'u',
      WEBHOOK_SECRET: 'not-a-whsec-secret-value',
      HUBSPOT_CLIENT_SECRET: 'x',
      HUBSPOT_API_URL: 'ftp://nope',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(5);
    const text = formatProblems(result.problems);
    expect(text).toContain('SALESFORCE_ORGANIZATION_ID is missing');
    expect(text).toContain('PIPEDRIVE_WEBHOOK_PASSWORD is missing');
    expect(text).toContain('WEBHOOK_SECRET must be a Standard Webhooks secret');
    expect(text).toContain('HUBSPOT_API_URL must be an http(s) URL');
    // One workspace accepts only its own portal: every portal's batches carry the app's signature.
    expect(text).toContain('HUBSPOT_PORTAL_ID is missing');
    expect(text).not.toContain('sf-very-secret-token');
    expect(text).not.toContain('not-a-whsec-secret-value');
  });

  it('binds HubSpot portals per workspace in many-workspace mode, never from the environment', () => {
    const result = parseConfig({
      SLACK_CLIENT_ID: 'c',
      SLACK_CLIENT_SECRET: 'cs',
      SLACK_STATE_SECRET: 'ss',
      SLACK_SIGNING_SECRET: 's',
      ENCRYPTION_KEY: KEY,
      HUBSPOT_CLIENT_SECRET: 'x',
      HUBSPOT_PORTAL_ID: '62515',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.stringContaining('HUBSPOT_PORTAL_ID must not be set in many-workspace mode'),
    ]);
  });
});
