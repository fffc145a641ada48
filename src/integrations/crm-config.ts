export const CRM_SOURCES = ['hubspot', 'salesforce', 'pipedrive', 'generic'] as const;
export type CrmSource = (typeof CRM_SOURCES)[number];

/**
 * CRM settings from the environment (one-workspace mode, and the HubSpot app secret in every mode).
 * A CRM whose webhook secret is not set is disabled: its endpoint answers 404 and never accepts
 * unsigned data. API credentials are optional: without them deals keep what the webhooks say.
 */
export interface CrmConfig {
  hubspot: {
    clientSecret: string;
    /** The public app's client id: with it, admins connect their portal by OAuth (many-workspace mode). */
    clientId: string | null;
    accessToken: string | null;
    apiUrl: string;
    /** One-workspace mode: the only portal whose batches are accepted (every portal signs with the app's secret). */
    portalId: string | null;
  } | null;
  salesforce: {
    organizationId: string;
    token: string;
    accessToken: string | null;
    instanceUrl: string | null;
  } | null;
  pipedrive: { user: string; password: string; apiToken: string | null; apiUrl: string | null } | null;
  /** The Pipedrive Marketplace app admins connect their company through (many-workspace mode). */
  pipedriveOAuth: OAuthApp | null;
  /** The Salesforce connected app admins connect their org through (many-workspace mode). */
  salesforceOAuth: OAuthApp | null;
  generic: { secret: string } | null;
  /** Which stages mean won or lost, per CRM, where the CRM does not say it outright. */
  stages: Record<CrmSource, { won: string[]; lost: string[] }>;
  /** The app's public base URL, to show admins the webhook URLs to paste into their CRM. */
  publicUrl: string | null;
}

/** A CRM app's OAuth credentials, and where its OAuth endpoints live (a fake's in tests). */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  url: string;
}

type Env = Record<string, string | undefined>;

const DEFAULT_STAGES: CrmConfig['stages'] = {
  hubspot: { won: ['closedwon'], lost: ['closedlost'] },
  salesforce: { won: ['Closed Won'], lost: ['Closed Lost'] },
  pipedrive: { won: [], lost: [] },
  generic: { won: ['won'], lost: ['lost'] },
};

function list(value: string | undefined): string[] | null {
  if (value === undefined) return null;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function isUrl(value: string): boolean {
  return URL.canParse(value) && /^https?:/.test(value);
}

/** Reads the CRM variables; problems go into `problems`, in the same words as the rest of the config. */
export function parseCrmConfig(env: Env, problems: string[]): CrmConfig {
  const pair = (a: string, b: string): [string, string] | null => {
    const x = env[a];
    const y = env[b];
    if (x === undefined && y === undefined) return null;
    if (x === undefined || y === undefined) {
      problems.push(`${x === undefined ? a : b} is missing: ${a} and ${b} go together.`);
      return null;
    }
    return [x, y];
  };
  const url = (name: string): string | null => {
    const value = env[name];
    if (value === undefined) return null;
    if (!isUrl(value)) {
      problems.push(`${name} must be an http(s) URL.`);
      return null;
    }
    return value.replace(/\/+$/, '');
  };

  const hubspotSecret = env.HUBSPOT_CLIENT_SECRET;
  const hubspot = hubspotSecret
    ? {
        clientSecret: hubspotSecret,
        clientId: env.HUBSPOT_CLIENT_ID ?? null,
        accessToken: env.HUBSPOT_ACCESS_TOKEN ?? null,
        apiUrl: url('HUBSPOT_API_URL') ?? 'https://api.hubapi.com',
        portalId: env.HUBSPOT_PORTAL_ID ?? null,
      }
    : null;

  if (env.HUBSPOT_CLIENT_ID !== undefined && hubspotSecret === undefined) {
    problems.push('HUBSPOT_CLIENT_SECRET is missing: HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET go together.');
  }
  if (env.HUBSPOT_PORTAL_ID !== undefined && !/^\d+$/.test(env.HUBSPOT_PORTAL_ID)) {
    problems.push(
      'HUBSPOT_PORTAL_ID must be the number HubSpot shows as your Hub ID (the account menu, or your URLs).',
    );
  }

  const sf = pair('SALESFORCE_ORGANIZATION_ID', 'SALESFORCE_WEBHOOK_TOKEN');
  const salesforce = sf
    ? {
        organizationId: sf[0],
        token: sf[1],
        accessToken: env.SALESFORCE_ACCESS_TOKEN ?? null,
        instanceUrl: url('SALESFORCE_INSTANCE_URL'),
      }
    : null;
  if (salesforce?.accessToken && !salesforce.instanceUrl) {
    problems.push('SALESFORCE_INSTANCE_URL is missing: the Salesforce API needs it with SALESFORCE_ACCESS_TOKEN.');
  }

  const pd = pair('PIPEDRIVE_WEBHOOK_USER', 'PIPEDRIVE_WEBHOOK_PASSWORD');
  const pipedrive = pd
    ? { user: pd[0], password: pd[1], apiToken: env.PIPEDRIVE_API_TOKEN ?? null, apiUrl: url('PIPEDRIVE_API_URL') }
    : null;
  if (pipedrive?.apiToken && !pipedrive.apiUrl) {
    problems.push(
      'PIPEDRIVE_API_URL is missing: set it to https://<your company>.pipedrive.com with PIPEDRIVE_API_TOKEN.',
    );
  }

  const oauthApp = (crm: string, urlName: string, defaultUrl: string): OAuthApp | null => {
    const app = pair(`${crm}_CLIENT_ID`, `${crm}_CLIENT_SECRET`);
    return app && { clientId: app[0], clientSecret: app[1], url: url(urlName) ?? defaultUrl };
  };
  const pipedriveOAuth = oauthApp('PIPEDRIVE', 'PIPEDRIVE_OAUTH_URL', 'https://oauth.pipedrive.com');
  const salesforceOAuth = oauthApp('SALESFORCE', 'SALESFORCE_LOGIN_URL', 'https://login.salesforce.com');

  const secret = env.WEBHOOK_SECRET;
  if (secret !== undefined && !/^whsec_[A-Za-z0-9+/=]+$/.test(secret)) {
    problems.push('WEBHOOK_SECRET must be a Standard Webhooks secret: "whsec_" followed by base64.');
  }
  const generic = secret !== undefined && secret.startsWith('whsec_') ? { secret } : null;

  const stages = structuredClone(DEFAULT_STAGES);
  for (const source of Object.keys(stages) as CrmSource[]) {
    const prefix = source.toUpperCase();
    stages[source].won = list(env[`${prefix}_WON_STAGES`]) ?? stages[source].won;
    stages[source].lost = list(env[`${prefix}_LOST_STAGES`]) ?? stages[source].lost;
  }

  return {
    hubspot,
    salesforce,
    pipedrive,
    pipedriveOAuth,
    salesforceOAuth,
    generic,
    stages,
    publicUrl: url('PUBLIC_URL'),
  };
}
