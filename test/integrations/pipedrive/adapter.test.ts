import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../src/integrations/crm-event.js';
import { pipedriveAdapter } from '../../../src/integrations/pipedrive/adapter.js';
import { v2DealEvent } from '../../support/fake-pipedrive.js';

const SECRETS = { user: 'kpi-bot', password: 'p4ss:w0rd-with-colon' };
const NOW = new Date('2026-01-14T18:17:00Z');

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function request(headers: Record<string, string | undefined>, body: unknown = {}): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://kpi.example.com/crm/pipedrive',
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.from(JSON.stringify(body)),
  };
}

function verify(authorization: string | undefined) {
  return pipedriveAdapter.verify(request({ authorization }), SECRETS, NOW);
}

describe('pipedriveAdapter.verify', () => {
  it('accepts the right user and password (a password may contain colons)', () => {
    expect(verify(basic(SECRETS.user, SECRETS.password))).toEqual({ ok: true });
  });

  it('accepts a lower-case scheme and a capitalised header name', () => {
    const lower = basic(SECRETS.user, SECRETS.password).replace('Basic', 'basic');
    expect(verify(lower)).toEqual({ ok: true });
    const req = request({ Authorization: basic(SECRETS.user, SECRETS.password) });
    expect(pipedriveAdapter.verify(req, SECRETS, NOW)).toEqual({ ok: true });
  });

  it.each([
    ['a wrong user', basic('someone', SECRETS.password)],
    ['a wrong password', basic(SECRETS.user, 'guess')],
    ['both wrong', basic('someone', 'guess')],
    ['a longer password', basic(SECRETS.user, `${SECRETS.password}x`)],
    ['a much longer user', basic(SECRETS.user.repeat(100), SECRETS.password)],
    ['an empty user and password', basic('', '')],
    ['the user and password swapped', basic(SECRETS.password, SECRETS.user)],
  ])('refuses %s', (_, authorization) => {
    expect(verify(authorization)).toEqual({ ok: false, reason: 'HTTP Basic credentials are wrong' });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Bearer abc.def'],
  ])('says the credentials are missing with %s', (_, authorization) => {
    expect(verify(authorization)).toEqual({ ok: false, reason: 'HTTP Basic credentials are missing' });
  });

  it.each([
    ['no credentials', 'Basic'],
    ['no credentials after the scheme', 'Basic   '],
    ['characters outside base64', 'Basic !!!!'],
    ['base64 of the wrong length', 'Basic a3BpLWJvdA'],
    ['no colon', `Basic ${Buffer.from('kpi-bot').toString('base64')}`],
    ['two tokens', `${basic(SECRETS.user, SECRETS.password)} extra`],
  ])('says the credentials are malformed with %s', (_, authorization) => {
    expect(verify(authorization)).toEqual({ ok: false, reason: 'HTTP Basic credentials are malformed' });
  });
});

describe('pipedriveAdapter replies', () => {
  it('parses the body of the request', () => {
    const result = pipedriveAdapter.parse(request({}, v2DealEvent('create', { id: 7 })));
    expect(result.ok && result.batch.events.map((e) => e.type)).toEqual(['deal.upsert']);
  });

  it('answers 200 with what was stored, and errors as { error }', () => {
    const reply = pipedriveAdapter.reply({ stored: 1, duplicates: 2, rejected: [{ index: 0, reason: 'bad' }] });
    expect(reply).toEqual({
      status: 200,
      contentType: 'application/json',
      body: JSON.stringify({ stored: 1, duplicates: 2, rejected: [{ index: 0, reason: 'bad' }] }),
    });
    expect(pipedriveAdapter.errorReply(401, 'HTTP Basic credentials are wrong')).toEqual({
      status: 401,
      contentType: 'application/json',
      body: '{"error":"HTTP Basic credentials are wrong"}',
    });
  });
});
