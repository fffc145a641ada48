import type { webApi } from '@slack/bolt';
import type { WorkspaceSettings } from '../../../game/settings.js';
import type { Member, Workspace } from '../../../members/members.repository.js';
import type { AppDeps } from '../../deps.js';

/**
 * Everything a `/kpi` subcommand may need about who typed it, where and when. Runners take it and
 * return the ephemeral reply; what they post publicly goes through the outbox.
 */
export interface CommandContext {
  deps: AppDeps;
  member: Member;
  workspace: Workspace;
  /** The workspace's settings, read with its row: runners never query them again. */
  settings: WorkspaceSettings;
  /** Where the command was typed: a board subscribes here, kudos are posted here. */
  channelId: string;
  timezone: string;
  currency: string;
  /** Slack's id for this invocation: the idempotency key of anything it writes, and what opens a modal. */
  triggerId: string;
  now: Date;
  client: webApi.WebClient;
}
