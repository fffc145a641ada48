import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { createShutdown } from '../../src/lib/shutdown.js';

const silent = createLogger('silent');

describe('the shutdown registry', () => {
  it('stops services in the reverse order they were added, each after the previous one finished', async () => {
    const shutdown = createShutdown(silent);
    const log: string[] = [];
    shutdown.add('database', () => void log.push('database'));
    shutdown.add('deliverer', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      log.push('deliverer');
    });
    shutdown.add('scheduler', () => void log.push('scheduler'));
    await shutdown.run();
    expect(log).toEqual(['scheduler', 'deliverer', 'database']);
  });

  it('logs a service that fails to stop by name and still stops the rest', async () => {
    const lines: { service?: string; msg?: string }[] = [];
    const logger = createLogger('error', { write: (line: string) => void lines.push(JSON.parse(line)) });
    const shutdown = createShutdown(logger);
    const stopped: string[] = [];
    shutdown.add('database', () => void stopped.push('database'));
    shutdown.add('slack', () => {
      throw new Error('socket already closed');
    });
    await shutdown.run();
    expect(stopped).toEqual(['database']);
    expect(lines).toMatchObject([{ service: 'slack', msg: 'error while stopping a service' }]);
  });

  it('stops each service once when asked twice at the same time', async () => {
    const shutdown = createShutdown(silent);
    let stops = 0;
    shutdown.add('deliverer', async () => {
      stops++;
      await new Promise((resolve) => setImmediate(resolve));
    });
    await Promise.all([shutdown.run(), shutdown.run()]);
    await shutdown.run();
    expect(stops).toBe(1);
  });
});
