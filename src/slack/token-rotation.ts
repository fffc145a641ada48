import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import * as webApi from '@slack/web-api';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';

/**
 * Slack token rotation: with it turned on in the app's settings, a bot token lasts 12 hours and a
 * single-use refresh token buys the next one (oauth.v2.access, grant_type=refresh_token).
 *
 * Bolt refreshes inside its own `authorize`, but only for incoming requests, and with no lock: two
 * replicas refreshing at once spend the same refresh token, and the jobs' clients (boards, nudges,
 * delivery) read the stored token and never refresh at all. So the store refreshes instead, in
 * `fetchInstallation`, which every path goes through: under a transaction-scoped advisory lock per
 * installation, re-reading after the lock so a replica that waited uses the tokens the first one
 * stored. What it returns is never within Bolt's two-hour window, so Bolt does not refresh again.
 */

/** Bolt's window: a token with less than this left is renewed. */
export const REFRESH_WINDOW_SECONDS = 2 * 60 * 60;

export interface TokenRotationDeps {
  db: Database;
  now: () => Date;
  logger: Logger;
  /** The installation store over a database handle (the transaction, while refreshing). */
  storeFor(db: Database): InstallationStore;
  clientId: string;
  clientSecret: string;
  clientOptions: webApi.WebClientOptions;
}

export function withTokenRotation(deps: TokenRotationDeps): InstallationStore {
  const base = deps.storeFor(deps.db);
  const oauth = new webApi.WebClient(undefined, deps.clientOptions);
  const seconds = () => Math.floor(deps.now().getTime() / 1000);
  const expiring = (installation: Installation) => {
    const bot = installation.bot;
    return (
      bot?.refreshToken !== undefined &&
      bot.expiresAt !== undefined &&
      bot.expiresAt - seconds() <= REFRESH_WINDOW_SECONDS
    );
  };

  async function refresh(query: InstallationQuery<boolean>): Promise<Installation> {
    return deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${lockKey(query)}))`);
      const store = deps.storeFor(tx);
      const current = await store.fetchInstallation(query);
      const bot = current.bot;
      if (!bot?.refreshToken || !expiring(current)) return current;
      let answer: webApi.OauthV2AccessResponse;
      try {
        answer = await oauth.oauth.v2.access({
          client_id: deps.clientId,
          client_secret: deps.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: bot.refreshToken,
        });
      } catch (error) {
        // A token still inside its window keeps working: use it and try again on the next call.
        const stillValid = (bot.expiresAt ?? 0) > seconds();
        deps.logger.warn(
          { err: error, teamId: query.teamId, enterpriseId: query.enterpriseId, stillValid },
          'Slack token refresh failed',
        );
        if (stillValid) return current;
        throw error;
      }
      if (!answer.access_token || !answer.refresh_token || answer.expires_in === undefined) {
        throw new Error('oauth.v2.access answered a refresh without access_token, refresh_token and expires_in');
      }
      const renewed: Installation = {
        ...current,
        bot: {
          ...bot,
          token: answer.access_token,
          refreshToken: answer.refresh_token,
          expiresAt: seconds() + answer.expires_in,
        },
      };
      await store.storeInstallation(renewed);
      deps.logger.info({ teamId: query.teamId, enterpriseId: query.enterpriseId }, 'Slack bot token refreshed');
      return renewed;
    });
  }

  return {
    storeInstallation: (installation, logger) => base.storeInstallation(installation, logger),
    async fetchInstallation(query, logger) {
      const installation = await base.fetchInstallation(query, logger);
      return expiring(installation) ? refresh(query) : installation;
    },
    deleteInstallation: (query, logger) => base.deleteInstallation?.(query, logger) ?? Promise.resolve(),
  };
}

function lockKey(query: InstallationQuery<boolean>): string {
  return query.isEnterpriseInstall && query.enterpriseId
    ? `slack-installation:E:${query.enterpriseId}`
    : `slack-installation:T:${query.teamId ?? ''}`;
}
