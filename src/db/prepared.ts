import type { Database } from './client.js';

/**
 * A hot query built once per database and run with placeholders (`sql.placeholder`). Building a
 * query with drizzle costs more CPU than PostgreSQL spends answering a small one (about 0.5 ms
 * against 0.1 ms for the actor's read on the 10M bench), and every request from Slack runs some.
 */
export function preparedFor<Q>(build: (db: Database) => Q): (db: Database) => Q {
  const built = new WeakMap<Database, Q>();
  return (db) => {
    const known = built.get(db);
    if (known !== undefined) return known;
    const query = build(db);
    built.set(db, query);
    return query;
  };
}
