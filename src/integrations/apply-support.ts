import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { deals, leads } from '../db/schema.js';
import type { Logger } from '../lib/logger.js';
import { CrmApiAuthError, CrmApiUnavailableError } from './adapter.js';
import type { CrmSource } from './crm-event.js';
import type { InboxObject } from './inbox.repository.js';
import { type OwnerDeps, resolveOwner, slackUserByEmail } from './owners.js';

/* What applying any CRM object (deal, lead, activity) needs: its lock, its owner, the deal or lead it names. */

/**
 * Two replicas never apply the same object at once: the write holds these locks until it commits.
 * Taken in one order (by their hash), so two writers locking overlapping sets never deadlock.
 */
export async function lock(tx: Database, objects: readonly InboxObject[]) {
  if (objects.length === 0) return;
  const keys = objects.map((o) => `${o.workspaceId}:${o.source}:${o.objectKey}`);
  await tx.execute(
    sql`select count(pg_advisory_xact_lock(h))
        from (select distinct hashtext(k) as h from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as k order by 1) l`,
  );
}

/** What applying an object came to: applied (null), or what it waits for. */
export type Outcome = { waitingFor: string | null };

/** A CRM API failure that may pass makes the object wait, saying why; anything else is thrown. */
export function waitOnApi(error: unknown, logger: Logger, source: CrmSource): Outcome {
  if (error instanceof CrmApiUnavailableError) {
    logger.warn({ err: error, source }, 'CRM API unavailable; the events wait');
    return { waitingFor: `${source} API unavailable` };
  }
  if (error instanceof CrmApiAuthError) {
    logger.error({ source, status: error.status }, 'the CRM refused the API token; the events wait until it is fixed');
    return { waitingFor: `${source} API token refused` };
  }
  throw error;
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
  const id = (await idsByExternalId(db, table, where, [externalId])).get(externalId);
  return id === undefined ? undefined : { id };
}

/** Our ids of the deals or leads we have of those the CRM names, by its ids, in one query. */
export async function idsByExternalId(
  db: Database,
  table: typeof deals | typeof leads,
  where: { workspaceId: string; source: CrmSource },
  externalIds: readonly string[],
): Promise<Map<string, number>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db
    .select({ id: table.id, externalId: table.externalId })
    .from(table)
    .where(
      and(
        eq(table.workspaceId, where.workspaceId),
        eq(table.source, where.source),
        inArray(table.externalId, [...new Set(externalIds)]),
      ),
    );
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

/**
 * Lead response time: the earliest activity done for a lead after it came in is its first
 * response. One statement for any number of activities.
 */
export async function markFirstResponses(db: Database, done: readonly { leadId: number; at: Date }[]) {
  if (done.length === 0) return;
  const rows = JSON.stringify(done.map((d) => ({ lead_id: d.leadId, at: d.at.toISOString() })));
  await db.execute(
    sql`update ${leads} set first_response_at = least(coalesce(${leads.firstResponseAt}, f.at), f.at)
        from (select d.lead_id, min(d.at) as at
              from jsonb_to_recordset(${rows}::jsonb) as d(lead_id bigint, at timestamptz)
              join ${leads} l on l.id = d.lead_id and l.created_at <= d.at
              group by d.lead_id) f
        where ${leads.id} = f.lead_id`,
  );
}
