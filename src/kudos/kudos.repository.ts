import { and, eq, gte, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { kudos } from '../db/schema.js';

export type Kudos = typeof kudos.$inferSelect;
export type NewKudos = typeof kudos.$inferInsert;

/** Holds, until the transaction ends, every other kudos from this giver: the cap counts them in turn. */
export async function lockGiver(tx: Database, workspaceId: string, giverId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`kudos:${workspaceId}:${giverId}`}))`);
}

/** The kudos a trigger already gave, if any (a retried command). */
export async function kudosByKey(db: Database, workspaceId: string, idempotencyKey: string): Promise<Kudos | null> {
  const [row] = await db
    .select()
    .from(kudos)
    .where(and(eq(kudos.workspaceId, workspaceId), eq(kudos.idempotencyKey, idempotencyKey)));
  return row ?? null;
}

/** How many kudos a giver has given since `since`. */
export async function countGivenSince(db: Database, workspaceId: string, giverId: string, since: Date) {
  const [{ n } = { n: 0 }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(kudos)
    .where(and(eq(kudos.workspaceId, workspaceId), eq(kudos.giverId, giverId), gte(kudos.givenAt, since)));
  return n;
}

export async function insertKudos(db: Database, values: NewKudos): Promise<Kudos> {
  const [row] = await db.insert(kudos).values(values).returning();
  if (!row) throw new Error('kudos insert returned nothing');
  return row;
}
