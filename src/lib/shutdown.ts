import type { Logger } from './logger.js';

/**
 * Each service adds how it stops as it starts, so nobody orders `stop()` by hand: services stop in
 * the reverse order they were added (the scheduler before the deliverer it feeds, the database
 * last). One service failing to stop is logged and the others still stop. Running it twice waits
 * for the first run, so a signal during a test's `stop()` (or two signals) stops everything once.
 */
export interface Shutdown {
  add(name: string, stop: () => void | Promise<void>): void;
  run(): Promise<void>;
}

export function createShutdown(logger: Logger): Shutdown {
  const services: { name: string; stop: () => void | Promise<void> }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name, stop) {
      services.push({ name, stop });
    },
    run() {
      running ??= (async () => {
        for (const service of services.toReversed()) {
          try {
            await service.stop();
          } catch (error) {
            logger.error({ err: error, service: service.name }, 'error while stopping a service');
          }
        }
      })();
      return running;
    },
  };
}
