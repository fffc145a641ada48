import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { installations } from '../db/schema.js';
import { openInstallation, sealInstallation } from '../db/secrets-at-rest.js';
import { CodedError, ErrorCode } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import { markInstalled, markOrgInstalled } from '../members/members.repository.js';

/** An org-wide install answers for every workspace of its enterprise; otherwise one per team. */
function keyOf(q: {
  isEnterpriseInstall?: boolean;
  enterpriseId?: string | undefined;
  teamId?: string | undefined;
}): string {
  if (q.isEnterpriseInstall && q.enterpriseId) return `E:${q.enterpriseId}`;
  if (q.teamId) return `T:${q.teamId}`;
  throw new Error('an installation needs a team or an enterprise id');
}

export class NoInstallationError extends CodedError {
  readonly code = ErrorCode.NoInstallation;
}

/** Bolt's installation store on our database (many-workspace mode); the installation is stored sealed. */
export function createInstallationStore(db: Database, now: () => Date, box: SecretBox): InstallationStore {
  return {
    async storeInstallation(installation: Installation) {
      const key = keyOf({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      const row = {
        key,
        teamId: installation.team?.id ?? null,
        enterpriseId: installation.enterprise?.id ?? null,
        isEnterpriseInstall: installation.isEnterpriseInstall ?? false,
        botUserId: installation.bot?.userId ?? null,
        data: sealInstallation(box, key, installation),
        updatedAt: now(),
      };
      await db.insert(installations).values(row).onConflictDoUpdate({ target: installations.key, set: row });
      if (installation.team?.id) await markInstalled(db, installation.team.id, now());
      else if (installation.isEnterpriseInstall && installation.enterprise?.id) {
        await markOrgInstalled(db, installation.enterprise.id, true, now());
      }
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const rows = await db
        .select()
        .from(installations)
        .where(eq(installations.key, keyOf(query)));
      const row = rows[0];
      if (!row) throw new NoInstallationError(`no installation for ${keyOf(query)}`);
      return openInstallation(box, row.key, row.data);
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await db.delete(installations).where(eq(installations.key, keyOf(query)));
    },
  };
}
