import type { SQL } from 'drizzle-orm';
import type { Database } from './client.js';

/**
 * Runs raw SQL and returns its rows. postgres.js returns the rows as an array and PGlite as
 * `{ rows }`; aggregates are cast in SQL (`::float8`, `::int`) so both drivers return numbers.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

/**
 * The constraint a unique violation (SQLSTATE 23505) broke, or null for any other error. drizzle
 * wraps the driver's error in `cause`; postgres.js names the constraint `constraint_name`, PGlite
 * `constraint`.
 */
export function violatedUniqueConstraint(error: unknown): string | null {
  for (let e = error; e instanceof Error; e = e.cause) {
    const fields = e as Error & { code?: unknown; constraint_name?: unknown; constraint?: unknown };
    if (fields.code === '23505') return String(fields.constraint_name ?? fields.constraint ?? '');
  }
  return null;
}
