import type { Installation } from '@slack/bolt';
import { and, eq } from 'drizzle-orm';
import type { Logger } from '../lib/logger.js';
import { createSecretBox, type EncryptionKeys, type SecretBox } from '../lib/secret-box.js';
import type { Database } from './client.js';
import { crmConnections, installations } from './schema.js';

/**
 * What is sealed where: a Slack installation's whole `data` blob (every token Bolt hands over, refresh
 * tokens included) and a CRM connection's secret. Each is bound to its row's key.
 */
export const sealedIn = {
  installation: (key: string) => `installations:${key}`,
  crmConnection: (id: string) => `crm_connections:${id}`,
  crmTokens: (id: string) => `crm_connections:${id}:tokens`,
};

/** Sealed installations are a JSON string in the jsonb column; an object is one stored before encryption. */
export function sealInstallation(box: SecretBox, key: string, installation: Installation): string {
  return box.seal(JSON.stringify(installation), sealedIn.installation(key));
}

export function openInstallation(box: SecretBox, key: string, data: unknown): Installation {
  return (typeof data === 'string' ? JSON.parse(box.open(data, sealedIn.installation(key))) : data) as Installation;
}

/**
 * Seals what is still plain text and re-seals what a previous key sealed, at start-up. Each row is
 * rewritten only if it still holds what was read, so an install that lands meanwhile is kept, and
 * replicas starting together write the same thing twice at worst. A value under an unknown key
 * throws `SecretKeyError`: the operator dropped a key too early.
 */
export async function resealSecrets(db: Database, box: SecretBox): Promise<number> {
  let resealed = 0;
  for (const row of await db.select({ key: installations.key, data: installations.data }).from(installations)) {
    if (typeof row.data === 'string' && !box.isStale(row.data)) continue;
    const data = sealInstallation(box, row.key, openInstallation(box, row.key, row.data));
    await db
      .update(installations)
      .set({ data })
      .where(and(eq(installations.key, row.key), eq(installations.data, row.data)));
    resealed++;
  }
  const connections = await db
    .select({ id: crmConnections.id, secret: crmConnections.secret, tokens: crmConnections.tokens })
    .from(crmConnections);
  for (const row of connections) {
    // The webhook secret and the OAuth tokens, each bound to the row under its own context.
    const sealed = [
      ['secret', row.secret, sealedIn.crmConnection(row.id)],
      ['tokens', row.tokens, sealedIn.crmTokens(row.id)],
    ] as const;
    for (const [column, value, context] of sealed) {
      if (value === null || !box.isStale(value)) continue;
      await db
        .update(crmConnections)
        .set({ [column]: box.seal(box.open(value, context), context) })
        .where(and(eq(crmConnections.id, row.id), eq(crmConnections[column], value)));
      resealed++;
    }
  }
  return resealed;
}

/** The app's secret box, once what it guards is sealed under the current key (before anything reads it). */
export async function openSecretsAtRest(db: Database, keys: EncryptionKeys | null, logger: Logger): Promise<SecretBox> {
  const box = createSecretBox(keys);
  if (keys) {
    const resealed = await resealSecrets(db, box);
    if (resealed > 0) logger.info({ resealed }, 'stored secrets sealed under the current ENCRYPTION_KEY');
  }
  return box;
}
