import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';

export interface TeamMember {
  userId: string;
  displayName: string;
  timezone: string;
  managerId: string | null;
}

/** The workspace's people (no bots, no deleted accounts) and whose team each is on, in one query. */
export async function workspacePeople(db: Database, workspaceId: string): Promise<TeamMember[]> {
  const rows = await queryRows<{ user_id: string; display_name: string; tz: string; manager_id: string | null }>(
    db,
    sql`select m.user_id, m.display_name, coalesce(m.timezone, w.default_timezone, 'UTC') as tz, m.manager_id
        from members m join workspaces w on w.id = m.workspace_id
        where m.workspace_id = ${workspaceId} and not m.is_bot and not m.is_deleted
        order by m.display_name, m.user_id`,
  );
  return rows.map((r) => ({ userId: r.user_id, displayName: r.display_name, timezone: r.tz, managerId: r.manager_id }));
}
