import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { members } from '../db/schema.js';

/** Turns a member's own nudges on or off and/or moves them; only their own row changes. */
export async function setNudges(
  db: Database,
  who: { workspaceId: string; userId: string },
  change: { enabled?: boolean; time?: string },
): Promise<void> {
  await db
    .update(members)
    .set({
      ...(change.enabled === undefined ? {} : { nudgesEnabled: change.enabled }),
      ...(change.time === undefined ? {} : { nudgeTime: change.time }),
    })
    .where(and(eq(members.workspaceId, who.workspaceId), eq(members.userId, who.userId)));
}
