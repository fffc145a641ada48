import { describe, expect, it } from 'vitest';
import { hubspotAdapter } from '../../../src/integrations/hubspot/adapter.js';
import { signHubSpotV3 } from '../../support/fake-hubspot.js';
import { body, dealCreation } from './fixtures.js';

const SECRET = 'adapter-test-secret';
const URL_CALLED = 'https://kpi.example.com/webhooks/hubspot';

describe('hubspotAdapter', () => {
  const rawBody = body([dealCreation(5001)]);
  const now = new Date('2026-03-02T10:00:00.000Z');
  const headers = signHubSpotV3(rawBody, {
    clientSecret: SECRET,
    method: 'POST',
    url: URL_CALLED,
    timestamp: now.getTime(),
  });
  const req = { method: 'POST', url: URL_CALLED, headers, rawBody };

  it('verifies with the client secret from the secrets', () => {
    expect(hubspotAdapter.verify(req, { clientSecret: SECRET }, now)).toEqual({ ok: true });
    expect(hubspotAdapter.verify(req, { clientSecret: 'other' }, now)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('parses the raw body', () => {
    const result = hubspotAdapter.parse(req);
    expect(result.ok && result.batch.events.map((event) => event.type)).toEqual(['deal.upsert']);
  });

  it('answers 200 with the outcome once the batch is committed', () => {
    const rejected = [{ index: 2, reason: 'objectId: expected a numeric HubSpot id' }];
    expect(hubspotAdapter.reply({ stored: 3, duplicates: 1, rejected })).toEqual({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ stored: 3, duplicates: 1, rejected }),
    });
  });

  it('answers errors as JSON with the reason', () => {
    expect(hubspotAdapter.errorReply(401, 'signature does not match')).toEqual({
      status: 401,
      contentType: 'application/json',
      body: '{"error":"signature does not match"}',
    });
  });
});
