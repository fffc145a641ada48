import type { webApi } from '@slack/bolt';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { preparedFor } from '../db/prepared.js';
import { members, workspaces } from '../db/schema.js';
import { keptZoneColumn } from '../game/game.queries.js';
import { parseSettings, type WorkspaceSettings } from '../game/settings.js';
import { type DataSources, dataSourcesColumns } from '../kpi/kpi.queries.js';
import { settleMember } from '../members/member-sync.js';
import {
  getMember,
  getWorkspace,
  type Member,
  settleWorkspace,
  type Workspace,
} from '../members/members.repository.js';
import type { Role } from '../members/roles.js';
import type { AppDeps } from './deps.js';

/**
 * Who is asking, read once at the request boundary: their workspace and member rows, and what every
 * answer needs from them (role, settings, and the timezone and currency to speak in). Handlers take
 * it instead of looking the workspace and member up again.
 */
export interface Actor {
  workspace: Workspace;
  member: Member;
  role: Role;
  /** The workspace's settings, read with its row: runners never query them again. */
  settings: WorkspaceSettings;
  /** See `timezoneOf`. */
  timezone: string;
  currency: string;
  /**
   * Read with the rows when the actor comes from a request (see `readActorRows`), so a scorecard
   * does not read them again: which kinds of data the workspace has, and the zone the member's days
   * are kept in (null: none yet).
   */
  known?: { sources: DataSources; keptZone: string | null };
}

/** A member's own zone when Slack gave one, else the workspace's. */
export function timezoneOf(member: Pick<Member, 'timezone'>, workspace: Pick<Workspace, 'defaultTimezone'>): string {
  return member.timezone ?? workspace.defaultTimezone;
}

/** The actor of rows already read (the offline demo reads them without Slack). */
export function actorOf(workspace: Workspace, member: Member): Actor {
  return {
    workspace,
    member,
    role: member.role,
    settings: parseSettings(workspace.settings),
    timezone: timezoneOf(member, workspace),
    currency: workspace.currency,
  };
}

export interface ActorIds {
  workspaceId: string;
  userId: string;
  enterpriseId?: string | null;
}

/**
 * The workspace row (created on first use: settings live on it) and the member, synced from Slack
 * when unknown or stale. Called after `ack()`, since reading a profile from Slack may take a while.
 */
export async function resolveActor(
  deps: Pick<AppDeps, 'db' | 'logger'>,
  client: webApi.WebClient,
  ids: ActorIds,
  now: Date,
): Promise<Actor> {
  const { db, logger } = deps;
  // One round trip; only a new workspace or a stale profile costs more.
  const stored = await readActorRows(db, ids.workspaceId, ids.userId);
  const [workspace, member] = await Promise.all([
    settleWorkspace(db, ids.workspaceId, { enterpriseId: ids.enterpriseId ?? null }, stored?.workspace),
    settleMember({ db, client, logger }, ids.workspaceId, ids.userId, now, stored?.member ?? undefined),
  ]);
  return { ...actorOf(workspace, member), ...(stored ? { known: stored.known } : {}) };
}

/**
 * Everything a request reads about who asks, in one round trip: the workspace's row and the
 * member's, which kinds of data the workspace has ever had, and the zone the member's days are kept
 * in. Undefined when the workspace has no row yet.
 */
export async function readActorRows(db: Database, workspaceId: string, userId: string) {
  const rows = await actorRowsQuery(db).execute({ workspaceId, userId });
  const row = rows[0];
  if (!row) return undefined;
  const { workspace, member, keptZone, ...sources } = row;
  return { workspace, member, known: { sources, keptZone } };
}

const actorRowsQuery = preparedFor((db) => {
  const userId = sql.placeholder('userId');
  return db
    .select({
      workspace: workspaces,
      member: members,
      keptZone: keptZoneColumn(workspaces.id, userId),
      ...dataSourcesColumns(workspaces.id),
    })
    .from(workspaces)
    .leftJoin(members, and(eq(members.workspaceId, workspaces.id), eq(members.userId, userId)))
    .where(eq(workspaces.id, sql.placeholder('workspaceId')))
    .prepare('actor_rows');
});

/** The actor from stored rows alone, never asking Slack: the offline demo, whose team is seeded. */
export async function storedActor(db: Database, workspaceId: string, userId: string): Promise<Actor> {
  const [workspace, member] = await Promise.all([getWorkspace(db, workspaceId), getMember(db, workspaceId, userId)]);
  if (!workspace || !member) throw new Error(`no stored member ${userId} in workspace ${workspaceId}`);
  return actorOf(workspace, member);
}
