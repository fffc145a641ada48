import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';

/**
 * LISTEN on a channel: `onNotify` for each NOTIFY committed by any connection (PostgreSQL delivers
 * a NOTIFY made inside a transaction only once it commits, and never if it rolls back), `onListen`
 * each time the subscription is (re)established, as notifications sent while it was down are lost.
 * Resolves to the unsubscribe.
 */
export type Listen = (
  channel: string,
  onNotify: (payload: string) => void,
  onListen?: () => void,
) => Promise<() => Promise<void>>;

/** PGlite is one connection in this process: its own notifications come back to it. */
export function listenPglite(client: PGlite): Listen {
  return async (channel, onNotify, onListen) => {
    const unlisten = await client.listen(channel, onNotify);
    onListen?.();
    // A closed database has no listener left to remove, and refuses the UNLISTEN.
    return async () => {
      if (!client.closed) await unlisten();
    };
  };
}

/** postgres.js listens on a dedicated connection of its own, and listens again after a reconnect. */
export function listenPostgres(client: Sql): Listen {
  return async (channel, onNotify, onListen) => {
    const { unlisten } = await client.listen(channel, onNotify, onListen);
    return unlisten;
  };
}
