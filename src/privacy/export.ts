import { createHash } from 'node:crypto';
import { and, eq, or } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import {
  activities,
  auditLog,
  coachingFeedback,
  crmOwners,
  customers,
  deals,
  goals,
  kudos,
  leads,
  members,
  reactions,
} from '../db/schema.js';
import { enqueuePosts } from '../delivery/outbox.repository.js';

/**
 * `/kpi privacy export`: everything stored about the person who asks, as one JSON file DMed to
 * them through the outbox (so a retried command or a crashed replica sends it once).
 */

export const EXPORT_FORMAT = 'kpi-coach-personal-data/1';

export async function collectPersonalData(db: Database, workspaceId: string, userId: string, at: Date) {
  const [profile, entries, myGoals, myKudos, myReactions, feedback, owned, crm, audit] = await Promise.all([
    db
      .select()
      .from(members)
      .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId))),
    db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, workspaceId), eq(activities.userId, userId)))
      .orderBy(activities.occurredAt, activities.id),
    db
      .select()
      .from(goals)
      .where(and(eq(goals.workspaceId, workspaceId), eq(goals.userId, userId))),
    db
      .select()
      .from(kudos)
      .where(and(eq(kudos.workspaceId, workspaceId), or(eq(kudos.giverId, userId), eq(kudos.receiverId, userId)))),
    db
      .select()
      .from(reactions)
      .where(
        and(
          eq(reactions.workspaceId, workspaceId),
          or(eq(reactions.reactorId, userId), eq(reactions.subjectUserId, userId)),
        ),
      ),
    db
      .select()
      .from(coachingFeedback)
      .where(and(eq(coachingFeedback.workspaceId, workspaceId), eq(coachingFeedback.userId, userId))),
    Promise.all([
      db
        .select()
        .from(deals)
        .where(and(eq(deals.workspaceId, workspaceId), eq(deals.ownerUserId, userId))),
      db
        .select()
        .from(leads)
        .where(and(eq(leads.workspaceId, workspaceId), eq(leads.ownerUserId, userId))),
      db
        .select()
        .from(customers)
        .where(and(eq(customers.workspaceId, workspaceId), eq(customers.ownerUserId, userId))),
    ]),
    db
      .select()
      .from(crmOwners)
      .where(and(eq(crmOwners.workspaceId, workspaceId), eq(crmOwners.slackUserId, userId))),
    db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, workspaceId), or(eq(auditLog.actorId, userId), eq(auditLog.target, userId)))),
  ]);
  return {
    format: EXPORT_FORMAT,
    exportedAt: at.toISOString(),
    workspaceId,
    userId,
    profile: profile[0] ?? null,
    activities: entries,
    goals: myGoals,
    kudos: myKudos,
    reactions: myReactions,
    coachingFeedback: feedback,
    crm: { deals: owned[0], leads: owned[1], customers: owned[2], owners: crm },
    auditLog: audit,
  };
}

/** Decides the export DM; the same invocation (Slack's trigger id) decides it once. */
export async function enqueueExport(
  db: Database,
  req: { workspaceId: string; userId: string; triggerId: string; at: Date },
): Promise<boolean> {
  const data = await collectPersonalData(db, req.workspaceId, req.userId, req.at);
  const key = `export:${req.userId}:${req.triggerId}`;
  const tag = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const json = `${JSON.stringify(data, null, 2)}\n`;
  const added = await enqueuePosts(db, [
    {
      workspaceId: req.workspaceId,
      key,
      kind: 'export',
      target: req.userId,
      payload: {
        text: `Here is everything KPI Coach stores about you, as of ${req.at.toISOString().slice(0, 10)}.`,
        file: {
          // Unique per export: a resumed delivery finds the DM that carries it by this name.
          filename: `kpi-coach-data-${req.at.toISOString().slice(0, 10)}-${tag}.json`,
          title: 'Your KPI Coach data',
          contentBase64: Buffer.from(json).toString('base64'),
        },
      },
    },
  ]);
  return added.length > 0;
}
