/**
 * Takes secrets out of a log line after it is formatted, so nothing that reaches the log stream can
 * carry one: not our objects (pino's `redact` covers those by path), not the plain strings Bolt and
 * the Slack SDK log (the SDK's debug lines print request bodies, `client_secret` included).
 */

const CENSOR = '[redacted]';

/** Credentials recognisable by shape, whoever holds them (installed bot tokens, connection secrets …). */
const SHAPES: RegExp[] = [
  // Slack: bot, user, app-level, refresh and rotating tokens (xoxb-, xoxp-, xapp-, xoxe-, xoxe.xoxb-).
  /\b(?:xoxe\.)?(?:xox[a-z]|xapp)-[0-9A-Za-z-]+/g,
  // Standard Webhooks signing secrets (the generic CRM webhook).
  /\bwhsec_[A-Za-z0-9+/=]+/g,
  // HubSpot private app tokens.
  /\bpat-[a-z0-9]+-[0-9a-f-]{8,}/g,
];

/** A credential given as a URL query or form parameter, or in an Authorization header value. */
const PARAMS = /\b((?:token|access_token|refresh_token|client_secret|code|password|api_token)=)[^&\s"\\]+/gi;
const AUTHORIZATION = /\b(Bearer|Basic) +[A-Za-z0-9._~+/=-]+/gi;

/** Shorter values would match ordinary words; every real secret is far longer. */
const MIN_SECRET_LENGTH = 6;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The ways a value can appear in a JSON line: as is, escaped once or twice, or URL-encoded. */
function spellings(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  return [secret, once, JSON.stringify(once).slice(1, -1), encodeURIComponent(secret)];
}

export function secretScrubber(secrets: readonly string[]): (line: string) => string {
  const known = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(spellings))]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp);
  const values = known.length > 0 ? new RegExp(known.join('|'), 'g') : null;
  return (line) => {
    let out = values ? line.replace(values, CENSOR) : line;
    for (const shape of SHAPES) out = out.replace(shape, CENSOR);
    return out.replace(PARAMS, `$1${CENSOR}`).replace(AUTHORIZATION, `$1 ${CENSOR}`);
  };
}
