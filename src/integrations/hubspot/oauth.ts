/**
 * HubSpot OAuth for a public app, on the dated API that replaces v1 (sunset 16 February 2027:
 * https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/migration-guide).
 * Every call is a form POST with the credentials in the body, never in a URL that might be logged.
 * - authorise: `https://app.hubspot.com/oauth/authorize?client_id&redirect_uri&scope&state`
 *   (https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide);
 * - tokens: `POST /oauth/2026-03/token` with `grant_type=authorization_code|refresh_token`, answering
 *   `{ access_token, refresh_token, expires_in }`; a bad code, client or refresh token is a 400
 *   (https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/refresh-oauth-token);
 * - the portal: `POST /oauth/2026-03/token/introspect` answers `{ active, hub_id, … }`
 *   (https://developers.hubspot.com/docs/api-reference/2026-03/authentication/oauth-tokens/token-introspect);
 * - revoke: `POST /oauth/2026-03/token/revoke` with the refresh token
 *   (https://developers.hubspot.com/docs/api-reference/latest/authentication/oauth-tokens/revoke-token).
 */
import { z } from 'zod';
import { CrmApiAuthError } from '../adapter.js';
import {
  type CrmOAuthClient,
  formPost,
  type OAuthTokens,
  oauthRequest,
  readOAuthJson,
  TokenResponse,
  tokensFrom,
} from '../crm-oauth.js';

const AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';
/** What enrichment reads: deals, contacts (engagement associations) and owners' emails. */
export const HUBSPOT_SCOPES = [
  'oauth',
  'crm.objects.deals.read',
  'crm.objects.contacts.read',
  'crm.objects.owners.read',
];

const Introspection = z.object({ active: z.boolean(), hub_id: z.number().int().optional() });
const OAUTH_PATH = '/oauth/2026-03';

export interface HubSpotOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** https://api.hubapi.com, or a fake's. */
  apiUrl: string;
  now: () => Date;
  fetch?: typeof fetch;
}

export function createHubSpotOAuth(opts: HubSpotOAuthOptions): CrmOAuthClient {
  const fetchImpl = opts.fetch ?? fetch;

  /** A form POST to one of the OAuth endpoints, with the app's credentials. */
  const post = (what: string, path: string, form: Record<string, string>) =>
    oauthRequest(
      fetchImpl,
      what,
      `${opts.apiUrl}${OAUTH_PATH}${path}`,
      formPost({ ...form, client_id: opts.clientId, client_secret: opts.clientSecret }),
    );

  async function token(grant: Record<string, string>): Promise<OAuthTokens> {
    const what = `HubSpot token request (${grant.grant_type})`;
    return tokensFrom(await readOAuthJson(await post(what, '/token', grant), TokenResponse, what), opts.now());
  }

  return {
    source: 'hubspot',
    stateKey: opts.clientSecret,
    authorizeUrl(state, redirectUri) {
      const query = new URLSearchParams({
        client_id: opts.clientId,
        redirect_uri: redirectUri,
        scope: HUBSPOT_SCOPES.join(' '),
        state,
      });
      return `${AUTHORIZE_URL}?${query}`;
    },
    exchange: (code, redirectUri) => token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    refresh: (refreshToken) => token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async accountOf({ accessToken }) {
      const what = 'HubSpot token introspection';
      const form = { token: accessToken, token_type_hint: 'access_token' };
      const info = await readOAuthJson(await post(what, '/token/introspect', form), Introspection, what);
      // A token HubSpot no longer honours proves nothing, whatever it says about a hub.
      if (!info.active || info.hub_id === undefined) throw new CrmApiAuthError(`${what}: token not active`, 401);
      return String(info.hub_id);
    },
    async revoke(tokens) {
      await post('HubSpot token revocation', '/token/revoke', {
        token: tokens.refreshToken,
        token_type_hint: 'refresh_token',
      });
    },
  };
}
