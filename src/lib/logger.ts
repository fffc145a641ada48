import { type Logger as BoltLogger, LogLevel } from '@slack/logger';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { currentRequestContext } from './request-context.js';
import { secretScrubber } from './scrub.js';

export type Logger = pino.Logger;

/** Paths that may hold a secret anywhere a log line carries an object. */
const REDACT = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  'clientSecret',
  'signingSecret',
  'stateSecret',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'headers.authorization',
  '*.headers.authorization',
  'url',
];

/**
 * Database errors carry the failed SQL and its parameters, which hold people's data (names, emails,
 * deal amounts) and can run to megabytes for a batch: the log keeps the error, not the data.
 */
function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const trim = (value: unknown) =>
    typeof value === 'string' && value.length > 300 ? `${value.slice(0, 300)}…` : value;
  const clean = (o: Record<string, unknown>) => {
    delete o.params;
    for (const key of ['message', 'stack', 'query']) if (key in o) o[key] = trim(o[key]);
    for (const value of Object.values(o))
      if (value && typeof value === 'object') clean(value as Record<string, unknown>);
  };
  if (out && typeof out === 'object') {
    // The driver's own error (ECONNRESET, a constraint) is what matters, and drizzle keeps it in `cause`.
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) out.cause = serializeError(cause);
    clean(out);
  }
  return out;
}

/**
 * `secrets` (the configured values, see `configuredSecrets`) are scrubbed from every line as written,
 * whatever logged it: Bolt and the Slack SDK hand over plain strings that `redact` never sees.
 */
export function createLogger(
  level: Config['logLevel'],
  destination: pino.DestinationStream = pino.destination(1),
  secrets: readonly string[] = [],
): Logger {
  const scrub = secretScrubber(secrets);
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      serializers: { err: serializeError },
      // Lines written while serving a request carry its id (and workspace), errors included.
      mixin: () => ({ ...currentRequestContext() }),
    },
    { write: (line: string) => destination.write(scrub(line)) },
  );
}

const BOLT_LEVEL: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

/** Bolt and the Slack SDK log through our logger, so there is one stream with one format. */
export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => child.debug(join(msg)),
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: () => {},
    getLevel: () => BOLT_LEVEL[logger.level] ?? LogLevel.INFO,
    setName: () => {},
  };
}
