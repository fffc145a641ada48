import * as webApi from '@slack/web-api';

/**
 * What a failed Slack call means for the post that made it. Pure, so the retry policy is tested
 * without a network.
 */
export type Failure =
  /** HTTP 429: Slack says when to come back; the post was not made. */
  | { kind: 'rate_limited'; retryAfterMs: number; error: string }
  /** 5xx, a network error or a Slack-side fault: retried with backoff; the post may have been made. */
  | { kind: 'transient'; error: string }
  /** Retrying cannot help (a missing channel, a revoked token …): recorded and surfaced. */
  | { kind: 'permanent'; error: string };

/** Slack-level error codes that mean "try again later". */
const TRANSIENT_CODES = new Set([
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'team_added_to_org',
]);

export function classifySlackFailure(error: unknown): Failure {
  if (!(error instanceof Error) || !('code' in error)) {
    return { kind: 'transient', error: error instanceof Error ? error.message : String(error) };
  }
  switch (error.code) {
    case webApi.ErrorCode.RateLimitedError: {
      const seconds = (error as webApi.WebAPIRateLimitedError).retryAfter;
      return { kind: 'rate_limited', retryAfterMs: Math.max(1, seconds || 1) * 1000, error: 'ratelimited' };
    }
    case webApi.ErrorCode.HTTPError: {
      const status = (error as webApi.WebAPIHTTPError).statusCode;
      const code = `http_${status}`;
      // 408 and 5xx are Slack's or the network's trouble; any other 4xx is ours and will not change.
      return status >= 500 || status === 408 ? { kind: 'transient', error: code } : { kind: 'permanent', error: code };
    }
    case webApi.ErrorCode.PlatformError: {
      const code = (error as webApi.WebAPIPlatformError).data.error;
      return TRANSIENT_CODES.has(code) ? { kind: 'transient', error: code } : { kind: 'permanent', error: code };
    }
    case webApi.ErrorCode.RequestError:
      return { kind: 'transient', error: `network: ${error.message}` };
    default:
      return { kind: 'transient', error: error.message };
  }
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Attempts (claims) after which a transient failure becomes `failed`. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 10 * 60_000, maxAttempts: 8 };

/**
 * Delay before attempt `attempts + 1`: exponential, capped, with "equal jitter" (half fixed, half
 * random) so replicas and posts that failed together do not retry in lockstep.
 */
export function backoffMs(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** What to tell the person who set a post up, for the errors they can fix. */
export function remedyFor(error: string): string {
  switch (error) {
    case 'not_in_channel':
      return 'I am not a member of that channel: invite me there with `/invite @KPI Coach`.';
    case 'channel_not_found':
      return 'I cannot see that channel (it was deleted, or it is private and I was never invited): invite me with `/invite @KPI Coach`, or subscribe another channel.';
    case 'is_archived':
      return 'That channel is archived: unarchive it, or subscribe another channel.';
    case 'account_inactive':
    case 'user_not_found':
      return 'The recipient’s account is deactivated.';
    case 'missing_scope':
      return 'The app lacks a permission it needs: ask an admin to reinstall it.';
    default:
      return `Slack refused the post (${error}).`;
  }
}
