import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../../src/integrations/crm-event.js';
import { salesforceAdapter } from '../../../src/integrations/salesforce/adapter.js';
import { organizationMatches } from '../../../src/integrations/salesforce/ids.js';
import { outboundMessage } from '../../support/fake-salesforce.js';

const ORG = '00D5w000004qGTOEA2';
const TOKEN = 'q9R-2xv_Lp7s0Kd+/=';
const SECRETS = { organizationId: ORG, token: TOKEN };
const NOW = new Date('2024-06-01T09:00:00.000Z');

function body(organizationId = ORG): Buffer {
  return Buffer.from(
    outboundMessage({
      organizationId,
      notifications: [
        {
          id: '04l5w00005286hAAAQ',
          sObject: { type: 'Opportunity', fields: { Id: '0065w000023STAmAAO', Amount: 10 } },
        },
      ],
    }),
  );
}

function request(query: string, rawBody = body()): WebhookRequest {
  return {
    method: 'POST',
    url: `https://kpi.example.com/webhooks/salesforce${query}`,
    headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
    rawBody,
  };
}

const withToken = (token: string) => `?token=${encodeURIComponent(token)}`;

/** Reads SOAP back the way a client would: by local names. */
const soap = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, parseTagValue: false });

describe('salesforceAdapter.verify', () => {
  it('accepts the right token from the right organization', () => {
    expect(salesforceAdapter.verify(request(withToken(TOKEN)), SECRETS, NOW)).toEqual({ ok: true });
  });

  it('finds the token among other query parameters', () => {
    expect(salesforceAdapter.verify(request(`?source=sf&token=${encodeURIComponent(TOKEN)}`), SECRETS, NOW)).toEqual({
      ok: true,
    });
  });

  it.each([
    ['no token', '', 'missing token'],
    ['a wrong token', withToken('q9R-2xv_Lp7s0Kd+/!'), 'wrong token'],
    ['an empty token', '?token=', 'wrong token'],
    ['a prefix of the token', withToken(TOKEN.slice(0, -1)), 'wrong token'],
    ['the token in another parameter', `?secret=${encodeURIComponent(TOKEN)}`, 'missing token'],
  ])('refuses %s', (_, query, reason) => {
    expect(salesforceAdapter.verify(request(query), SECRETS, NOW)).toEqual({ ok: false, reason });
  });

  it('refuses everything when no token is configured', () => {
    expect(salesforceAdapter.verify(request('?token='), { organizationId: ORG, token: '' }, NOW)).toEqual({
      ok: false,
      reason: 'no webhook token is configured',
    });
  });

  it('refuses a message from another organization', () => {
    expect(salesforceAdapter.verify(request(withToken(TOKEN), body('00D5w000004qGTPEA2')), SECRETS, NOW)).toEqual({
      ok: false,
      reason: 'wrong organization',
    });
  });

  it('accepts the 15-character organization id an admin copied from Setup', () => {
    const secrets = { organizationId: ORG.slice(0, 15), token: TOKEN };
    expect(salesforceAdapter.verify(request(withToken(TOKEN)), secrets, NOW)).toEqual({ ok: true });
  });

  it('lets the right token through with an unreadable body, which parse then refuses with its reason (400, not 401)', () => {
    const req = request(withToken(TOKEN), Buffer.from('<x/>'));
    expect(salesforceAdapter.verify(req, SECRETS, NOW)).toEqual({ ok: true });
    const parsed = salesforceAdapter.parse(req);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(5);
  });

  it('never echoes the secrets in its reasons', () => {
    const reasons = [
      request(withToken('nope')),
      request(''),
      request(withToken(TOKEN), body('00D5w000004qGTPEA2')),
      request(withToken(TOKEN), Buffer.from('junk')),
    ].map((req) => {
      const verification = salesforceAdapter.verify(req, SECRETS, NOW);
      return verification.ok ? '' : verification.reason;
    });
    for (const reason of reasons) {
      expect(reason).not.toContain(TOKEN);
      expect(reason).not.toContain(ORG.slice(0, 15));
      expect(reason.length).toBeLessThan(40);
    }
  });
});

describe('organizationMatches', () => {
  it.each([
    [ORG, ORG, true],
    [ORG.slice(0, 15), ORG, true],
    [ORG.toLowerCase(), ORG, false],
    [ORG.slice(0, 15).toLowerCase(), ORG, false],
    ['00D5w000004qGTP', ORG, false],
    [`${ORG.slice(0, 15)}AAA`, ORG, false],
    [ORG, ORG.slice(0, 15), false],
    ['', ORG, false],
    [ORG.slice(0, 14), ORG, false],
  ])('configured %j, received %j → %s', (configured, received, matches) => {
    expect(organizationMatches(configured, received)).toBe(matches);
  });
});

describe('salesforceAdapter.parse', () => {
  it('parses the body into events of the organization', () => {
    const result = salesforceAdapter.parse(request(withToken(TOKEN)));
    expect(result).toMatchObject({ ok: true, batch: { accountId: ORG, events: [{ dealId: '0065w000023STAmAAO' }] } });
  });
});

describe('salesforceAdapter.reply', () => {
  it('is the acknowledgement of the outbound messaging WSDL', () => {
    const reply = salesforceAdapter.reply({ stored: 1, duplicates: 0, rejected: [] });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('text/xml; charset=utf-8');
    expect(reply.body).toContain(
      '<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body>',
    );
    const qualified = new XMLParser({ ignoreAttributes: false }).parse(reply.body, true);
    expect(qualified['soapenv:Envelope']['@_xmlns:soapenv']).toBe('http://schemas.xmlsoap.org/soap/envelope/');
    expect(soap.parse(reply.body, true).Envelope.Body.notificationsResponse.Ack).toBe('true');
  });

  it('acknowledges a message even when some notifications were rejected', () => {
    const reply = salesforceAdapter.reply({ stored: 0, duplicates: 0, rejected: [{ index: 0, reason: 'bad Amount' }] });
    expect(soap.parse(reply.body, true).Envelope.Body.notificationsResponse.Ack).toBe('true');
  });
});

describe('salesforceAdapter.errorReply', () => {
  it.each([
    [400, 'soapenv:Client'],
    [401, 'soapenv:Client'],
    [413, 'soapenv:Client'],
    [500, 'soapenv:Server'],
    [503, 'soapenv:Server'],
  ])('answers %i with a %s SOAP fault', (status, faultcode) => {
    const reply = salesforceAdapter.errorReply(status, 'wrong token');
    expect(reply).toMatchObject({ status, contentType: 'text/xml; charset=utf-8' });
    const fault = soap.parse(reply.body, true).Envelope.Body.Fault;
    expect(fault).toEqual({ faultcode, faultstring: 'wrong token' });
  });

  it('escapes the reason, which reads back unchanged', () => {
    const reason = `Amount "1<2" & 'more' > less]]>`;
    const reply = salesforceAdapter.errorReply(400, reason);
    expect(soap.parse(reply.body, true).Envelope.Body.Fault.faultstring).toBe(reason);
  });

  it('drops characters XML cannot carry', () => {
    const reply = salesforceAdapter.errorReply(400, 'bad\u0000 \u001b byte \ud800');
    expect(soap.parse(reply.body, true).Envelope.Body.Fault.faultstring).toBe('bad  byte');
  });
});
