/**
 * Salesforce OAuth 2.0 web server flow for a connected app
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm):
 * - authorise: `{login}/services/oauth2/authorize?response_type=code&client_id&redirect_uri&state`;
 * - tokens: `POST {login}/services/oauth2/token` (form, `grant_type=authorization_code|refresh_token`),
 *   answering `{ access_token, refresh_token, instance_url, id }`; a refresh answers no new refresh token;
 * - the org: the identity URL (`id`), read with the access token, names the `organization_id`
 *   (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm);
 * - revoke: `POST {login}/services/oauth2/revoke` with the refresh token.
 * Salesforce says nothing of an access token's lifetime (the org's session timeout, two hours by
 * default), so it is taken as one hour and refreshed before.
 */
import { z } from 'zod';
import { CrmApiAuthError } from '../adapter.js';
import { type CrmOAuthClient, formPost, type OAuthTokens, oauthRequest, readOAuthJson } from '../crm-oauth.js';

const DEFAULT_LOGIN_URL = 'https://login.salesforce.com';
const ASSUMED_LIFETIME_MS = 60 * 60_000;

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  instance_url: z.string().url(),
  id: z.string().url(),
});
const Identity = z.object({ organization_id: z.string().regex(/^00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?$/) });

export interface SalesforceOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** https://login.salesforce.com, https://test.salesforce.com for sandboxes, or a fake's. */
  loginUrl?: string;
  now: () => Date;
  fetch?: typeof fetch;
}

export function createSalesforceOAuth(opts: SalesforceOAuthOptions): CrmOAuthClient {
  const fetchImpl = opts.fetch ?? fetch;
  const loginUrl = (opts.loginUrl ?? DEFAULT_LOGIN_URL).replace(/\/+$/, '');
  const credentials = { client_id: opts.clientId, client_secret: opts.clientSecret };

  async function token(grant: Record<string, string>, refreshToken?: string): Promise<OAuthTokens> {
    const what = `Salesforce token request (${grant.grant_type})`;
    const url = `${loginUrl}/services/oauth2/token`;
    const response = await oauthRequest(fetchImpl, what, url, formPost({ ...grant, ...credentials }));
    const body = await readOAuthJson(response, TokenAnswer, what);
    const kept = body.refresh_token ?? refreshToken;
    if (!kept) throw new CrmApiAuthError(`${what}: no refresh token (is the refresh_token scope granted?)`, 400);
    return {
      accessToken: body.access_token,
      refreshToken: kept,
      expiresAt: opts.now().getTime() + ASSUMED_LIFETIME_MS,
      apiUrl: body.instance_url.replace(/\/+$/, ''),
      identityUrl: body.id,
    };
  }

  return {
    source: 'salesforce',
    stateKey: opts.clientSecret,
    authorizeUrl(state, redirectUri) {
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: opts.clientId,
        redirect_uri: redirectUri,
        scope: 'api refresh_token',
        state,
      });
      return `${loginUrl}/services/oauth2/authorize?${query}`;
    },
    exchange: (code, redirectUri) => token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    refresh: (refreshToken) => token({ grant_type: 'refresh_token', refresh_token: refreshToken }, refreshToken),
    async accountOf(tokens) {
      const what = 'Salesforce identity';
      // The token goes to Salesforce's own login host only, whatever the answer named.
      const identity = tokens.identityUrl ? new URL(tokens.identityUrl) : null;
      if (!identity || identity.origin !== new URL(loginUrl).origin) {
        throw new CrmApiAuthError(`${what}: the identity URL is not on ${loginUrl}`, 400);
      }
      const response = await oauthRequest(fetchImpl, what, identity.toString(), {
        headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' },
      });
      return (await readOAuthJson(response, Identity, what)).organization_id;
    },
    async revoke(tokens) {
      await oauthRequest(
        fetchImpl,
        'Salesforce token revocation',
        `${loginUrl}/services/oauth2/revoke`,
        formPost({ token: tokens.refreshToken }),
      );
    },
  };
}
