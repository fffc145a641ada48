import { expect } from 'vitest';
import { type CrmConfig, parseCrmConfig } from '../../src/integrations/crm-config.js';
import type { FakeHubSpot } from './fake-hubspot.js';
import type { FakePipedrive } from './fake-pipedrive.js';

/**
 * The CRM settings the end-to-end tests run the app with: webhook secrets as an admin would set
 * them, and each CRM's API pointed at its fake. Parsed by the app's own config parser, which must
 * find nothing wrong.
 */

export const HUBSPOT_CLIENT_SECRET = 'b3c1f2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const PIPEDRIVE_USER = 'kpi-bot';
export const PIPEDRIVE_PASSWORD = 'pd-hook-7Qx2mV9rLk4T';

function crmConfig(env: Record<string, string>): CrmConfig {
  const problems: string[] = [];
  const crm = parseCrmConfig(env, problems);
  expect(problems).toEqual([]);
  return crm;
}

export function hubspotCrm(hubspot: FakeHubSpot, portalId: number): CrmConfig {
  return crmConfig({
    HUBSPOT_CLIENT_SECRET,
    HUBSPOT_PORTAL_ID: String(portalId),
    HUBSPOT_ACCESS_TOKEN: hubspot.accessToken,
    HUBSPOT_API_URL: hubspot.baseUrl,
  });
}

export function pipedriveCrm(pipedrive: FakePipedrive): CrmConfig {
  return crmConfig({
    PIPEDRIVE_WEBHOOK_USER: PIPEDRIVE_USER,
    PIPEDRIVE_WEBHOOK_PASSWORD: PIPEDRIVE_PASSWORD,
    PIPEDRIVE_API_TOKEN: pipedrive.apiToken,
    PIPEDRIVE_API_URL: pipedrive.baseUrl,
  });
}

/** The `Authorization` header Pipedrive sends with the HTTP Basic credentials set on a webhook. */
export function basicAuth(user = PIPEDRIVE_USER, password = PIPEDRIVE_PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
