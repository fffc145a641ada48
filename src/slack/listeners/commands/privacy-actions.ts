import { and, count, eq } from 'drizzle-orm';
import type { KpiCommand } from '../../../commands/parse.js';
import { activities } from '../../../db/schema.js';
import { getMember } from '../../../members/members.repository.js';
import { isAdmin, onlyAdmins } from '../../../members/roles.js';
import { enqueueExport } from '../../../privacy/export.js';
import { type SlackMessage, textMessage } from '../../blocks/message.js';
import { forgetConfirmation } from '../../blocks/privacy.blocks.js';
import type { CommandContext } from './command-context.js';

/** `/kpi privacy export` (anyone, about themselves) and `/kpi privacy forget @rep` (admins). */
export async function runPrivacyCommand(
  ctx: CommandContext,
  cmd: Extract<KpiCommand, { type: 'privacy_export' | 'privacy_forget' }>,
): Promise<SlackMessage> {
  const { db } = ctx.deps;
  const { workspaceId, userId } = ctx.member;
  if (cmd.type === 'privacy_export') {
    const fresh = await enqueueExport(db, { workspaceId, userId, triggerId: ctx.triggerId, at: ctx.now });
    return textMessage(
      fresh
        ? 'On its way: within a minute I’ll DM you a JSON file of everything stored about you.'
        : 'Already on its way: check your DMs from me.',
    );
  }
  if (!isAdmin(ctx.member)) return textMessage(onlyAdmins('erase someone’s personal data'));
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
