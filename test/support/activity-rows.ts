import { and, eq } from 'drizzle-orm';
import type { Database } from '../../src/db/client.js';
import { activities } from '../../src/db/schema.js';

/** Every stored activity row of one person in one workspace, reversals included. */
export function activityRows(db: Database, workspaceId: string, userId: string) {
  return db
    .select()
    .from(activities)
    .where(and(eq(activities.workspaceId, workspaceId), eq(activities.userId, userId)));
}
