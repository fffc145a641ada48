import { createHmac, timingSafeEqual } from 'node:crypto';
import { requestAgeProblem } from '../../lib/request-age.js';
import type { Verification, WebhookRequest } from '../crm-event.js';

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256>` over
 * `${webhook-id}.${webhook-timestamp}.${body}`, keyed with the base64 part of a `whsec_` secret,
 * timestamps within five minutes. Written on node:crypto: the whole spec is these few lines.
 */

export function signStandardWebhook(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
  return `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

export function verifyStandardWebhook(req: WebhookRequest, secret: string, now: Date): Verification {
  const id = req.headers['webhook-id'];
  const timestamp = req.headers['webhook-timestamp'];
  const signatures = req.headers['webhook-signature'];
  if (!id || !timestamp || !signatures)
    return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature headers are required' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp must be whole seconds since the epoch' };
  const problem = requestAgeProblem(Number(timestamp) * 1000, now);
  if (problem) return { ok: false, reason: `webhook-${problem}` };
  const expected = Buffer.from(signStandardWebhook(secret, id, Number(timestamp), req.rawBody));
  // The header may carry several space-separated signatures (during a secret rotation).
  const matches = signatures.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
