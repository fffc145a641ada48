import { requireManager } from '../../members/roles.js';
import {
  changeRecognition,
  type Recognition,
  type RecognitionSetting,
} from '../../recognition/recognition-settings.js';
import { textMessage } from '../blocks/message.js';
import type { Subcommand } from './subcommand.js';
import { cleanText, fail, ok, quote } from './words.js';

export type RecognitionCommand = { type: 'recognition'; setting: RecognitionSetting };

const USAGE =
  '`/kpi recognition #channel|off|hide amount|show amount|hide deal names|show deal names` — (managers) where ' +
  'won deals are celebrated and what the posts show, e.g. `/kpi recognition #wins`; `/kpi recognition` shows the setting';

const RECOGNITION_SETTINGS = new Map<string, Exclude<RecognitionSetting['kind'], 'channel'>>([
  ['', 'status'],
  ['status', 'status'],
  ['off', 'off'],
  ['hide amount', 'hide_amount'],
  ['hide amounts', 'hide_amount'],
  ['show amount', 'show_amount'],
  ['show amounts', 'show_amount'],
  ['hide deal name', 'hide_deal_names'],
  ['hide deal names', 'hide_deal_names'],
  ['show deal name', 'show_deal_names'],
  ['show deal names', 'show_deal_names'],
]);

function describe(r: Recognition): string {
  if (!r.channelId) return 'Won deals are not celebrated in any channel. `/kpi recognition #channel` turns it on.';
  const shows = [r.showDealName ? 'the deal name' : null, r.showAmount ? 'the amount' : null].filter(Boolean);
  return (
    `Won deals are celebrated in <#${r.channelId}>, ${shows.length ? `with ${shows.join(' and ')}` : 'without the deal name or amount'}. ` +
    'People who chose `/kpi privacy hide` are never celebrated publicly.'
  );
}

/** `/kpi recognition …`: anyone may see the setting; only managers and admins change it. */
export const recognitionSubcommand: Subcommand<RecognitionCommand> = {
  name: 'recognition',
  aliases: [],
  usage: USAGE,
  runs: ['recognition'],
  parse({ raw }) {
    const channel = /^<#([CG][A-Z0-9]+)(?:\|[^<>]*)?>$/u.exec(raw.trim());
    if (channel) return ok({ type: 'recognition', setting: { kind: 'channel', channelId: channel[1] ?? '' } });
    const typed = cleanText(raw).trim().toLowerCase().replace(/\s+/gu, ' ');
    const kind = RECOGNITION_SETTINGS.get(typed);
    if (kind) return ok({ type: 'recognition', setting: { kind } });
    const hint = typed.startsWith('#') ? ' Pick the channel from the list Slack shows as you type its name.' : '';
    return fail(`${quote(typed)} isn't a recognition setting.${hint}`, USAGE);
  },
  async run(ctx, { setting }) {
    const { db } = ctx.deps;
    if (setting.kind === 'status') return textMessage(describe(ctx.actor.settings.recognition));
    requireManager(ctx.actor.member, 'change where won deals are celebrated');
    const { after } = await changeRecognition(db, {
      workspaceId: ctx.actor.workspace.id,
      actorId: ctx.actor.member.userId,
      setting,
      at: ctx.now,
    });
    const invite = setting.kind === 'channel' ? ' If I am not in that channel yet, invite me with `/invite`.' : '';
    return textMessage(`Done. ${describe(after)}${invite}`);
  },
};
