import { and, desc, eq, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { goals } from '../db/schema.js';
import { enqueuePosts, type NewPost } from '../delivery/outbox.repository.js';

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
  return liveGoals(rows);
}

/**
 * Every goal a rep ever had, live and archived, newest first: one read gives a scorecard their live
 * goals (`liveGoals`), their quota (`quotaTarget`) and the revenue goals behind the quota badge.
 * It runs on every /kpi me, so it is built once per database.
 */
export async function goalHistory(db: Database, workspaceId: string, userId: string): Promise<Goal[]> {
  return goalHistoryQuery(db).execute({ workspaceId, userId });
}

const goalHistoryQuery = preparedFor((db) =>
  db
    .select()
    .from(goals)
    .where(and(eq(goals.workspaceId, sql.placeholder('workspaceId')), eq(goals.userId, sql.placeholder('userId'))))
    .orderBy(desc(goals.createdAt), desc(goals.id))
    .prepare('goal_history'),
);

/** The live goals among `rows` (newest first): the newest per person or channel, metric and period. */
export function liveGoals(rows: readonly Goal[]): Goal[] {
  const seen = new Set<string>();
  return rows.filter((g) => {
    if (g.archivedAt !== null) return false;
    const key = `${g.userId ?? `#${g.channelId}`}|${g.metric}|${g.period}|${g.startsOn ?? ''}|${g.endsOn ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A person's quota for a period among their goals (newest first): the newest live revenue goal of
 * that period, as the KPI queries read it (see `quotaTargets` in kpi.queries.ts).
 */
export function quotaTarget(rows: readonly Goal[], period: string | null): number | null {
  if (period === null) return null;
  const goal = rows.find(
    (g) => g.archivedAt === null && g.channelId === null && g.metric === 'revenue' && g.period === period,
  );
  return goal ? goal.target : null;
}

/** Whose goal and which: the same person (or channel), metric and period replace each other. */
export interface GoalKey {
  workspaceId: string;
  userId: string | null;
  channelId: string | null;
  metric: string;
  period: Goal['period'];
  startsOn: string | null;
  endsOn: string | null;
}

function keyFilter(key: GoalKey): SQL {
  return and(
    eq(goals.workspaceId, key.workspaceId),
    key.userId === null ? isNull(goals.userId) : eq(goals.userId, key.userId),
    key.channelId === null ? isNull(goals.channelId) : eq(goals.channelId, key.channelId),
    eq(goals.metric, key.metric),
    eq(goals.period, key.period),
    key.startsOn === null ? isNull(goals.startsOn) : eq(goals.startsOn, key.startsOn),
    key.endsOn === null ? isNull(goals.endsOn) : eq(goals.endsOn, key.endsOn),
    isNull(goals.archivedAt),
  ) as SQL;
}

/** Who made a change and whether it goes in the audit log (a manager's or admin's change for others). */
export interface GoalChange {
  actorId: string;
  at: Date;
  audited: boolean;
}

/**
 * Sets a goal, archiving the one it replaces, with its audit entry, in one transaction. The same
 * target again (a retried command) changes nothing.
 */
export async function saveGoal(
  db: Database,
  key: GoalKey,
  target: { target: number; suggestedTarget: number | null },
  change: GoalChange,
  /** A message to the person whose goal it is (when someone else set it), sent through the outbox. */
  notice?: (goal: Goal) => NewPost,
): Promise<{ goal: Goal; changed: boolean; previous: Goal | null }> {
  return db.transaction(async (tx) => {
    const live = await tx.select().from(goals).where(keyFilter(key)).orderBy(desc(goals.createdAt)).for('update');
    const previous = live[0] ?? null;
    if (previous && live.length === 1 && previous.target === target.target) {
      return { goal: previous, changed: false, previous };
    }
    if (live.length > 0) await tx.update(goals).set({ archivedAt: change.at }).where(keyFilter(key));
    const [goal] = await tx
      .insert(goals)
      .values({ ...key, ...target, setBy: change.actorId, createdAt: change.at })
      .returning();
    if (!goal) throw new Error('goal insert returned no row');
    if (change.audited) {
      await recordAudit(tx, {
        workspaceId: key.workspaceId,
        actorId: change.actorId,
        action: 'goal.set',
        target: key.userId ?? key.channelId,
        details: {
          metric: key.metric,
          period: key.period,
          startsOn: key.startsOn,
          endsOn: key.endsOn,
          target: target.target,
          previous: previous?.target ?? null,
        },
        at: change.at,
      });
    }
    if (notice) await enqueuePosts(tx, [notice(goal)]);
    return { goal, changed: true, previous };
  });
}

/** Archives the live goal with this key (kept for history); returns how many were live. */
export async function archiveGoal(db: Database, key: GoalKey, change: GoalChange): Promise<number> {
  return db.transaction(async (tx) => {
    const archived = await tx
      .update(goals)
      .set({ archivedAt: change.at })
      .where(keyFilter(key))
      .returning({ id: goals.id });
    if (archived.length > 0 && change.audited) {
      await recordAudit(tx, {
        workspaceId: key.workspaceId,
        actorId: change.actorId,
        action: 'goal.remove',
        target: key.userId ?? key.channelId,
        details: { metric: key.metric, period: key.period, startsOn: key.startsOn, endsOn: key.endsOn },
        at: change.at,
      });
    }
    return archived.length;
  });
}
