import { and, count, eq } from 'drizzle-orm';
import { activities } from '../../db/schema.js';
import { getMember, setPublicOptOut } from '../../members/members.repository.js';
import { requireAdmin } from '../../members/roles.js';
import { enqueueExport } from '../../privacy/export.js';
import { type SlackMessage, textMessage } from '../blocks/message.js';
import { forgetConfirmation } from '../blocks/privacy.blocks.js';
import type { CoreContext, Subcommand } from './subcommand.js';
import { fail, MENTION_HINT, ok, quote, userRef } from './words.js';

export type PrivacyCommand =
  | { type: 'privacy'; setting: 'hide' | 'show' | 'status' }
  | { type: 'privacy_export' }
  | { type: 'privacy_forget'; userId: string };

const USAGE =
  '`/kpi privacy hide|show` — hide yourself from public boards or show yourself again (also `on`/`off`), ' +
  'e.g. `/kpi privacy hide`; `/kpi privacy` shows your setting; `/kpi privacy export` DMs you a file of ' +
  'everything stored about you; `/kpi privacy forget @person` — (admins) erase a departed rep’s personal data';

/** "Privacy on" means hidden: the user turns their privacy on. */
const PRIVACY_SETTINGS = new Map<string, 'hide' | 'show' | 'status'>([
  ['hide', 'hide'],
  ['on', 'hide'],
  ['show', 'show'],
  ['off', 'show'],
  ['status', 'status'],
]);

/** `/kpi privacy [hide|show]`, `/kpi privacy export` and `/kpi privacy forget @rep`. */
export const privacySubcommand: Subcommand<PrivacyCommand, PrivacyCommand, CoreContext> = {
  name: 'privacy',
  aliases: [],
  usage: USAGE,
  runs: ['privacy', 'privacy_export', 'privacy_forget'],
  parse({ words, refs }) {
    if (words.length === 0) return ok({ type: 'privacy', setting: 'status' });
    const verb = words[0]?.toLowerCase();
    if (verb === 'export') {
      return words.length === 1
        ? ok({ type: 'privacy_export' })
        : fail('`/kpi privacy export` takes nothing after it.', USAGE);
    }
    if (verb === 'forget') {
      const userId = userRef(refs[1]);
      return userId && refs.length === 2
        ? ok({ type: 'privacy_forget', userId })
        : fail(`Say whose data to erase, e.g. \`/kpi privacy forget @ana\`. ${MENTION_HINT}`, USAGE);
    }
    const setting = PRIVACY_SETTINGS.get(words.join(' ').toLowerCase());
    return setting
      ? ok({ type: 'privacy', setting })
      : fail(`${quote(words.join(' '))} isn't a privacy setting — use \`hide\` or \`show\`.`, USAGE);
  },
  run(ctx, command) {
    return command.type === 'privacy' ? setVisibility(ctx, command.setting) : exportOrForget(ctx, command);
  },
};

/** Whether the rep shows on public boards: their own choice, no Slack needed. */
async function setVisibility(ctx: CoreContext, setting: 'hide' | 'show' | 'status'): Promise<SlackMessage> {
  const { member } = ctx.actor;
  if (setting === 'status') {
    return textMessage(
      member.publicOptOut
        ? 'You are hidden from public boards. You still see your own numbers. `/kpi privacy show` puts you back.'
        : 'You appear on public boards. `/kpi privacy hide` hides you; you will still see your own numbers.',
    );
  }
  const hide = setting === 'hide';
  await setPublicOptOut(ctx.deps.db, member.workspaceId, member.userId, hide);
  return textMessage(
    hide
      ? 'Done: you are hidden from every public board and post. Your private scorecard (`/kpi me`) still shows your place.'
      : 'Done: you appear on public boards again.',
  );
}

/** `/kpi privacy export` (anyone, about themselves) and `/kpi privacy forget @rep` (admins). */
async function exportOrForget(
  ctx: CoreContext,
  cmd: Exclude<PrivacyCommand, { type: 'privacy' }>,
): Promise<SlackMessage> {
  const { db } = ctx.deps;
  const { workspaceId, userId } = ctx.actor.member;
  if (cmd.type === 'privacy_export') {
    const fresh = await enqueueExport(db, { workspaceId, userId, triggerId: ctx.triggerId, at: ctx.now });
    return textMessage(
      fresh
        ? 'On its way: within a minute I’ll DM you a JSON file of everything stored about you.'
        : 'Already on its way: check your DMs from me.',
    );
  }
  requireAdmin(ctx.actor.member, 'erase someone’s personal data');
  if (cmd.userId === userId)
    return textMessage('You can’t erase yourself while you are an admin here; ask another admin.');
  // Looked up without Slack: forgetting someone must not fetch and store their profile again.
  const person = await getMember(db, workspaceId, cmd.userId);
  const [entries] = await db
    .select({ n: count() })
    .from(activities)
    .where(and(eq(activities.workspaceId, workspaceId), eq(activities.userId, cmd.userId)));
  if (!person && (entries?.n ?? 0) === 0) return textMessage(`Nothing is stored about <@${cmd.userId}>.`);
  return forgetConfirmation({ userId: cmd.userId, displayName: person?.displayName ?? cmd.userId }, entries?.n ?? 0);
}
