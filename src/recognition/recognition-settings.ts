import { sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/client.js';
import { getSettings, saveSettings, type WorkspaceSettings } from '../game/settings.js';

export type Recognition = WorkspaceSettings['recognition'];

/** What `/kpi recognition …` can change: where won deals are celebrated, and what the posts show. */
export type RecognitionChange =
  | { kind: 'channel'; channelId: string }
  | { kind: 'off' | 'hide_amount' | 'show_amount' | 'hide_deal_names' | 'show_deal_names' };
export type RecognitionSetting = RecognitionChange | { kind: 'status' };

/** The settings after a change: pure, so each command's effect is tested on its own. */
export function applyRecognitionSetting(current: Recognition, setting: RecognitionChange): Recognition {
  switch (setting.kind) {
    case 'channel':
      return { ...current, channelId: setting.channelId };
    case 'off':
      return { ...current, channelId: null };
    case 'hide_amount':
      return { ...current, showAmount: false };
    case 'show_amount':
      return { ...current, showAmount: true };
    case 'hide_deal_names':
      return { ...current, showDealName: false };
    case 'show_deal_names':
      return { ...current, showDealName: true };
  }
}

/**
 * Changes the recognition settings and records who did it, in one transaction; the workspace row is
 * locked so a concurrent change to another setting is not lost.
 */
export async function changeRecognition(
  db: Database,
  change: {
    workspaceId: string;
    actorId: string;
    setting: RecognitionChange;
    at: Date;
  },
): Promise<{ before: Recognition; after: Recognition }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select 1 from workspaces where id = ${change.workspaceId} for update`);
    const settings = await getSettings(tx, change.workspaceId);
    const before = settings.recognition;
    const after = applyRecognitionSetting(before, change.setting);
    await saveSettings(tx, change.workspaceId, { ...settings, recognition: after });
    await recordAudit(tx, {
      workspaceId: change.workspaceId,
      actorId: change.actorId,
      action: 'settings.recognition',
      target: after.channelId ?? before.channelId,
      details: { before, after },
      at: change.at,
    });
    return { before, after };
  });
}
