/**
 * Builders for requests exactly as Slack sends them to an app, signed so that Bolt's HTTPReceiver accepts them.
 * See https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed with the signing secret. */
export function signSlackRequest(signingSecret: string, body: string, timestamp = nowSeconds()): SlackSignatureHeaders {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': String(timestamp) };
}

/** The legacy verification token Slack still includes in payloads; Bolt ignores it when signatures are used. */
const VERIFICATION_TOKEN = 'fake-verification-token';
const DEFAULT_APP_ID = 'A0FAKEAPP';

const formEncode = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

export interface SlashCommandFields {
  teamId: string;
  userId: string;
  text: string;
  responseUrl: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  triggerId?: string;
  /** Default '/kpi'. */
  command?: string;
  enterpriseId?: string;
  /** The app is installed org-wide (Enterprise Grid); `enterpriseId` names the org. */
  isEnterpriseInstall?: boolean;
  apiAppId?: string;
}

/** A slash command invocation, x-www-form-urlencoded with Slack's field order. */
export function slashCommandBody(fields: SlashCommandFields): string {
  const enterprise: Record<string, string> =
    fields.enterpriseId === undefined ? {} : { enterprise_id: fields.enterpriseId, enterprise_name: 'Enterprise' };
  return formEncode({
    token: VERIFICATION_TOKEN,
    team_id: fields.teamId,
    team_domain: fields.teamId.toLowerCase(),
    ...enterprise,
    channel_id: fields.channelId ?? 'C0FAKE0001',
    channel_name: fields.channelName ?? 'general',
    user_id: fields.userId,
    user_name: fields.userName ?? fields.userId.toLowerCase(),
    command: fields.command ?? '/kpi',
    text: fields.text,
    api_app_id: fields.apiAppId ?? DEFAULT_APP_ID,
    is_enterprise_install: String(fields.isEnterpriseInstall ?? false),
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? `${nowSeconds()}.1111111111.fake0trigger`,
  });
}

let triggers = 0;

/** A fresh trigger id in Slack's shape, stamped with the current second (the fake checks it expires after 3 s). */
export function newTriggerId(): string {
  return `${nowSeconds()}.${++triggers}${Math.floor(Math.random() * 1e6)}.${randomBytes(8).toString('hex')}`;
}

export interface ViewSubmissionFields {
  teamId: string;
  userId: string;
  callbackId: string;
  privateMetadata: string;
  /** `view.state.values`: `{ [block_id]: { [action_id]: { type, value | selected_… } } }`. */
  values: Record<string, Record<string, object>>;
  viewId?: string;
}

/** A `view_submission` payload as Slack sends it when a modal's submit button is pressed. */
export function viewSubmissionBody(fields: ViewSubmissionFields): string {
  return blockActionsBody({
    type: 'view_submission',
    team: { id: fields.teamId, domain: fields.teamId.toLowerCase() },
    user: {
      id: fields.userId,
      username: fields.userId.toLowerCase(),
      name: fields.userId.toLowerCase(),
      team_id: fields.teamId,
    },
    api_app_id: DEFAULT_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: newTriggerId(),
    view: {
      id: fields.viewId ?? 'V0000000001',
      team_id: fields.teamId,
      type: 'modal',
      callback_id: fields.callbackId,
      private_metadata: fields.privateMetadata,
      state: { values: fields.values },
      hash: '1.1',
      title: { type: 'plain_text', text: 'Modal' },
      blocks: [],
      root_view_id: fields.viewId ?? 'V0000000001',
      app_id: DEFAULT_APP_ID,
      bot_id: 'BBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
  });
}

/** An interactivity payload (block_actions, view_submission, …): form-encoded `payload=<JSON>`. */
export function blockActionsBody(payload: object): string {
  return formEncode({ payload: JSON.stringify(payload) });
}

export interface EventEnvelope {
  teamId: string;
  eventId: string;
  apiAppId?: string;
  enterpriseId?: string;
  /** The app is installed org-wide (Enterprise Grid). */
  isEnterpriseInstall?: boolean;
  /** The bot user the event is authorized for (default 'U0FAKEBOT'). */
  botUserId?: string;
  /** Epoch seconds (default now). */
  eventTime?: number;
}

/** An Events API `event_callback` JSON envelope around `event`. */
export function eventBody(event: object, envelope: EventEnvelope): string {
  const enterpriseId = envelope.enterpriseId ?? null;
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: envelope.teamId,
    enterprise_id: enterpriseId,
    context_team_id: envelope.teamId,
    context_enterprise_id: enterpriseId,
    api_app_id: envelope.apiAppId ?? DEFAULT_APP_ID,
    event,
    type: 'event_callback',
    event_id: envelope.eventId,
    event_time: envelope.eventTime ?? nowSeconds(),
    authorizations: [
      {
        enterprise_id: enterpriseId,
        team_id: envelope.teamId,
        user_id: envelope.botUserId ?? 'U0FAKEBOT',
        is_bot: true,
        is_enterprise_install: envelope.isEnterpriseInstall ?? false,
      },
    ],
    is_ext_shared_channel: false,
  });
}

export type SlackContentType = 'application/x-www-form-urlencoded' | 'application/json';

export interface PostSignedOptions {
  signingSecret: string;
  contentType: SlackContentType;
  /** Epoch seconds used in the signature (default now); pass an old one to test replay protection. */
  timestamp?: number;
  /** Extra or overriding headers, e.g. a tampered `x-slack-signature` or `x-slack-retry-num`. */
  headers?: Record<string, string>;
}

export interface SignedResponse {
  status: number;
  /** The answer's `content-type`: a slash command's reply in the acknowledgement is JSON. */
  contentType: string | null;
  text: string;
  /** The parsed body when it is JSON. */
  json?: unknown;
}

/** POST `body` to `url` signed like Slack does. */
export async function postSigned(url: string, body: string, options: PostSignedOptions): Promise<SignedResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.contentType,
      ...signSlackRequest(options.signingSecret, body, options.timestamp),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, ...parseJson(text) };
}

function parseJson(text: string): { json?: unknown } {
  try {
    return text === '' ? {} : { json: JSON.parse(text) };
  } catch {
    return {};
  }
}
