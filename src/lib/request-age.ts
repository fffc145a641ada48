/**
 * How far a signed request's own timestamp may be from our clock, either way: older is a replay,
 * newer is a request signed ahead to be replayed later (or a clock gone wrong). Slack and every
 * CRM we verify use the same five minutes.
 */
export const MAX_REQUEST_SKEW_MS = 5 * 60 * 1000;

/** Why a request signed at `sentAtMs` is refused, or null when it is within five minutes of `now`. */
export function requestAgeProblem(sentAtMs: number, now: Date): string | null {
  const age = now.getTime() - sentAtMs;
  if (age > MAX_REQUEST_SKEW_MS) return 'timestamp is more than 5 minutes old';
  if (age < -MAX_REQUEST_SKEW_MS) return 'timestamp is more than 5 minutes in the future';
  return null;
}
