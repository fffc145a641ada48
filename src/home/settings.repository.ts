import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/client.js';
import { workspaces } from '../db/schema.js';
import { parseSettings, saveSettings, type WorkspaceSettings } from '../game/settings.js';
import { type SettingsFormResult, settingsChanges } from './settings-form.js';

/**
 * A manager's change to the workspace settings: read, change, store and audit in one transaction,
 * the workspace row locked so two managers saving at once do not undo each other's change. A
 * submission that changes nothing (a retry, or an unchanged form) stores and records nothing; one
 * the form refuses stores nothing either.
 */
export async function updateSettings(
  db: Database,
  input: { workspaceId: string; actorId: string; at: Date; change: (current: WorkspaceSettings) => SettingsFormResult },
): Promise<{ ok: true; changed: string[] } | { ok: false; errors: Record<string, string> }> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ settings: workspaces.settings })
      .from(workspaces)
      .where(eq(workspaces.id, input.workspaceId))
      .for('update');
    const current = parseSettings(row?.settings);
    const result = input.change(current);
    if (!result.ok) return result;
    const next = result.settings;
    const changes = settingsChanges(current, next);
    const changed = Object.keys(changes);
    if (changed.length === 0) return { ok: true, changed };
    await saveSettings(tx, input.workspaceId, next);
    await recordAudit(tx, {
      workspaceId: input.workspaceId,
      actorId: input.actorId,
      action: 'settings.update',
      target: changed.join(','),
      details: changes,
      at: input.at,
    });
    return { ok: true, changed };
  });
}
