import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import {
  addReaction,
  type ReactionRef,
  recognisedSubject,
  removeReaction,
} from '../../../recognition/reactions.repository.js';
import { resolveActor } from '../../actor.js';
import type { AppDeps } from '../../deps.js';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'reaction_added' | 'reaction_removed'>;

/** Slack's `event_ts` ("1763478000.000200") as an instant: a retry keeps the time of the reaction. */
function slackTime(ts: string, fallback: Date): Date {
  const seconds = Number(ts);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Math.round(seconds * 1000)) : fallback;
}

/**
 * `reaction_added` / `reaction_removed`: a reaction counts for the person a recognition or kudos
 * post is about, when a teammate (not that person, not a bot) adds it. Every other message's
 * reactions are ignored before anything is asked of Slack. The set semantics of `reactions` make
 * retries harmless, whatever their `X-Slack-Retry-Num`.
 */
export function createReactionHandler(deps: AppDeps) {
  return async ({ event, context, body, client }: Args) => {
    const workspaceId = context.teamId ?? body.team_id;
    if (!workspaceId || event.item.type !== 'message') return;
    const ref: ReactionRef = {
      workspaceId,
      channelId: event.item.channel,
      messageTs: event.item.ts,
      reactorId: event.user,
      emoji: event.reaction,
    };
    if (event.type === 'reaction_removed') {
      await removeReaction(deps.db, ref);
      return;
    }
    const subject = await recognisedSubject(deps.db, ref);
    if (subject === null || subject === event.user || event.user === context.botUserId) return;
    const now = deps.now();
    const reactor = await resolveActor(
      deps,
      client,
      { workspaceId, userId: event.user, enterpriseId: context.enterpriseId },
      now,
    );
    if (reactor.member.isBot) return;
    await addReaction(deps.db, ref, subject, slackTime(event.event_ts, now));
  };
}
