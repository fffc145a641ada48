import { createHash, timingSafeEqual } from 'node:crypto';
import type { CrmAdapter } from '../adapter.js';
import type { Verification, WebhookReply, WebhookRequest } from '../crm-event.js';
import { organizationMatches } from './ids.js';
import { parseOutboundMessage, readEnvelope } from './parse.js';
import { escapeXml, OUTBOUND_NS, SOAP_ENVELOPE_NS } from './soap.js';

/**
 * Salesforce outbound messages are not signed. What proves them is a secret token in the endpoint
 * URL the admin pastes into Salesforce (`/webhooks/salesforce?token=…`, sent over HTTPS), and the
 * message's OrganizationId, which must be the configured organization's.
 *
 * There is no timestamp to bound replays: a replayed notification carries the same notification
 * id, so it is stored once.
 */
export interface SalesforceSecrets {
  /** 15 or 18 characters, as shown in Setup → Company Information. */
  organizationId: string;
  token: string;
}

const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';

function soapEnvelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP_ENVELOPE_NS}"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

/** The acknowledgement the outbound messaging WSDL defines; anything else makes Salesforce resend. */
const ACK = soapEnvelope(`<notificationsResponse xmlns="${OUTBOUND_NS}"><Ack>true</Ack></notificationsResponse>`);

/** Constant time, and over digests so that not even the token's length shows. */
function sameSecret(received: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(received), digest(expected));
}

function tokenOf(url: string): string | null {
  const base = 'http://localhost';
  return URL.canParse(url, base) ? new URL(url, base).searchParams.get('token') : null;
}

/**
 * The token is checked first, so that only holders of it get the body parsed at all. The
 * OrganizationId check then reads the message with the same reader `parse` uses: parsing twice
 * costs under 10 ms for a full message of 100 notifications, and a hand-rolled shortcut (a regular
 * expression) could read a different id than the parser does. A body that cannot be read at all
 * passes here and is refused by `parse` with its reason.
 */
function verify(req: WebhookRequest, secrets: SalesforceSecrets): Verification {
  if (secrets.token === '') return { ok: false, reason: 'no webhook token is configured' };
  const token = tokenOf(req.url);
  if (token === null) return { ok: false, reason: 'missing token' };
  if (!sameSecret(token, secrets.token)) return { ok: false, reason: 'wrong token' };
  const read = readEnvelope(req.rawBody);
  // The token proved the sender. A body that is no outbound message is refused by `parse` (400,
  // saying why) with the same reader, so nothing unreadable is ever stored.
  if (!read.ok) return { ok: true };
  if (!organizationMatches(secrets.organizationId, read.envelope.organizationId)) {
    return { ok: false, reason: 'wrong organization' };
  }
  return { ok: true };
}

export const salesforceAdapter: CrmAdapter<SalesforceSecrets> = {
  verify,
  parse: (req) => parseOutboundMessage(req.rawBody),
  /**
   * Acknowledges the whole message, rejected notifications included: a retry would be refused the
   * same way, and Salesforce retries whole messages for up to 24 hours.
   */
  reply: () => ({ status: 200, contentType: XML_CONTENT_TYPE, body: ACK }),
  /** A SOAP 1.1 fault: Salesforce shows the faultstring in its outbound message queue and retries. */
  errorReply(status: number, reason: string): WebhookReply {
    const faultcode = status >= 500 ? 'soapenv:Server' : 'soapenv:Client';
    const fault = `<soapenv:Fault><faultcode>${faultcode}</faultcode><faultstring>${escapeXml(reason)}</faultstring></soapenv:Fault>`;
    return { status, contentType: XML_CONTENT_TYPE, body: soapEnvelope(fault) };
  },
};
