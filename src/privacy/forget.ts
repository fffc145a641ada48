import { randomUUID } from 'node:crypto';
import { and, eq, or, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import {
  activities,
  auditLog,
  coachingFeedback,
  contests,
  crmOwners,
  customers,
  deals,
  goals,
  kudos,
  leads,
  members,
  outbox,
  reactions,
} from '../db/schema.js';

/**
 * An admin forgets a departed rep: their profile, goals, kudos, reactions, feedback and DMs go.
 * Their entries are either kept under a pseudonym (`anonymise`: team totals and history stay true,
 * nobody can tell whose they were) or deleted with them (`delete`). Ids they left in others' rows
 * (who logged an entry, who set a goal, who owns a deal, audit entries) become the pseudonym or
 * nothing. One transaction, with its audit entry naming the pseudonym, not the person.
 */
export type ForgetMode = 'anonymise' | 'delete';

export const FORMER_TEAMMATE = 'Former teammate';

export interface ForgetRequest {
  workspaceId: string;
  userId: string;
  actorId: string;
  mode: ForgetMode;
  at: Date;
}

export type ForgetResult = { status: 'nothing_stored' } | { status: 'forgotten'; pseudonym: string; entries: number };

export async function forgetMember(db: Database, req: ForgetRequest): Promise<ForgetResult> {
  const { workspaceId: ws, userId } = req;
  return db.transaction(async (tx) => {
    // A double click or a second admin at the same moment: the second finds nothing left.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`forget:${ws}:${userId}`}))`);
    const stored = await queryRows<{ n: number }>(
      tx,
      sql`select ((select count(*) from ${members} where ${members.workspaceId} = ${ws} and ${members.userId} = ${userId})
             + (select count(*) from ${activities} where ${activities.workspaceId} = ${ws} and ${activities.userId} = ${userId}))::int as n`,
    );
    if ((stored[0]?.n ?? 0) === 0) return { status: 'nothing_stored' };
    const pseudonym = `anon-${randomUUID().slice(0, 8)}`;
    const keep = req.mode === 'anonymise';
    const theirs = (table: { workspaceId: PgColumn }, column: PgColumn) =>
      and(eq(table.workspaceId, ws), eq(column, userId));

    const entries = keep
      ? await tx
          .update(activities)
          .set({ userId: pseudonym, note: null })
          .where(theirs(activities, activities.userId))
          .returning({ id: activities.id })
      : await tx.delete(activities).where(theirs(activities, activities.userId)).returning({ id: activities.id });
    await tx
      .update(activities)
      .set({ recordedBy: keep ? pseudonym : null })
      .where(theirs(activities, activities.recordedBy));
    if (keep) {
      // Boards and totals look people up by id: the pseudonym is a departed nobody.
      await tx
        .insert(members)
        .values({ workspaceId: ws, userId: pseudonym, displayName: FORMER_TEAMMATE, isDeleted: true });
    }
    await tx.delete(members).where(theirs(members, members.userId));
    await tx.update(members).set({ managerId: null }).where(theirs(members, members.managerId));
    await tx.delete(goals).where(theirs(goals, goals.userId));
    await tx.update(goals).set({ setBy: pseudonym }).where(theirs(goals, goals.setBy));
    await tx
      .delete(kudos)
      .where(and(eq(kudos.workspaceId, ws), or(eq(kudos.giverId, userId), eq(kudos.receiverId, userId))));
    await tx
      .delete(reactions)
      .where(
        and(eq(reactions.workspaceId, ws), or(eq(reactions.reactorId, userId), eq(reactions.subjectUserId, userId))),
      );
    await tx.delete(coachingFeedback).where(theirs(coachingFeedback, coachingFeedback.userId));
    await tx
      .delete(outbox)
      .where(and(eq(outbox.workspaceId, ws), or(eq(outbox.target, userId), eq(outbox.subjectUserId, userId))));
    await tx.update(crmOwners).set({ slackUserId: null }).where(theirs(crmOwners, crmOwners.slackUserId));
    const owner = keep ? pseudonym : null;
    await tx.update(deals).set({ ownerUserId: owner }).where(theirs(deals, deals.ownerUserId));
    await tx.update(leads).set({ ownerUserId: owner }).where(theirs(leads, leads.ownerUserId));
    await tx.update(customers).set({ ownerUserId: owner }).where(theirs(customers, customers.ownerUserId));
    await tx.update(contests).set({ createdBy: pseudonym }).where(theirs(contests, contests.createdBy));
    await tx.update(auditLog).set({ actorId: pseudonym }).where(theirs(auditLog, auditLog.actorId));
    await tx.update(auditLog).set({ target: pseudonym }).where(theirs(auditLog, auditLog.target));
    await recordAudit(tx, {
      workspaceId: ws,
      actorId: req.actorId,
      action: 'privacy.forget',
      target: pseudonym,
      details: { entries: keep ? 'anonymised' : 'deleted', count: entries.length },
      at: req.at,
    });
    return { status: 'forgotten', pseudonym, entries: entries.length };
  });
}
