import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware, RespondFn } from '@slack/bolt';
import { UserError } from '../lib/errors.js';
import { type SlackMessage, textMessage } from './blocks/message.js';

/** What a person is told when their command failed on our side; the error itself goes to `app.error`. */
export const SORRY = 'Sorry, something went wrong on our side. Please try again in a minute.';

/** The ids a request carries about who sent it and where, whatever its surface. */
interface RequestBody {
  type?: string;
  command?: string;
  user_id?: string;
  user?: { id?: string };
  channel?: { id?: string };
  channel_id?: string;
  event?: { user?: string; channel?: string; item?: { channel?: string } };
}

/**
 * The one place a user error (`UserError`) becomes an ephemeral reply, for commands, actions, views
 * and events alike; listeners throw it and never assemble the refusal themselves. Through the
 * request's `response_url` when it has one, else as an ephemeral message in the channel it came
 * from, else in the person's DM with the app (a Home tab or a modal has nowhere else to answer).
 * A slash command that failed otherwise is told so; every other error goes on to `app.error`.
 */
export const replyToUserErrors: Middleware<AnyMiddlewareArgs> = async (args) => {
  try {
    await args.next();
  } catch (error) {
    const respond = 'respond' in args ? (args.respond as RespondFn | undefined) : undefined;
    const refusal = userErrorReply(error);
    if (refusal) {
      await tell(args, respond, refusal);
      return;
    }
    if (respond && (args.body as RequestBody).command !== undefined) {
      await respond({ response_type: 'ephemeral', text: SORRY }).catch(() => {});
    }
    throw error;
  }
};

/** What a user error tells the person (the offline demo shows it too); null for any other error. */
export function userErrorReply(error: unknown): SlackMessage | null {
  return error instanceof UserError ? textMessage(error.message) : null;
}

async function tell(
  args: AnyMiddlewareArgs & AllMiddlewareArgs,
  respond: RespondFn | undefined,
  message: SlackMessage,
) {
  const body = args.body as RequestBody;
  if (respond) {
    const keep = body.command === undefined ? { replace_original: false } : {};
    await respond({ response_type: 'ephemeral', ...keep, ...message });
    return;
  }
  const { client } = args;
  const user = body.user_id ?? body.user?.id ?? body.event?.user;
  if (!user) return;
  const channel = body.channel?.id ?? body.channel_id ?? body.event?.channel ?? body.event?.item?.channel;
  if (channel) await client.chat.postEphemeral({ channel, user, ...message });
  else await client.chat.postMessage({ channel: user, ...message });
}
