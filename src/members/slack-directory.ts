/**
 * What domain code may ask Slack: who a user is, who is in a channel, whom an email belongs to.
 * Bolt's `WebClient` satisfies it as it is, so callers pass their client; the domain never sees
 * the rest of the Web API.
 */
export interface SlackDirectory {
  users: {
    info(args: { user: string }): Promise<{ user?: SlackUser }>;
    lookupByEmail(args: { email: string }): Promise<{ user?: SlackUser }>;
  };
  conversations: {
    members(args: { channel: string; limit?: number; cursor?: string }): Promise<{
      members?: string[];
      response_metadata?: { next_cursor?: string };
    }>;
    info(args: { channel: string }): Promise<{ channel?: { is_archived?: boolean; is_member?: boolean } }>;
  };
}

/** The fields of a Slack user that a member record keeps. */
export interface SlackUser {
  id?: string;
  name?: string;
  real_name?: string;
  tz?: string;
  is_bot?: boolean;
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  profile?: { display_name?: string; real_name?: string; email?: string };
}
