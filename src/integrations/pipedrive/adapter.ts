import { createHash, timingSafeEqual } from 'node:crypto';
import { type CrmAdapter, jsonReply } from '../adapter.js';
import type { Verification } from '../crm-event.js';
import { parsePipedriveWebhook } from './parse.js';

/**
 * Pipedrive signs nothing: a webhook's only proof is the HTTP Basic user and password set on it
 * (`http_auth_user` / `http_auth_password`), which Pipedrive sends with every delivery.
 */
export interface PipedriveSecrets {
  user: string;
  password: string;
}

/** RFC 7617: the scheme is case-insensitive; the credentials are base64 of `user:password`. */
const BASIC = /^basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Compares digests, which always have the same length, so neither content nor length leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function readBasic(authorization: string | undefined): { user: string; password: string } | 'missing' | 'malformed' {
  if (authorization === undefined || !/^basic\b/i.test(authorization.trim())) return 'missing';
  const encoded = BASIC.exec(authorization.trim())?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0) return 'malformed';
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  // The user may not contain a colon; the password may.
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function verifyBasicAuth(headers: Record<string, string | undefined>, secrets: PipedriveSecrets): Verification {
  const credentials = readBasic(header(headers, 'authorization'));
  if (credentials === 'missing') return { ok: false, reason: 'HTTP Basic credentials are missing' };
  if (credentials === 'malformed') return { ok: false, reason: 'HTTP Basic credentials are malformed' };
  // Both are always compared, so the time taken does not tell whether the user alone was right.
  const userMatches = sameSecret(credentials.user, secrets.user);
  const passwordMatches = sameSecret(credentials.password, secrets.password);
  return userMatches && passwordMatches ? { ok: true } : { ok: false, reason: 'HTTP Basic credentials are wrong' };
}

export const pipedriveAdapter: CrmAdapter<PipedriveSecrets> = {
  verify: (req, secrets) => verifyBasicAuth(req.headers, secrets),
  parse: (req) => parsePipedriveWebhook(req.rawBody),
  // Pipedrive looks at the status only; the body is for whoever reads the webhook log.
  reply: (outcome) =>
    jsonReply(200, { stored: outcome.stored, duplicates: outcome.duplicates, rejected: outcome.rejected }),
  errorReply: (status, reason) => jsonReply(status, { error: reason }),
};
