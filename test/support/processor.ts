import type { Database } from '../../src/db/client.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import type { ProcessorDeps } from '../../src/integrations/processor.js';
import { createLogger } from '../../src/lib/logger.js';

/** The CRM processor on a test database with no Slack and no CRM API: it knows what the events say. */
export function offlineProcessor(db: Database, now: Date): ProcessorDeps {
  return {
    db,
    logger: createLogger('silent'),
    now: () => now,
    crm: parseCrmConfig({}, []),
    slackFor: async () => null,
    apiFor: () => null,
  };
}
