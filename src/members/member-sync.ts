import type { Database } from '../db/client.js';
import { withDeadline } from '../lib/deadline.js';
import type { Logger } from '../lib/logger.js';
import { getMember, type Member, upsertProfile } from './members.repository.js';
import type { SlackDirectory } from './slack-directory.js';

/** Profiles (name, timezone, admin flag) are refreshed from Slack at most this often. */
const PROFILE_TTL_MS = 24 * 60 * 60 * 1000;

export interface SyncDeps {
  db: Database;
  client: SlackDirectory;
  logger: Logger;
}

/**
 * How long a command waits for `users.info` before it goes on with what is stored: Slack wants the
 * reply within 3 seconds. A slow answer still refreshes the profile when it comes.
 */
export const PROFILE_LOOKUP_DEADLINE_MS = 1_500;

/**
 * Returns the member with a fresh enough Slack profile. Slack being slow or down does not stop a
 * command: a stale profile is used, and a person never seen before gets their id as a name until
 * the next successful sync.
 */
export async function resolveMember(deps: SyncDeps, workspaceId: string, userId: string, now: Date): Promise<Member> {
  return settleMember(deps, workspaceId, userId, now, await getMember(deps.db, workspaceId, userId));
}

/** `resolveMember` with the stored row already read (`known`, undefined when there is none). */
export async function settleMember(
  deps: SyncDeps,
  workspaceId: string,
  userId: string,
  now: Date,
  known: Member | undefined,
): Promise<Member> {
  if (known?.profileSyncedAt && now.getTime() - known.profileSyncedAt.getTime() < PROFILE_TTL_MS) return known;
  try {
    return await withDeadline(
      syncProfile(deps, workspaceId, userId, now),
      PROFILE_LOOKUP_DEADLINE_MS,
      () => new Error(`users.info did not answer within ${PROFILE_LOOKUP_DEADLINE_MS} ms`),
    );
  } catch (error) {
    deps.logger.warn({ err: error, workspaceId, userId }, 'users.info failed; using the stored profile');
    if (known) return known;
    return upsertProfile(
      deps.db,
      {
        workspaceId,
        userId,
        displayName: userId,
        email: null,
        timezone: null,
        isBot: false,
        isDeleted: false,
        isSlackAdmin: false,
      },
      // Not marked as synced, so the next command tries Slack again.
      new Date(0),
    );
  }
}

async function syncProfile(deps: SyncDeps, workspaceId: string, userId: string, now: Date): Promise<Member> {
  const { user } = await deps.client.users.info({ user: userId });
  if (!user) throw new Error('users.info returned no user');
  return upsertProfile(
    deps.db,
    {
      workspaceId,
      userId,
      displayName: user.profile?.display_name || user.profile?.real_name || user.real_name || user.name || userId,
      email: user.profile?.email ?? null,
      timezone: user.tz ?? null,
      isBot: user.is_bot ?? false,
      isDeleted: user.deleted ?? false,
      isSlackAdmin: Boolean(user.is_admin || user.is_owner || user.is_primary_owner),
    },
    now,
  );
}
