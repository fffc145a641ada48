import type { Installation } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/client.js';
import { crmConnections, installations } from '../../src/db/schema.js';
import { openInstallation, resealSecrets, sealedIn } from '../../src/db/secrets-at-rest.js';
import { createSecretBox, SecretKeyError } from '../../src/lib/secret-box.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);

describeDb('secrets at rest: sealing what an older version stored in plain text', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('seals plain installations and CRM secrets at start-up, once, and they open to what they were', async () => {
    const team = newWorkspaceId();
    const key = `T:${team}`;
    const installation = { team: { id: team }, bot: { token: `xoxb-${team}`, refreshToken: `xoxe-1-${team}` } };
    await database.db.insert(installations).values({ key, teamId: team, data: installation });
    await database.db
      .insert(crmConnections)
      .values({ id: `c${team}`, workspaceId: team, source: 'generic', secret: 'whsec_plain', createdBy: 'U1' });
    const box = createSecretBox({ current: K1, previous: [] });

    expect(await resealSecrets(database.db, box)).toBe(2);
    expect(await resealSecrets(database.db, box)).toBe(0);

    const [stored] = await database.db.select().from(installations).where(eq(installations.key, key));
    expect(JSON.stringify(stored?.data)).not.toContain('xox');
    expect(openInstallation(box, key, stored?.data)).toEqual(installation as unknown as Installation);
    const [connection] = await database.db.select().from(crmConnections).where(eq(crmConnections.workspaceId, team));
    expect(connection?.secret).not.toContain('whsec_plain');
    expect(box.open(connection?.secret ?? '', sealedIn.crmConnection(`c${team}`))).toBe('whsec_plain');
  });

  it('refuses to start when a stored secret is under a key it was not given', async () => {
    await expect(resealSecrets(database.db, createSecretBox({ current: K2, previous: [] }))).rejects.toThrow(
      SecretKeyError,
    );
  });

  it('re-seals OAuth tokens under a new key, bound to their row, beside the connection secret', async () => {
    const team = newWorkspaceId();
    const id = `o${team}`;
    const old = createSecretBox({ current: K1, previous: [] });
    const tokens = JSON.stringify({ accessToken: `at-${team}`, refreshToken: `rt-${team}`, expiresAt: 1 });
    await database.db.insert(crmConnections).values({
      id,
      workspaceId: team,
      source: 'hubspot',
      accountId: team,
      secret: old.seal('webhook-secret', sealedIn.crmConnection(id)),
      tokens: old.seal(tokens, sealedIn.crmTokens(id)),
      createdBy: 'U1',
    });
    const rotated = createSecretBox({ current: K2, previous: [K1] });
    expect(await resealSecrets(database.db, rotated)).toBeGreaterThanOrEqual(2);
    const [row] = await database.db.select().from(crmConnections).where(eq(crmConnections.id, id));
    expect(createSecretBox({ current: K2, previous: [] }).open(row?.tokens ?? '', sealedIn.crmTokens(id))).toBe(tokens);
    // Sealed for the tokens' place only: the same ciphertext does not open as the webhook secret.
    expect(() => rotated.open(row?.tokens ?? '', sealedIn.crmConnection(id))).toThrow();
    expect(await resealSecrets(database.db, rotated)).toBe(0);
  });
});
