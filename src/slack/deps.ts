import type { Database } from '../db/client.js';
import type { Backfills } from '../integrations/backfill/contract.js';
import type { CrmConfig, CrmSource } from '../integrations/crm-config.js';
import type { CrmOAuthClient } from '../integrations/crm-oauth.js';
import type { CrmRunner } from '../integrations/crm-runner.js';
import type { Logger } from '../lib/logger.js';
import type { SecretBox } from '../lib/secret-box.js';

/** What every listener gets: the database, the logger and the clock (tests inject a fixed one). */
export interface AppDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  crm: CrmCommandDeps;
}

/** What `/kpi crm` needs to show, map and connect CRMs. */
export interface CrmCommandDeps {
  config: CrmConfig;
  runner: CrmRunner;
  /** Many workspaces: CRMs are connected from Slack; one workspace: from the environment. */
  perWorkspaceConnections: boolean;
  /** Seals the webhook secrets of connections made from Slack. */
  secrets: SecretBox;
  /** The CRMs connected by OAuth (many-workspace mode, client id configured). */
  oauth: Partial<Record<CrmSource, CrmOAuthClient>>;
  /** Reads a CRM's history (`/kpi crm backfill`, the App Home); null where this server has no backfill engine. */
  backfills: Backfills | null;
}
