import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { crmActivityMappings } from '../db/schema.js';
import type { ActivityKind } from '../kpi/activity-kinds.js';
import { ACTIVITY_SOURCES, type ActivityMapping, type ActivitySource, effectiveMapping } from './activity-mapping.js';

/** A workspace's mapping for one CRM: the defaults with its own rows laid over them. */
export async function loadActivityMapping(
  db: Database,
  workspaceId: string,
  source: ActivitySource,
): Promise<ActivityMapping> {
  const rows = await db
    .select({ crmKey: crmActivityMappings.crmKey, kinds: crmActivityMappings.kinds })
    .from(crmActivityMappings)
    .where(and(eq(crmActivityMappings.workspaceId, workspaceId), eq(crmActivityMappings.source, source)));
  return effectiveMapping(source, rows);
}

/** Sets one key's kinds (empty: not counted), or with null goes back to the default. Idempotent. */
export async function setActivityMapping(
  db: Database,
  where: { workspaceId: string; source: ActivitySource },
  crmKey: string,
  kinds: readonly ActivityKind[] | null,
  by: string,
): Promise<void> {
  if (kinds === null) {
    await db
      .delete(crmActivityMappings)
      .where(
        and(
          eq(crmActivityMappings.workspaceId, where.workspaceId),
          eq(crmActivityMappings.source, where.source),
          eq(crmActivityMappings.crmKey, crmKey),
        ),
      );
    return;
  }
  const row = { ...where, crmKey, kinds: [...kinds], updatedBy: by, updatedAt: new Date() };
  await db
    .insert(crmActivityMappings)
    .values(row)
    .onConflictDoUpdate({
      target: [crmActivityMappings.workspaceId, crmActivityMappings.source, crmActivityMappings.crmKey],
      set: { kinds: row.kinds, updatedBy: by, updatedAt: row.updatedAt },
    });
}

/** Every CRM's mapping for a workspace, for `/kpi explain crm`. */
export async function loadAllMappings(db: Database, workspaceId: string) {
  return Promise.all(
    ACTIVITY_SOURCES.map(async (source) => ({ source, mapping: await loadActivityMapping(db, workspaceId, source) })),
  );
}
