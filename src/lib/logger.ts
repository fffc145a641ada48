import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { pino } from 'pino';
import type { Config } from '../config.js';

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
  'headers.authorization',
  '*.headers.authorization',
  'url',
];

export function createLogger(level: Config['logLevel'], destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
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
