import type { ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import type { SecretBox } from '../lib/secret-box.js';
import { CrmApiAuthError, CrmApiUnavailableError } from './adapter.js';
import { CRM_LABEL, CRM_SOURCES, type CrmSource } from './crm-event.js';
import { oauthRedirectUri, saveGrant, takeState } from './crm-grants.js';
import type { CrmOAuthClient } from './crm-oauth.js';

/**
 * `GET /crm/oauth/<crm>/callback`: where the CRM sends the admin's browser after consent. The state
 * must be one this server issued, unexpired and unused; the code is exchanged, the account the token
 * proves is read from the CRM, and the grant is bound to the workspace that asked, unless another
 * workspace holds that account. The browser gets a short page saying what happened.
 */

export interface OAuthRouteDeps {
  db: Database;
  logger: Logger;
  now: () => Date;
  secrets: SecretBox;
  clients: Partial<Record<CrmSource, CrmOAuthClient>>;
  publicUrl: string | null;
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title>` +
        `<h1>${escape(title)}</h1><p>${escape(text)}</p></html>`,
    );
}

async function callback(deps: OAuthRouteDeps, source: CrmSource, query: URLSearchParams, res: ServerResponse) {
  const label = CRM_LABEL[source];
  const again = `Run /kpi crm connect ${source} in Slack to start again.`;
  const client = deps.clients[source];
  if (!client || !deps.publicUrl) return page(res, 404, 'Not found', `${label} is not connected by OAuth here.`);
  const claim = await takeState(deps.db, deps.now(), source, query.get('state') ?? '', client.stateKey);
  if (!claim) return page(res, 400, 'This link has expired', `It was already used, or is too old. ${again}`);
  const code = query.get('code');
  if (!code) return page(res, 400, `${label} was not connected`, `${label} did not grant access. ${again}`);
  const log = { source, workspaceId: claim.workspaceId, userId: claim.userId };
  try {
    const tokens = await client.exchange(code, oauthRedirectUri(deps.publicUrl, source));
    const accountId = await client.accountOf(tokens);
    const saved = await saveGrant(deps.db, deps.secrets, { ...claim, accountId, tokens });
    if (!saved.saved) {
      // The grant is not kept: nothing of it is stored, and the CRM's other workspace is untouched.
      await client.revoke(tokens).catch(() => undefined);
      deps.logger.warn({ ...log, accountId }, 'CRM account already connected to another workspace');
      return page(
        res,
        409,
        `${label} account already connected`,
        `${label} account ${accountId} is connected to another workspace on this server, so nothing changed. ` +
          'Ask whoever runs this KPI Coach server to remove that connection if the account is yours.',
      );
    }
    deps.logger.info({ ...log, accountId }, 'CRM connected by OAuth');
    // Pipedrive's webhooks are per connection, with HTTP Basic credentials shown once, as `/kpi crm connect` does.
    const endpoint = `${deps.publicUrl}/webhooks/${source}/${saved.connectionId}`;
    const webhook =
      saved.newSecret === null
        ? ''
        : source === 'pipedrive'
          ? ` Now create a Pipedrive webhook to ${endpoint} with HTTP auth user ${saved.connectionId} and password ` +
            `${saved.newSecret} (shown once; keep it private).`
          : source === 'salesforce'
            ? ` Now use ${endpoint}?token=${saved.newSecret} as the Outbound Message endpoint URL (shown once; keep it private).`
            : '';
    return page(
      res,
      200,
      `${label} connected`,
      `${label} account ${accountId} is now connected to your Slack workspace.${webhook} You can close this page; /kpi crm shows the connection.`,
    );
  } catch (error) {
    if (error instanceof CrmApiAuthError) {
      deps.logger.warn({ ...log, status: error.status }, 'CRM refused the OAuth code');
      return page(res, 400, `${label} was not connected`, `${label} refused the authorisation. ${again}`);
    }
    if (error instanceof CrmApiUnavailableError) {
      deps.logger.warn({ ...log, err: error }, 'CRM unavailable during the OAuth callback');
      return page(res, 503, `${label} is not answering`, `Nothing was connected. ${again}`);
    }
    throw error;
  }
}

export function oauthRoutes(deps: OAuthRouteDeps): CustomRoute[] {
  return [
    {
      path: '/crm/oauth/:source/callback',
      method: ['GET'],
      handler: (req, res) => {
        const name = Array.isArray(req.params?.source) ? req.params.source[0] : req.params?.source;
        const source = CRM_SOURCES.find((s) => s === name);
        const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
        if (!source) return page(res, 404, 'Not found', 'No such CRM.');
        callback(deps, source, query, res).catch((error: unknown) => {
          deps.logger.error({ err: error, source }, 'CRM OAuth callback failed');
          if (!res.headersSent) page(res, 500, 'Something went wrong', 'Nothing was connected. Please try again.');
        });
      },
    },
  ];
}
