/**
 * Interactivity and event payloads for the ways in that need no typing, in the shapes Slack's docs
 * give (each builder names its page). Form-encode them with `blockActionsBody`, events with `eventBody`.
 */
import { newTriggerId } from './slack-signing.js';

const APP_ID = 'A0FAKEAPP';
const TOKEN = 'fake-verification-token';

const team = (teamId: string) => ({ id: teamId, domain: teamId.toLowerCase() });
const user = (teamId: string, userId: string) => ({
  id: userId,
  username: userId.toLowerCase(),
  name: userId.toLowerCase(),
  team_id: teamId,
});

/** https://docs.slack.dev/reference/interaction-payloads/shortcuts-interaction-payload (a global shortcut). */
export function globalShortcut(o: { teamId: string; userId: string; callbackId: string; triggerId?: string }) {
  return {
    type: 'shortcut',
    token: TOKEN,
    action_ts: '1700000000.000001',
    team: team(o.teamId),
    user: user(o.teamId, o.userId),
    is_enterprise_install: false,
    enterprise: null,
    callback_id: o.callbackId,
    trigger_id: o.triggerId ?? newTriggerId(),
  };
}

/** https://docs.slack.dev/reference/interaction-payloads/shortcuts-interaction-payload (`message_action`). */
export function messageShortcut(o: {
  teamId: string;
  userId: string;
  callbackId: string;
  channelId: string;
  message: { ts: string; text: string; user: string };
  responseUrl: string;
  triggerId?: string;
}) {
  return {
    type: 'message_action',
    token: TOKEN,
    action_ts: '1700000000.000002',
    team: team(o.teamId),
    user: user(o.teamId, o.userId),
    channel: { id: o.channelId, name: 'sales' },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: o.callbackId,
    trigger_id: o.triggerId ?? newTriggerId(),
    response_url: o.responseUrl,
    message_ts: o.message.ts,
    message: { type: 'message', ...o.message },
  };
}

interface Button {
  actionId: string;
  value: string;
  blockId?: string;
}

function buttonAction(b: Button) {
  return {
    type: 'button',
    action_id: b.actionId,
    block_id: b.blockId ?? 'nudge_log',
    value: b.value,
    text: { type: 'plain_text', text: b.value, emoji: true },
    action_ts: '1700000000.000003',
  };
}

/** What every `block_actions` payload carries: who pressed, where, and the press's trigger id. */
function blockActions(o: { teamId: string; userId: string; triggerId?: string }) {
  return {
    type: 'block_actions',
    token: TOKEN,
    api_app_id: APP_ID,
    team: team(o.teamId),
    user: user(o.teamId, o.userId),
    trigger_id: o.triggerId ?? newTriggerId(),
    is_enterprise_install: false,
  };
}

/**
 * https://docs.slack.dev/reference/interaction-payloads/block_actions-payload: a button in a message
 * the app posted (the nudge DM); `message` is the message as Slack shows it, blocks included.
 */
export function messageButton(o: {
  teamId: string;
  userId: string;
  button: Button;
  channelId: string;
  message: { ts: string; text?: string; blocks?: readonly unknown[] };
  responseUrl: string;
  triggerId?: string;
}) {
  return {
    ...blockActions(o),
    container: { type: 'message', message_ts: o.message.ts, channel_id: o.channelId, is_ephemeral: false },
    channel: { id: o.channelId, name: 'directmessage' },
    message: { type: 'message', user: 'UBOT', bot_id: 'BBOT', ...o.message },
    response_url: o.responseUrl,
    actions: [buttonAction(o.button)],
  };
}

/** The same payload from a button on the App Home: a `view` container, no channel, message or response URL. */
export function homeButton(o: { teamId: string; userId: string; button: Button; triggerId?: string }) {
  return {
    ...blockActions(o),
    container: { type: 'view', view_id: 'VHOME00001' },
    view: { id: 'VHOME00001', type: 'home', team_id: o.teamId, callback_id: '', private_metadata: '', blocks: [] },
    actions: [buttonAction({ blockId: 'home_log', ...o.button })],
  };
}

/** https://docs.slack.dev/reference/events/message.im: a person's DM to the app. */
export function directMessage(o: {
  teamId: string;
  userId: string;
  channel: string;
  text: string;
  ts: string;
  extra?: Record<string, unknown>;
}) {
  return {
    type: 'message',
    channel: o.channel,
    user: o.userId,
    text: o.text,
    ts: o.ts,
    event_ts: o.ts,
    channel_type: 'im',
    team: o.teamId,
    client_msg_id: `m-${o.ts}`,
    ...o.extra,
  };
}
