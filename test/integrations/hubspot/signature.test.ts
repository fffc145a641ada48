import { describe, expect, it } from 'vitest';
import type { Verification, WebhookRequest } from '../../../src/integrations/crm-event.js';
import { verifyHubSpotSignature } from '../../../src/integrations/hubspot/signature.js';
import { signHubSpotV1, signHubSpotV3 } from '../../support/fake-hubspot.js';
import { body, DOCUMENTED_V1, dealCreation } from './fixtures.js';

const SECRET = 'a1b2c3d4-hubspot-client-secret';
const URL_CALLED = 'https://kpi.example.com/webhooks/hubspot';
const NOW = new Date('2026-03-02T10:00:00.000Z');
const MINUTES = 60_000;
const RAW_BODY = body([dealCreation(5001)]);

function request(headers: Record<string, string>, overrides: Partial<WebhookRequest> = {}): WebhookRequest {
  return { method: 'POST', url: URL_CALLED, headers, rawBody: RAW_BODY, ...overrides };
}

/** v3 headers signed over the default request, with any signing detail changed. */
function v3(changes: Partial<Parameters<typeof signHubSpotV3>[1]> = {}, rawBody: Buffer = RAW_BODY) {
  return signHubSpotV3(rawBody, {
    clientSecret: SECRET,
    method: 'POST',
    url: URL_CALLED,
    timestamp: NOW.getTime(),
    ...changes,
  });
}

function verify(req: WebhookRequest, secret = SECRET): Verification {
  const result = verifyHubSpotSignature(req, secret, NOW);
  if (!result.ok && secret !== '') expect(result.reason).not.toContain(secret);
  return result;
}

describe('verifyHubSpotSignature, v3', () => {
  it('accepts a request signed with the client secret', () => {
    expect(verify(request(v3()))).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', () => {
    expect(verify(request(v3({ clientSecret: 'someone-else' })))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('refuses a tampered body', () => {
    const tampered = body([dealCreation(5002)]);
    expect(verify(request(v3(), { rawBody: tampered }))).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a request sent to another URL or with another method', () => {
    expect(verify(request(v3({ url: 'https://kpi.example.com/webhooks/other' })))).toMatchObject({ ok: false });
    expect(verify(request(v3({ url: `${URL_CALLED}?portal=1` })))).toMatchObject({ ok: false });
    expect(verify(request(v3({ method: 'PUT' })))).toMatchObject({ ok: false });
  });

  it('accepts a timestamp up to 5 minutes old or ahead, and refuses one beyond', () => {
    const at = (offset: number) => verify(request(v3({ timestamp: NOW.getTime() + offset })));
    expect(at(-5 * MINUTES)).toEqual({ ok: true });
    expect(at(5 * MINUTES)).toEqual({ ok: true });
    expect(at(-5 * MINUTES - 1)).toEqual({ ok: false, reason: 'timestamp is more than 5 minutes old' });
    expect(at(5 * MINUTES + 1)).toEqual({ ok: false, reason: 'timestamp is more than 5 minutes in the future' });
  });

  it('refuses a stale request even when its signature is right', () => {
    const stale = v3({ timestamp: NOW.getTime() - 60 * MINUTES });
    expect(verify(request(stale))).toEqual({ ok: false, reason: 'timestamp is more than 5 minutes old' });
  });

  it('refuses a missing or malformed timestamp', () => {
    const { 'x-hubspot-signature-v3': signature = '' } = v3();
    expect(verify(request({ 'x-hubspot-signature-v3': signature }))).toEqual({
      ok: false,
      reason: 'missing X-HubSpot-Request-Timestamp header',
    });
    const seconds = { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': '2026-03-02T10:00:00Z' };
    expect(verify(request(seconds))).toMatchObject({ ok: false, reason: expect.stringMatching(/not a number/) });
  });

  it('refuses signatures of the wrong length or encoding without throwing', () => {
    const { 'x-hubspot-request-timestamp': timestamp = '' } = v3();
    for (const signature of ['', 'abc', `${v3()['x-hubspot-signature-v3']}=`, 'é'.repeat(44)]) {
      const headers = { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp };
      expect(verify(request(headers))).toEqual({ ok: false, reason: 'signature does not match' });
    }
  });

  it('finds its headers whatever their case', () => {
    const { 'x-hubspot-signature-v3': signature = '', 'x-hubspot-request-timestamp': timestamp = '' } = v3();
    const headers = { 'X-HubSpot-Signature-v3': signature, 'X-HUBSPOT-REQUEST-TIMESTAMP': timestamp };
    expect(verify(request(headers))).toEqual({ ok: true });
  });

  it('signs the raw bytes of the body, even when they are not UTF-8', () => {
    const bytes = Buffer.from([0x5b, 0xff, 0xfe, 0x5d]);
    expect(verify(request(v3({}, bytes), { rawBody: bytes }))).toEqual({ ok: true });
  });

  it('prefers v3: a valid v1 signature does not rescue a wrong v3 one', () => {
    const headers = { ...v3({ clientSecret: 'someone-else' }), ...signHubSpotV1(RAW_BODY, SECRET) };
    expect(verify(request(headers))).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses everything when no client secret is configured', () => {
    const unsigned = request(v3({ clientSecret: '' }));
    expect(verify(unsigned, '')).toEqual({ ok: false, reason: 'no HubSpot client secret is configured' });
  });
});

describe("verifyHubSpotSignature, v3 URI decoding (HubSpot's table)", () => {
  const signedOver = (called: string, signed: string) => verify(request(v3({ url: signed }), { url: called }));

  it('decodes the twelve listed characters before signing', () => {
    const called = `${URL_CALLED}?q=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B`;
    expect(signedOver(called, `${URL_CALLED}?q=:/?@!$'()*,;`)).toEqual({ ok: true });
    expect(signedOver(called, called)).toMatchObject({ ok: false });
  });

  it('decodes lower-case hex digits too', () => {
    expect(signedOver(`${URL_CALLED}?portal=a%3ab%2cc`, `${URL_CALLED}?portal=a:b,c`)).toEqual({ ok: true });
  });

  it('leaves every other percent-encoding alone', () => {
    const called = `${URL_CALLED}?name=Acme%20Inc%26Co%3D1`;
    expect(signedOver(called, called)).toEqual({ ok: true });
    expect(signedOver(called, `${URL_CALLED}?name=Acme Inc&Co=1`)).toMatchObject({ ok: false });
  });

  it('decodes once: %253A is an encoded percent sign followed by 3A', () => {
    const called = `${URL_CALLED}?ratio=1%253A2`;
    expect(signedOver(called, called)).toEqual({ ok: true });
  });
});

describe('verifyHubSpotSignature, v1', () => {
  const v1Request = (headers: Record<string, string>) => request(headers, { rawBody: Buffer.from(DOCUMENTED_V1.body) });

  it("accepts HubSpot's documented example", () => {
    const headers = { 'x-hubspot-signature': DOCUMENTED_V1.signature, 'x-hubspot-signature-version': 'v1' };
    expect(verify(v1Request(headers), DOCUMENTED_V1.clientSecret)).toEqual({ ok: true });
  });

  it('accepts what the test signer produces, so both agree with the docs', () => {
    const headers = signHubSpotV1(DOCUMENTED_V1.body, DOCUMENTED_V1.clientSecret);
    expect(headers['x-hubspot-signature']).toBe(DOCUMENTED_V1.signature);
    expect(verify(v1Request(headers), DOCUMENTED_V1.clientSecret)).toEqual({ ok: true });
  });

  it('refuses a wrong v1 signature', () => {
    const headers = signHubSpotV1(DOCUMENTED_V1.body, 'someone-else');
    expect(verify(v1Request(headers), DOCUMENTED_V1.clientSecret)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('refuses X-HubSpot-Signature without version v1 (v2 signs differently)', () => {
    const { 'x-hubspot-signature': signature = '' } = signHubSpotV1(RAW_BODY, SECRET);
    const refusal = { ok: false, reason: 'only v3 and v1 signatures are supported' };
    expect(verify(request({ 'x-hubspot-signature': signature }))).toEqual(refusal);
    expect(verify(request({ 'x-hubspot-signature': signature, 'x-hubspot-signature-version': 'v2' }))).toEqual(refusal);
  });
});

describe('verifyHubSpotSignature without signature headers', () => {
  it('refuses the request', () => {
    expect(verify(request({ 'content-type': 'application/json' }))).toEqual({
      ok: false,
      reason: 'missing X-HubSpot-Signature-v3 or X-HubSpot-Signature header',
    });
  });
});
