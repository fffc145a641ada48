import type { Database } from '../db/client.js';
import { CodedError, ErrorCode } from '../lib/errors.js';
import { slackErrorCode } from '../lib/slack-errors.js';
import { boardMembers } from '../members/members.repository.js';
import type { SlackDirectory } from '../members/slack-directory.js';

/**
 * A channel board's team is the channel's members: whoever is in the channel when the board is
 * computed, intersected with the workspace's people (bots and deactivated accounts left out).
 */

/** Slack answers that no retry will fix: the board is paused with the error until its next run. */
export const PERMANENT_CHANNEL_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'account_inactive',
  'missing_scope',
  'invalid_auth',
  'token_revoked',
]);

export class ChannelTeamError extends CodedError {
  readonly code = ErrorCode.ChannelTeam;
  constructor(readonly slackError: string) {
    super(`conversations.members failed: ${slackError}`);
  }
}

const PAGE = 200;

/** Runs a Slack call about a channel; permanent Slack errors become a `ChannelTeamError`. */
async function aboutChannel<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = slackErrorCode(error);
    if (code !== null && PERMANENT_CHANNEL_ERRORS.has(code)) throw new ChannelTeamError(code);
    throw error;
  }
}

/** Every member id of a channel, page by page. */
function channelMemberIds(client: SlackDirectory, channelId: string): Promise<string[]> {
  return aboutChannel(async () => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.members({ channel: channelId, limit: PAGE, cursor });
      ids.push(...(page.members ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return ids;
  });
}

/**
 * Throws a `ChannelTeamError` when the bot will not be able to post in the channel. Reading the team
 * proves nothing: Slack lists a public channel's members to any app with `channels:read`, but only a
 * member may post there (`not_in_channel`). A private channel without the bot is not found at all.
 */
export async function checkBotCanPost(client: SlackDirectory, channelId: string): Promise<void> {
  const { channel } = await aboutChannel(() => client.conversations.info({ channel: channelId }));
  if (channel?.is_archived) throw new ChannelTeamError('is_archived');
  if (channel?.is_member === false) throw new ChannelTeamError('not_in_channel');
}

export async function channelTeam(
  db: Database,
  client: SlackDirectory,
  workspaceId: string,
  channelId: string,
): Promise<Set<string>> {
  const [ids, people] = await Promise.all([channelMemberIds(client, channelId), boardMembers(db, workspaceId)]);
  return new Set(
    ids.filter((id) => {
      const person = people.get(id);
      return person !== undefined && !person.isBot && !person.isDeleted;
    }),
  );
}
