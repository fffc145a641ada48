import { webApi } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import type { ClaimedPost } from '../../src/delivery/outbox.repository.js';
import { mayAlreadyBePosted } from '../../src/delivery/send-post.js';
import { backoffMs, classifySlackFailure, DEFAULT_BACKOFF, remedyFor } from '../../src/delivery/slack-failures.js';

/** The errors @slack/web-api throws, built the way it builds them. */
function platformError(code: string): Error {
  return Object.assign(new Error(`An API error occurred: ${code}`), {
    code: webApi.ErrorCode.PlatformError,
    data: { ok: false, error: code },
  });
}
const httpError = (statusCode: number) =>
  Object.assign(new Error(`HTTP ${statusCode}`), { code: webApi.ErrorCode.HTTPError, statusCode });
const rateLimited = (retryAfter: number) =>
  Object.assign(new Error('rate limited'), { code: webApi.ErrorCode.RateLimitedError, retryAfter });
const requestError = () => Object.assign(new Error('ECONNRESET'), { code: webApi.ErrorCode.RequestError });

describe('classifySlackFailure', () => {
  it('reads Retry-After from a 429', () => {
    expect(classifySlackFailure(rateLimited(12))).toEqual({
      kind: 'rate_limited',
      retryAfterMs: 12_000,
      error: 'ratelimited',
    });
  });

  it('retries 5xx, timeouts, network errors and Slack-side faults', () => {
    for (const error of [httpError(500), httpError(503), httpError(408), requestError()]) {
      expect(classifySlackFailure(error).kind).toBe('transient');
    }
    for (const code of ['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']) {
      expect(classifySlackFailure(platformError(code))).toEqual({ kind: 'transient', error: code });
    }
  });

  it('gives up at once on what retrying cannot fix', () => {
    for (const code of [
      'channel_not_found',
      'not_in_channel',
      'is_archived',
      'account_inactive',
      'invalid_auth',
      'token_revoked',
      'missing_scope',
      'invalid_blocks',
    ]) {
      expect(classifySlackFailure(platformError(code))).toEqual({ kind: 'permanent', error: code });
    }
    expect(classifySlackFailure(httpError(404))).toEqual({ kind: 'permanent', error: 'http_404' });
  });
});

describe('backoffMs', () => {
  const policy = { ...DEFAULT_BACKOFF, baseMs: 1000, maxMs: 60_000 };

  it('doubles with each attempt, up to the cap, with half of it jittered', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((n) => backoffMs(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(20, policy, () => 1)).toBe(60_000);
  });
});

describe('remedyFor', () => {
  it('tells the subscriber how to let the bot in', () => {
    expect(remedyFor('not_in_channel')).toContain('/invite @KPI Coach');
    expect(remedyFor('weird_error')).toContain('weird_error');
  });
});

describe('mayAlreadyBePosted', () => {
  const claimed = (fields: Partial<ClaimedPost>): ClaimedPost => ({
    id: 1,
    workspaceId: 'T1',
    key: 'k',
    kind: 'board',
    target: 'C1',
    payload: { text: 't' },
    refType: null,
    refId: null,
    attempts: 2,
    lastError: null,
    previousStatus: 'pending',
    previousLeaseUntil: null,
    ...fields,
  });

  it('is false for a first try and after a 429, true after a crash or an unclear failure', () => {
    expect(mayAlreadyBePosted(claimed({ attempts: 1 }))).toBe(false);
    expect(mayAlreadyBePosted(claimed({ lastError: 'ratelimited' }))).toBe(false);
    expect(mayAlreadyBePosted(claimed({ previousStatus: 'sending' }))).toBe(true);
    expect(mayAlreadyBePosted(claimed({ lastError: 'http_503' }))).toBe(true);
  });
});
