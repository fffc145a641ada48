/**
 * Checks that a webhook request really comes from HubSpot, following
 * https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests.
 *
 * v3 (preferred, sent whenever `X-HubSpot-Signature-v3` is present):
 *   base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)), where `timestamp` is the
 *   `X-HubSpot-Request-Timestamp` header (ms) and requests older than 5 minutes are refused. Before
 *   signing, HubSpot decodes these percent-encodings in the URI: %3A : %2F / %3F ? %40 @ %21 ! %24 $
 *   %27 ' %28 ( %29 ) %2A * %2C , %3B ; — and no others (so %20 stays %20).
 * v1 (legacy CRM webhooks, no timestamp): hex SHA-256 of clientSecret + body, announced by
 *   `X-HubSpot-Signature-Version: v1`. Accepted only when no v3 signature is present.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { requestAgeProblem } from '../../lib/request-age.js';
import type { Verification, WebhookRequest } from '../crm-event.js';

/** HubSpot's table of the percent-encodings it decodes before signing; all others stay encoded. */
const V3_DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};
/** One pass over the URI, so `%253A` stays `%253A` instead of being decoded twice. */
const V3_ENCODED = new RegExp(Object.keys(V3_DECODED).join('|'), 'gi');

/** The URI as HubSpot signed it: only the listed reserved characters decoded. */
function uriForHubSpotV3(url: string): string {
  return url.replace(V3_ENCODED, (encoded) => V3_DECODED[encoded.toUpperCase()] ?? encoded);
}

/** The base64 v3 signature; the raw body is hashed as bytes, exactly as received. */
function hubSpotV3Signature(
  clientSecret: string,
  request: { method: string; url: string; rawBody: Buffer; timestamp: string },
): string {
  return createHmac('sha256', clientSecret)
    .update(request.method + uriForHubSpotV3(request.url))
    .update(request.rawBody)
    .update(request.timestamp)
    .digest('base64');
}

/** The hex v1 signature: SHA-256 of the client secret followed by the raw body. */
function hubSpotV1Signature(clientSecret: string, rawBody: Buffer): string {
  return createHash('sha256').update(clientSecret).update(rawBody).digest('hex');
}

/** Header lookup that ignores case: Node lower-cases names, other callers may not. */
function header(req: WebhookRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(req.headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Constant-time equality; `timingSafeEqual` throws on different lengths, which only reveals the length. */
function sameText(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const fail = (reason: string): Verification => ({ ok: false, reason });

/** Why a v3 timestamp is unacceptable, or null: replays are refused after 5 minutes, either way of the clock. */
function timestampProblem(timestamp: string, now: Date): string | null {
  if (!/^\d{1,16}$/.test(timestamp)) return 'X-HubSpot-Request-Timestamp is not a number of milliseconds';
  return requestAgeProblem(Number(timestamp), now);
}

function verifyV3(req: WebhookRequest, signature: string, clientSecret: string, now: Date): Verification {
  const timestamp = header(req, 'X-HubSpot-Request-Timestamp');
  if (timestamp === undefined) return fail('missing X-HubSpot-Request-Timestamp header');
  const problem = timestampProblem(timestamp, now);
  if (problem !== null) return fail(problem);
  const expected = hubSpotV3Signature(clientSecret, { ...req, timestamp });
  return sameText(signature, expected) ? { ok: true } : fail('signature does not match');
}

function verifyV1(req: WebhookRequest, clientSecret: string): Verification {
  const signature = header(req, 'X-HubSpot-Signature');
  if (signature === undefined) return fail('missing X-HubSpot-Signature-v3 or X-HubSpot-Signature header');
  const version = header(req, 'X-HubSpot-Signature-Version');
  if (version?.toLowerCase() !== 'v1') return fail('only v3 and v1 signatures are supported');
  const expected = hubSpotV1Signature(clientSecret, req.rawBody);
  return sameText(signature.toLowerCase(), expected) ? { ok: true } : fail('signature does not match');
}

export function verifyHubSpotSignature(req: WebhookRequest, clientSecret: string, now: Date): Verification {
  // An empty secret would make signatures anyone can compute.
  if (clientSecret === '') return fail('no HubSpot client secret is configured');
  const v3 = header(req, 'X-HubSpot-Signature-v3');
  return v3 === undefined ? verifyV1(req, clientSecret) : verifyV3(req, v3, clientSecret, now);
}
