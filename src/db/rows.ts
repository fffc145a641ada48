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
