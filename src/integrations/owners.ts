import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { crmOwners, members } from '../db/schema.js';
import type { Logger } from '../lib/logger.js';
import { slackErrorCode } from '../lib/slack-errors.js';
import { upsertProfile } from '../members/members.repository.js';
import type { SlackDirectory } from '../members/slack-directory.js';
import type { CrmApi } from './adapter.js';
import type { CrmSource } from './crm-event.js';

/**
 * CRM owners to Slack members: an admin's explicit mapping wins; otherwise the owner's email (from
 * the event, or the CRM's API) is looked up in Slack once and remembered. An owner nobody can match
 * yet resolves to null: their events wait, and count as soon as a mapping exists.
 */
export interface OwnerDeps {
  db: Database;
  logger: Logger;
  slack: SlackDirectory | null;
  api: CrmApi | null;
}

export async function resolveOwner(
  deps: OwnerDeps,
  where: { workspaceId: string; source: CrmSource },
  ownerId: string,
  emailHint: string | null,
): Promise<string | null> {
  const key = and(
    eq(crmOwners.workspaceId, where.workspaceId),
    eq(crmOwners.source, where.source),
    eq(crmOwners.ownerId, ownerId),
  );
  const known = (await deps.db.select().from(crmOwners).where(key))[0];
  if (known?.slackUserId) return known.slackUserId;

  let email = emailHint ?? known?.email ?? null;
  let name = known?.name ?? null;
  if (!email && deps.api) {
    const owner = (await deps.api.fetchOwners([ownerId])).get(ownerId);
    email = owner?.email ?? null;
    name = owner?.name ?? name;
  }
  const slackUserId = email ? await slackUserByEmail(deps, where.workspaceId, email) : null;
  await deps.db
    .insert(crmOwners)
    .values({ ...where, ownerId, email, name, slackUserId, mappedBy: slackUserId ? 'email' : null })
    .onConflictDoUpdate({
      target: [crmOwners.workspaceId, crmOwners.source, crmOwners.ownerId],
      set: { email, name, slackUserId, mappedBy: slackUserId ? 'email' : null, updatedAt: sql`now()` },
    });
  return slackUserId;
}

/** A member we already know by email, or Slack's `users.lookupByEmail`, remembered as a member. */
export async function slackUserByEmail(deps: OwnerDeps, workspaceId: string, email: string): Promise<string | null> {
  const known = await deps.db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), sql`lower(${members.email}) = lower(${email})`));
  if (known[0]) return known[0].userId;
  if (!deps.slack) return null;
  try {
    const { user } = await deps.slack.users.lookupByEmail({ email });
    if (!user?.id) return null;
    await upsertProfile(
      deps.db,
      {
        workspaceId,
        userId: user.id,
        displayName: user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || user.id,
        email,
        timezone: user.tz ?? null,
        isBot: user.is_bot ?? false,
        isDeleted: user.deleted ?? false,
        isSlackAdmin: Boolean(user.is_admin || user.is_owner),
      },
      new Date(),
    );
    return user.id;
  } catch (error) {
    if (slackErrorCode(error) === 'users_not_found') return null;
    throw error;
  }
}

/** An admin's explicit mapping; it wins over email matching from then on. */
export async function mapOwner(
  db: Database,
  where: { workspaceId: string; source: CrmSource },
  ownerId: string,
  slackUserId: string,
) {
  await db
    .insert(crmOwners)
    .values({ ...where, ownerId, slackUserId, mappedBy: 'admin' })
    .onConflictDoUpdate({
      target: [crmOwners.workspaceId, crmOwners.source, crmOwners.ownerId],
      set: { slackUserId, mappedBy: 'admin', updatedAt: sql`now()` },
    });
}

export async function unmappedOwners(db: Database, workspaceId: string) {
  return db
    .select({ source: crmOwners.source, ownerId: crmOwners.ownerId, email: crmOwners.email, name: crmOwners.name })
    .from(crmOwners)
    .where(and(eq(crmOwners.workspaceId, workspaceId), sql`${crmOwners.slackUserId} is null`))
    .orderBy(crmOwners.source, crmOwners.ownerId);
}
