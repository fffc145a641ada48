import { z } from 'zod';
import { CrmApiAuthError, CrmApiUnavailableError } from './adapter.js';
import type { CrmSource } from './crm-event.js';

/** What a CRM's token endpoint grants; `expiresAt` in ms since the epoch. */
export interface OAuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** Where this grant's API lives, when the CRM says (Pipedrive's `api_domain`, Salesforce's instance). */
  apiUrl?: string;
  /** Salesforce's identity URL, which names the org. */
  identityUrl?: string;
}

/**
 * One CRM's OAuth 2.0 authorisation-code flow, and the account a token proves. Token endpoints that
 * refuse (a bad or reused code, a revoked refresh token: 4xx) throw `CrmApiAuthError`; network
 * failures and 5xx throw `CrmApiUnavailableError`.
 */
export interface CrmOAuthClient {
  source: CrmSource;
  /** The CRM app's client secret, which also signs our `state`s (only we and the CRM know it). */
  stateKey: string;
  authorizeUrl(state: string, redirectUri: string): string;
  exchange(code: string, redirectUri: string): Promise<OAuthTokens>;
  refresh(refreshToken: string): Promise<OAuthTokens>;
  /** The CRM account (HubSpot portal …) the tokens belong to: what binds them to the workspace. */
  accountOf(tokens: OAuthTokens): Promise<string>;
  /** Revokes the grant where the CRM allows it. */
  revoke(tokens: OAuthTokens): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * One call to an OAuth endpoint. Error texts name the endpoint, never a token or code (the path of a
 * token look-up holds the token, so `what` is given by the caller).
 */
export async function oauthRequest(
  fetchImpl: typeof fetch,
  what: string,
  url: string,
  init: RequestInit,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new CrmApiUnavailableError(`${what} failed: ${error instanceof Error ? error.name : 'error'}`);
  }
  if (response.ok) return response;
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 429 || response.status >= 500) {
    throw new CrmApiUnavailableError(`${what} answered ${response.status}`);
  }
  throw new CrmApiAuthError(`${what} was refused (${response.status})`, response.status);
}

/** `application/x-www-form-urlencoded`, as RFC 6749 §4.1.3 asks of token requests. */
export function formPost(body: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(body).toString(),
  };
}

/** A 2xx body of the expected shape; anything else is the CRM having a bad moment. */
export async function readOAuthJson<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const parsed = schema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new CrmApiUnavailableError(`${what}: unexpected answer`);
  return parsed.data;
}

/** RFC 6749 §5.1's answer, as every CRM here gives it. */
export const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

/** A token endpoint's answer as stored: the expiry as an instant on our clock. */
export function tokensFrom(body: z.infer<typeof TokenResponse>, now: Date): OAuthTokens {
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: now.getTime() + body.expires_in * 1000,
  };
}
