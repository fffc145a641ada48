import type { webApi } from '@slack/bolt';
import { resolveMember } from '../../members/member-sync.js';
import type { Member } from '../../members/members.repository.js';
import type { Actor } from '../actor.js';
import type { SlackMessage } from '../blocks/message.js';
import type { AppDeps } from '../deps.js';
import type { CommandWords, ParseContext, Parsed } from './words.js';

/**
 * Everything a `/kpi` subcommand may need about who typed it, where and when. Runners take it and
 * return the ephemeral reply; what they post publicly goes through the outbox.
 */
export interface CommandContext {
  deps: AppDeps;
  actor: Actor;
  /** Where the command was typed: a board subscribes here, kudos are posted here. */
  channelId: string;
  /** Slack's id for this invocation: the idempotency key of anything it writes, and what opens a modal. */
  triggerId: string;
  now: Date;
  client: webApi.WebClient;
}

/** What the subcommands every rep runs on their own numbers need: no Slack client, only the database. */
export type CoreContext = Pick<CommandContext, 'actor' | 'triggerId' | 'now'> & { deps: Pick<AppDeps, 'db'> };

/**
 * One `/kpi` subcommand: the words that call it, its line of help, its grammar and its runner.
 * `parse` may return a command another subcommand runs (`/kpi board kudos` is kudos' board): `runs`
 * lists the command types this one runs, and the registry dispatches on them. `X` is what its runner
 * reads: the subcommands that need no Slack client take a `CoreContext`, so the offline demo runs them.
 */
export interface Subcommand<C extends { type: string }, P extends { type: string } = C, X = CommandContext> {
  name: string;
  aliases: readonly string[];
  /** Its `/kpi help <name>` text; null when it shares another's (`goals` is in `goal`'s). */
  usage: string | null;
  /** The help topic it shows under, when not its own name. */
  helpTopic?: string;
  runs: readonly C['type'][];
  parse(words: CommandWords, ctx: ParseContext): Parsed<P>;
  run(ctx: X, command: C): Promise<SlackMessage>;
}

/** Someone a command names (a kudos receiver, a rep to add): read from Slack when unknown or stale. */
export function lookupMember(ctx: CommandContext, userId: string): Promise<Member> {
  const { db, logger } = ctx.deps;
  return resolveMember({ db, client: ctx.client, logger }, ctx.actor.member.workspaceId, userId, ctx.now);
}
