import { isDatabaseUnavailable } from '../db/client.js';
import type { Logger } from './logger.js';

/**
 * The last line of defence, at the process edge: a rejection nobody handled or an exception nobody
 * caught is logged with what it was. A rejection leaves no state half-changed, and a dropped
 * database connection (a failover, a proxy's idle timeout) is something the app recovers from, so
 * the process carries on; any other uncaught exception may have left state broken, so `onFatal`
 * shuts the process down (its supervisor starts a fresh one).
 */
export function handleProcessFaults(logger: Logger, onFatal: (error: unknown) => void): void {
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason, fault: 'unhandledRejection', databaseUnavailable: isDatabaseUnavailable(reason) },
      'a promise was rejected and nothing handled it; carrying on',
    );
  });
  process.on('uncaughtException', (error, origin) => {
    if (isDatabaseFault(error)) {
      logger.error({ err: error, fault: origin, databaseFault: true }, 'the database connection dropped; carrying on');
      return;
    }
    logger.fatal({ err: error, fault: origin }, 'uncaught exception; shutting down');
    onFatal(error);
  });
}

/**
 * A dropped connection, or postgres.js tripping over one: under a storm of killed backends it throws
 * from its own timers (`Cannot read properties of null (reading 'write')` in `nextWrite`), where no
 * caller can catch it. The pool drops that connection and opens a fresh one, so it is not fatal.
 */
function isDatabaseFault(error: unknown): boolean {
  return (
    isDatabaseUnavailable(error) ||
    (error instanceof Error && /[/\\]node_modules[/\\]postgres[/\\]/.test(error.stack ?? ''))
  );
}
