import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { members, workspaces } from '../db/schema.js';

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

export async function ensureWorkspace(
  db: Database,
  workspaceId: string,
  fields: { name?: string | null; enterpriseId?: string | null } = {},
) {
  await db
    .insert(workspaces)
    .values({ id: workspaceId, name: fields.name ?? null, enterpriseId: fields.enterpriseId ?? null })
    .onConflictDoNothing();
}

export async function getWorkspace(db: Database, workspaceId: string) {
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

export async function getMembers(db: Database, workspaceId: string, userIds: readonly string[]): Promise<Member[]> {
  if (userIds.length === 0) return [];
  return db
    .select()
    .from(members)
    .where(and(eq(members.workspaceId, workspaceId), inArray(members.userId, [...userIds])));
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

/** Uninstall: the workspace keeps its history (a reinstall picks it up) but is marked gone. */
export async function markUninstalled(db: Database, workspaceId: string, at: Date) {
  await db.update(workspaces).set({ uninstalledAt: at }).where(eq(workspaces.id, workspaceId));
}

export async function markInstalled(db: Database, workspaceId: string, at: Date) {
  await db
    .insert(workspaces)
    .values({ id: workspaceId, installedAt: at })
    .onConflictDoUpdate({ target: workspaces.id, set: { installedAt: at, uninstalledAt: sql`null` } });
}
