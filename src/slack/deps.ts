import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { CrmCommandDeps } from './listeners/commands/crm-actions.js';

/** What every listener gets: the database, the logger and the clock (tests inject a fixed one). */
export interface AppDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  crm: CrmCommandDeps;
}
