import type { RecognitionSetting } from '../../../commands/parse.js';
import { isManager, onlyManagers } from '../../../members/roles.js';
import { changeRecognition, type Recognition } from '../../../recognition/recognition-settings.js';
import { type SlackMessage, textMessage } from '../../blocks/message.js';
import type { CommandContext } from './command-context.js';

function describe(r: Recognition): string {
  if (!r.channelId) return 'Won deals are not celebrated in any channel. `/kpi recognition #channel` turns it on.';
  const shows = [r.showDealName ? 'the deal name' : null, r.showAmount ? 'the amount' : null].filter(Boolean);
  return (
    `Won deals are celebrated in <#${r.channelId}>, ${shows.length ? `with ${shows.join(' and ')}` : 'without the deal name or amount'}. ` +
    'People who chose `/kpi privacy hide` are never celebrated publicly.'
  );
}

/** `/kpi recognition …`: anyone may see the setting; only managers and admins change it. */
export async function runRecognitionCommand(ctx: CommandContext, setting: RecognitionSetting): Promise<SlackMessage> {
  const { db } = ctx.deps;
  if (setting.kind === 'status') return textMessage(describe(ctx.settings.recognition));
  if (!isManager(ctx.member)) return textMessage(onlyManagers('change where won deals are celebrated'));
  const { after } = await changeRecognition(db, {
    workspaceId: ctx.workspace.id,
    actorId: ctx.member.userId,
    setting,
    at: ctx.now,
  });
  const invite = setting.kind === 'channel' ? ' If I am not in that channel yet, invite me with `/invite`.' : '';
  return textMessage(`Done. ${describe(after)}${invite}`);
}
