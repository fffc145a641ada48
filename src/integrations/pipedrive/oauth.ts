/**
 * Pipedrive OAuth for a Marketplace app
 * (https://pipedrive.readme.io/docs/marketplace-oauth-authorization):
 * - authorise: `https://oauth.pipedrive.com/oauth/authorize?client_id&redirect_uri&state`;
 * - tokens: `POST /oauth/token` with HTTP Basic `client_id:client_secret` and a form
 *   `grant_type=authorization_code|refresh_token`, answering `{ access_token, refresh_token,
 *   expires_in, api_domain }`; `api_domain` is the company's own API address;
 * - revoke: `POST /oauth/revoke` with the refresh token, which ends the grant;
 * - the company: `GET {api_domain}/api/v1/users/me` answers the user's `company_id`
 *   (https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser).
 */
import { z } from 'zod';
import {
  type CrmOAuthClient,
  type OAuthTokens,
  oauthRequest,
  readOAuthJson,
  TokenResponse,
  tokensFrom,
} from '../crm-oauth.js';

const DEFAULT_OAUTH_URL = 'https://oauth.pipedrive.com';

const PipedriveTokens = TokenResponse.extend({ api_domain: z.string().url() });
const Me = z.object({ data: z.object({ company_id: z.number().int() }) });

export interface PipedriveOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** https://oauth.pipedrive.com, or a fake's. */
  oauthUrl?: string;
  now: () => Date;
  fetch?: typeof fetch;
}

export function createPipedriveOAuth(opts: PipedriveOAuthOptions): CrmOAuthClient {
  const fetchImpl = opts.fetch ?? fetch;
  const oauthUrl = (opts.oauthUrl ?? DEFAULT_OAUTH_URL).replace(/\/+$/, '');
  const basic = `Basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')}`;

  const post = (what: string, path: string, form: Record<string, string>) =>
    oauthRequest(fetchImpl, what, `${oauthUrl}${path}`, {
      method: 'POST',
      headers: {
        authorization: basic,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    });

  async function token(grant: Record<string, string>): Promise<OAuthTokens> {
    const what = `Pipedrive token request (${grant.grant_type})`;
    const body = await readOAuthJson(await post(what, '/oauth/token', grant), PipedriveTokens, what);
    return { ...tokensFrom(body, opts.now()), apiUrl: body.api_domain.replace(/\/+$/, '') };
  }

  return {
    source: 'pipedrive',
    stateKey: opts.clientSecret,
    authorizeUrl(state, redirectUri) {
      return `${oauthUrl}/oauth/authorize?${new URLSearchParams({ client_id: opts.clientId, redirect_uri: redirectUri, state })}`;
    },
    exchange: (code, redirectUri) => token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }),
    refresh: (refreshToken) => token({ grant_type: 'refresh_token', refresh_token: refreshToken }),
    async accountOf(tokens) {
      const what = 'Pipedrive current user';
      const response = await oauthRequest(fetchImpl, what, `${tokens.apiUrl}/api/v1/users/me`, {
        headers: { authorization: `Bearer ${tokens.accessToken}`, accept: 'application/json' },
      });
      return String((await readOAuthJson(response, Me, what)).data.company_id);
    },
    async revoke(tokens) {
      await post('Pipedrive token revocation', '/oauth/revoke', {
        token: tokens.refreshToken,
        token_type_hint: 'refresh_token',
      });
    },
  };
}
