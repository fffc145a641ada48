import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { deals, leads } from '../db/schema.js';
import type { CrmSource } from './crm-event.js';
import type { InboxObject } from './inbox.repository.js';
import { type OwnerDeps, resolveOwner, slackUserByEmail } from './owners.js';

/* What applying any CRM object (deal, lead, activity) needs: its lock, its owner, the deal or lead it names. */

/** Two replicas never apply the same object at once: the write holds this lock until it commits. */
export async function lock(tx: Database, object: InboxObject) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtext(${`${object.workspaceId}:${object.source}:${object.objectKey}`}))`,
  );
}

/** A CRM owner id goes through the owner mapping; an email alone is looked up in Slack. */
export async function ownerOf(
  deps: OwnerDeps,
  where: { workspaceId: string; source: CrmSource },
  ownerId: string | null,
  email: string | null,
): Promise<string | null> {
  if (ownerId) return resolveOwner(deps, where, ownerId, email);
  return email ? slackUserByEmail(deps, where.workspaceId, email) : null;
}

/** Our id of a deal or lead the CRM names by its own id, if we have it yet. */
export async function findByExternalId(
  db: Database,
  table: typeof deals | typeof leads,
  where: { workspaceId: string; source: CrmSource },
  externalId: string,
): Promise<{ id: number } | undefined> {
  const [row] = await db
    .select({ id: table.id })
    .from(table)
    .where(
      and(eq(table.workspaceId, where.workspaceId), eq(table.source, where.source), eq(table.externalId, externalId)),
    );
  return row;
}

/** Lead response time: the earliest activity done for a lead after it came in is its first response. */
export async function markFirstResponse(db: Database, leadId: number, at: Date) {
  const when = sql`${at.toISOString()}::timestamptz`;
  await db
    .update(leads)
    .set({ firstResponseAt: sql`least(coalesce(${leads.firstResponseAt}, ${when}), ${when})` })
    .where(and(eq(leads.id, leadId), sql`${leads.createdAt} <= ${when}`));
}
