import { and, desc, eq, inArray, isNull, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { goals } from '../db/schema.js';

export type Goal = typeof goals.$inferSelect;

/**
 * Live (not archived) goals of some people or of a channel-team. A recurring goal (week, month,
 * quarter, year) applies to every such period; a custom one to its dates. The newest goal per
 * person, metric and period wins, so setting a goal again replaces it without losing history.
 */
export async function activeGoals(
  db: Database,
  workspaceId: string,
  who: { userIds?: readonly string[]; channelId?: string },
): Promise<Goal[]> {
  const filters: SQL[] = [];
  if (who.userIds && who.userIds.length > 0) filters.push(inArray(goals.userId, [...who.userIds]));
  if (who.channelId) filters.push(and(eq(goals.channelId, who.channelId), isNull(goals.userId)) as SQL);
  if (filters.length === 0) return [];
  const rows = await db
    .select()
    .from(goals)
    .where(and(eq(goals.workspaceId, workspaceId), isNull(goals.archivedAt), or(...filters)))
    .orderBy(desc(goals.createdAt), desc(goals.id));
  const seen = new Set<string>();
  return rows.filter((g) => {
    const key = `${g.userId ?? `#${g.channelId}`}|${g.metric}|${g.period}|${g.startsOn ?? ''}|${g.endsOn ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
