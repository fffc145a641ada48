import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { members, workspaces } from '../db/schema.js';
import { oneOf } from '../db/sql-lists.js';

export type Member = typeof members.$inferSelect;

export interface MemberProfile {
  workspaceId: string;
  userId: string;
  displayName: string;
  email: string | null;
  timezone: string | null;
  isBot: boolean;
  isDeleted: boolean;
  isSlackAdmin: boolean;
}

export type Workspace = typeof workspaces.$inferSelect;

/**
 * The workspace's row, created on first sight. Read first: a command is a read, and an upsert on
 * every one would write (and flush to disk) a new row version each time.
 */
export async function ensureWorkspace(
  db: Database,
  workspaceId: string,
  fields: { name?: string | null; enterpriseId?: string | null } = {},
): Promise<Workspace> {
  return settleWorkspace(db, workspaceId, fields, await getWorkspace(db, workspaceId));
}

/** `ensureWorkspace` with the row already read (`known`, undefined when there is none). */
export async function settleWorkspace(
  db: Database,
  workspaceId: string,
  fields: { name?: string | null; enterpriseId?: string | null },
  known: Workspace | undefined,
): Promise<Workspace> {
  // A workspace first seen outside its org (a team install) learns the org once it is known.
  if (known && (known.enterpriseId !== null || !fields.enterpriseId)) return known;
  if (known) {
    const [updated] = await db
      .update(workspaces)
      .set({ enterpriseId: fields.enterpriseId })
      .where(eq(workspaces.id, workspaceId))
      .returning();
    return updated ?? known;
  }
  await db
    .insert(workspaces)
    .values({ id: workspaceId, name: fields.name ?? null, enterpriseId: fields.enterpriseId ?? null })
    .onConflictDoNothing();
  const created = await getWorkspace(db, workspaceId);
  if (!created) throw new Error('workspace vanished after insert');
  return created;
}

/** What a workspace speaks in until its row says otherwise: the columns' defaults. */
export const WORKSPACE_DEFAULTS = { currency: 'USD', timezone: 'UTC' } as const;

/** The currency a workspace's amounts are shown in. */
export async function workspaceCurrency(db: Database, workspaceId: string): Promise<string> {
  return (await getWorkspace(db, workspaceId))?.currency ?? WORKSPACE_DEFAULTS.currency;
}

export async function getWorkspace(db: Database, workspaceId: string): Promise<Workspace | undefined> {
  const rows = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
  return rows[0];
}

export async function getMember(db: Database, workspaceId: string, userId: string): Promise<Member | undefined> {
  const rows = await db
    .select()
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
  return rows[0];
}

/** What a board needs of each person: how to name them and whether to show them. */
export type BoardMember = Pick<Member, 'userId' | 'displayName' | 'isBot' | 'isDeleted' | 'publicOptOut'>;

/**
 * The whole workspace's people, five columns each: one index scan, cheaper than looking up a
 * thousand ids one by one in an IN list. Raw rows: for thousands of people, drizzle's mapping of
 * each row cost more than the query.
 */
export async function boardMembers(db: Database, workspaceId: string): Promise<Map<string, BoardMember>> {
  const rows = await queryRows<BoardMember>(
    db,
    sql`select user_id as "userId", display_name as "displayName", is_bot as "isBot",
          is_deleted as "isDeleted", public_opt_out as "publicOptOut"
        from members where workspace_id = ${workspaceId}`,
  );
  return new Map(rows.map((m) => [m.userId, m]));
}

/**
 * Who a board leaves out or keeps private, read before anyone's name: the few people who are bots,
 * deleted (`gone`: not counted at all) or opted out of public boards. Everyone else is shown.
 */
export interface BoardExclusions {
  gone: ReadonlySet<string>;
  optedOut: ReadonlySet<string>;
}

export async function boardExclusions(db: Database, workspaceId: string): Promise<BoardExclusions> {
  const rows = await queryRows<{ user_id: string; gone: boolean }>(
    db,
    sql`select user_id, is_bot or is_deleted as gone from members
        where workspace_id = ${workspaceId} and (is_bot or is_deleted or public_opt_out)`,
  );
  const gone = new Set<string>();
  const optedOut = new Set<string>();
  for (const r of rows) (r.gone ? gone : optedOut).add(r.user_id);
  return { gone, optedOut };
}

/**
 * Display names of the few people a board shows; someone the app has no profile for goes by their
 * id.
 */
export async function displayNames(
  db: Database,
  workspaceId: string,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  const names = new Map(userIds.map((id) => [id, id]));
  if (userIds.length === 0) return names;
  const rows = await queryRows<{ user_id: string; display_name: string }>(
    db,
    sql`select user_id, display_name from members
        where workspace_id = ${workspaceId} and ${oneOf(sql`user_id`, userIds)}`,
  );
  for (const r of rows) names.set(r.user_id, r.display_name);
  return names;
}

/** Stores what Slack says of a person; the bot's own settings for them (role, opt-out) are kept. */
export async function upsertProfile(db: Database, profile: MemberProfile, syncedAt: Date): Promise<Member> {
  const values = { ...profile, profileSyncedAt: syncedAt };
  const rows = await db
    .insert(members)
    .values(values)
    .onConflictDoUpdate({
      target: [members.workspaceId, members.userId],
      set: {
        displayName: values.displayName,
        email: values.email,
        timezone: values.timezone,
        isBot: values.isBot,
        isDeleted: values.isDeleted,
        isSlackAdmin: values.isSlackAdmin,
        profileSyncedAt: syncedAt,
      },
    })
    .returning();
  const row = rows[0];
  if (!row) throw new Error('upsert returned no row');
  return row;
}

export async function setPublicOptOut(db: Database, workspaceId: string, userId: string, optOut: boolean) {
  await db
    .update(members)
    .set({ publicOptOut: optOut })
    .where(and(eq(members.workspaceId, workspaceId), eq(members.userId, userId)));
}

/** Uninstall: the workspace keeps its history for the purge's grace period (a reinstall picks it up) but is marked gone. */
export async function markUninstalled(db: Database, workspaceId: string, at: Date) {
  await db.update(workspaces).set({ uninstalledAt: at }).where(eq(workspaces.id, workspaceId));
}

/**
 * An org-wide (Enterprise Grid) uninstall or reinstall: every workspace of the org seen so far. A
 * reinstall clears `uninstalled_at`, which cancels their pending purge.
 */
export async function markOrgInstalled(db: Database, enterpriseId: string, installed: boolean, at: Date) {
  const set = installed ? { installedAt: at, uninstalledAt: null } : { uninstalledAt: at };
  await db.update(workspaces).set(set).where(eq(workspaces.enterpriseId, enterpriseId));
}

/** A (re)install; clearing `uninstalled_at` cancels a pending purge. */
export async function markInstalled(db: Database, workspaceId: string, at: Date) {
  await db
    .insert(workspaces)
    .values({ id: workspaceId, installedAt: at })
    .onConflictDoUpdate({ target: workspaces.id, set: { installedAt: at, uninstalledAt: sql`null` } });
}
