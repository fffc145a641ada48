/**
 * A strict, local fake of the Slack Web API and of `response_url` endpoints, for end-to-end tests.
 *
 * Point a WebClient (or Bolt's `clientOptions`) at `fake.apiUrl`; the fake answers the way Slack does, including
 * the refusals: `not_authed`, `invalid_auth`, `token_revoked`, `missing_scope`, `channel_not_found`,
 * `not_in_channel`, `is_archived`, `no_text`, `msg_too_long`, `invalid_blocks` (with Slack's
 * `[json-pointer:…]` reasons), expired tokens (`token_expired`, with token rotation: oauth.v2.access hands out
 * 12-hour access tokens and single-use refresh tokens), rate limits (HTTP 429 + `Retry-After`, per method and per channel) and
 * injected failures. Messages keep their `metadata`, which conversations.history returns; files go
 * through Slack's upload flow (files.getUploadURLExternal, a POST of the bytes to the upload URL,
 * files.completeUploadExternal) before an `image` block may show them with `slack_file`.
 *
 * Registries (tokens, users, channels, messages, OAuth codes) persist until `close()`;
 * `reset()` only clears recordings, injected failures and rate limits.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// ---------------------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------------------

export type Json = Record<string, unknown>;

export interface TokenInfo {
  teamId: string;
  /** The `user_id` that `auth.test` reports: the bot user for bot tokens, the installer for user tokens. */
  botUserId: string;
  /** Omit for user tokens (auth.test then has no `bot_id`). */
  botId?: string;
  enterpriseId?: string;
  /** When given, methods needing a scope the token lacks fail with `missing_scope`. Omit to allow everything. */
  scopes?: readonly string[];
  /** Fake-clock epoch ms after which the token fails with `token_expired` (token rotation). */
  expiresAt?: number;
}

export interface FakeUser {
  id: string;
  teamId: string;
  name?: string;
  realName?: string;
  displayName?: string;
  /** IANA zone, e.g. 'America/New_York' (default). `tz_offset` is computed for the current date. */
  tz?: string;
  email?: string;
  isAdmin?: boolean;
  isOwner?: boolean;
  isBot?: boolean;
  deleted?: boolean;
}

export interface FakeChannel {
  id: string;
  teamId: string;
  /** Returned verbatim by conversations.members; also decides `user_not_in_channel` for ephemeral posts. */
  members: readonly string[];
  name?: string;
  archived?: boolean;
  /**
   * Defaults to true. Without it, as in Slack, a public channel can still be looked up and its members
   * listed (conversations.info says `is_member: false`), but posting and reading history fail with
   * `not_in_channel`; a private one is `channel_not_found` to every method.
   */
  botIsMember?: boolean;
  /** A private channel (default public). */
  isPrivate?: boolean;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  /** Author; chat.update by another user's token fails with `cant_update_message`. */
  userId: string;
  text?: string;
  blocks?: readonly unknown[];
  /** Message metadata as chat.postMessage took it: `{ event_type, event_payload }`. */
  metadata?: Json;
  /** Files shared with the message by files.completeUploadExternal (`channel_id`). */
  files?: readonly { id: string; name: string; title: string | undefined }[];
}

/** A file uploaded through the external upload flow. */
export interface FakeFile {
  id: string;
  filename: string;
  length: number;
  altText: string | undefined;
  /** The bytes POSTed to the upload URL, once. */
  bytes: Buffer | undefined;
  title: string | undefined;
  /** Fake-clock time at which files.completeUploadExternal completed it. */
  completedAt: number | undefined;
}

/** The body Slack returns from oauth.v2.access (without `ok`); missing optional fields get realistic defaults. */
export interface OAuthV2AccessResponse {
  team: { id: string; name?: string } | null;
  authed_user: { id: string; scope?: string; access_token?: string; token_type?: 'user' };
  access_token?: string;
  token_type?: 'bot';
  scope?: string;
  bot_user_id?: string;
  app_id?: string;
  enterprise?: { id: string; name?: string } | null;
  is_enterprise_install?: boolean;
  refresh_token?: string;
  expires_in?: number;
  incoming_webhook?: { channel: string; channel_id: string; configuration_url: string; url: string };
}

export interface FailureSpec {
  /** Slack error code in the body; default `ratelimited` for 429, otherwise `internal_error`. */
  error?: string;
  /** HTTP status; default 429 when `retryAfter` is given, else 200 (a Slack-level error) for Web API methods. */
  status?: number;
  /** Seconds, sent as `Retry-After` on 429 responses (default 1). */
  retryAfter?: number;
  /** How many consecutive calls fail (default 1). */
  times?: number;
}

export interface RecordedCall {
  kind: 'call';
  method: string;
  /** Arguments without `token`; JSON-valued fields (blocks, attachments, view, metadata) are decoded. */
  args: Json;
  token: string | undefined;
  /** Arrival time, epoch milliseconds. */
  at: number;
  /** When the whole request was in, before any check of it, on this process's `performance.now()`. */
  receivedAt: number;
  status: number;
  ok: boolean;
  error: string | undefined;
  response: Json;
}

export interface RecordedResponse {
  kind: 'response';
  id: string;
  /** Posted to the response_url, or the body of the command's acknowledgement (`commandAnswered`). */
  via: 'response_url' | 'ack';
  body: Json;
  at: number;
  status: number;
  ok: boolean;
  error: string | undefined;
}

export type Recorded = RecordedCall | RecordedResponse;

/** The app's HTTP answer to a slash command, as Slack reads it. */
export interface CommandAnswer {
  status: number;
  contentType: string | null;
  text: string;
}

/** Name to use with `failNext` to fail `response_url` posts. */
export const RESPONSE_URL = 'response_url';

/** The `method` recorded for a POST of file bytes to an upload URL (and the name for `failNext`). */
export const FILE_UPLOAD = 'file_upload';

/**
 * One run of a Workflow Builder custom step, as Slack starts it with `function_executed`
 * (https://docs.slack.dev/reference/events/function_executed/).
 */
export interface FakeFunctionExecution {
  /** `Fx…`: the event's `function_execution_id`. */
  id: string;
  /** The event's `bot_access_token`: only it may complete this run. */
  token: string;
  tokenInfo: TokenInfo;
  /** The outputs the function's definition marks `is_required`. */
  requiredOutputs: readonly string[];
}

/** How a run ended, as functions.completeSuccess / functions.completeError set it. */
export type FunctionOutcome =
  | { state: 'running' }
  | { state: 'completed'; outputs: Json }
  | { state: 'failed'; error: string };

export interface FakeSlackOptions {
  /** Clock used for rate limits, timestamps and `at` (epoch ms). */
  now?: () => number;
  /** When set, oauth.v2.access checks them (`invalid_client_id`, `bad_client_secret`). */
  clientId?: string;
  clientSecret?: string;
}

export interface FakeSlack {
  readonly baseUrl: string;
  /** 'http://127.0.0.1:PORT/api/', for WebClient's `slackApiUrl`. */
  readonly apiUrl: string;
  readonly calls: readonly RecordedCall[];
  readonly responses: readonly RecordedResponse[];
  /** A response_url on the fake; each accepts 5 posts, like Slack's (then `used_url`). */
  responseUrl(id?: string): string;
  addToken(token: string, info: TokenInfo): void;
  revokeToken(token: string): void;
  addUser(user: FakeUser): void;
  addChannel(channel: FakeChannel): void;
  addMessage(message: FakeMessage): void;
  addOAuthCode(code: string, response: OAuthV2AccessResponse): void;
  /** Makes a workspace part of an Enterprise Grid org: the org's org-wide token works in it. */
  addWorkspaceToOrg(teamId: string, enterpriseId: string): void;
  /** Starts a run of a custom step: its token works and it may be completed once. */
  addFunctionExecution(execution: FakeFunctionExecution): void;
  functionOutcome(id: string): FunctionOutcome | undefined;
  failNext(method: string, spec?: FailureSpec): void;
  setRateLimit(method: string, limit: { perSecond: number }): void;
  /** chat.postMessage into any one channel (a DM too), as Slack limits it: about one a second. */
  setChannelRateLimit(limit: { perSecond: number }): void;
  /** A completed file can be shown by an `image` block only after this long (Slack processes it). */
  setFileProcessing(ms: number): void;
  /**
   * After `count` more successful calls of `method`, later ones still take effect but their answers
   * are withheld until `close()`: the caller sees a request in flight, as when it dies mid-call.
   */
  holdAnswersAfter(method: string, count: number): void;
  /**
   * What an app answered Slack's POST of a slash command whose response_url is `responseUrl`. A body
   * is the command's first reply, shown to the person as if posted to the response_url ("Responding
   * to commands", https://docs.slack.dev/interactivity/implementing-slash-commands/#responding_to_commands):
   * it gets the same checks as a response_url post and is recorded as that id's response. An empty
   * 200 is a bare acknowledgement and records nothing. Throws, after recording it, when Slack would
   * refuse the body: the person would see an error instead of the reply.
   */
  commandAnswered(responseUrl: string, answer: CommandAnswer): RecordedResponse | undefined;
  /** A channel's (or DM's) messages, oldest first. */
  messagesIn(channel: string): FakeMessage[];
  /** The id of the bot's DM with a user (`D…`), as chat.postMessage to the user reports it. */
  dmChannelOf(userId: string): string;
  file(id: string): FakeFile | undefined;
  callsTo(method: string): RecordedCall[];
  waitFor<T extends Recorded>(predicate: (entry: Recorded) => entry is T, timeoutMs?: number): Promise<T>;
  waitFor(predicate: (entry: Recorded) => boolean, timeoutMs?: number): Promise<Recorded>;
  reset(): void;
  close(): Promise<void>;
}

export const isCallTo =
  (method: string) =>
  (entry: Recorded): entry is RecordedCall =>
    entry.kind === 'call' && entry.method === method;

export const isResponse = (entry: Recorded): entry is RecordedResponse => entry.kind === 'response';

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = new FakeSlackServer(opts);
  await fake.listen();
  return fake;
}

// ---------------------------------------------------------------------------------------------------------------------
// Limits (Slack's documented Block Kit and message limits)
// ---------------------------------------------------------------------------------------------------------------------

export const LIMITS = {
  messageText: 40_000,
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  url: 3000,
  altText: 2000,
  imageTitle: 2000,
  inputLabel: 2000,
  markdownText: 12_000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  selectOptions: 100,
  overflowOptions: 5,
  choiceOptions: 10,
  privateMetadata: 3000,
  /** A plain-text input's `min_length` and `max_length`. */
  textInputLength: 3000,
  callbackId: 255,
  responseUrlUses: 5,
} as const;

// ---------------------------------------------------------------------------------------------------------------------
// Errors and small helpers
// ---------------------------------------------------------------------------------------------------------------------

/** A Slack-level refusal: `{ ok: false, error: code, ...extra }`. */
class SlackApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Json = {},
    readonly status = 200,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }
}

const errorMessages = (reasons: readonly string[]): Json => ({
  response_metadata: { messages: reasons.map((reason) => `[ERROR] ${reason}`) },
});

const invalidArguments = (...reasons: string[]): SlackApiError =>
  new SlackApiError('invalid_arguments', errorMessages(reasons));

const invalidBlocks = (reasons: readonly string[]): SlackApiError =>
  new SlackApiError('invalid_blocks', { errors: reasons, ...errorMessages(reasons) });

const rateLimited = (retryAfter: number, error = 'ratelimited'): SlackApiError =>
  new SlackApiError(error, {}, 429, { 'retry-after': String(retryAfter) });

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string argument; '' counts as absent. JSON bodies must send strings (form bodies always do). */
function stringArg(args: Json, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidArguments(`must provide a string [json-pointer:/${name}]`);
  return value;
}

function booleanArg(args: Json, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  throw invalidArguments(`must provide a boolean [json-pointer:/${name}]`);
}

const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata', 'files', 'outputs'] as const;

/** Form bodies carry nested arguments as JSON strings (that is how @slack/web-api sends them): decode them. */
function decodeJsonFields(args: Json): Json {
  const decoded: Json = { ...args };
  for (const field of JSON_FIELDS) {
    const value = decoded[field];
    if (typeof value !== 'string') continue;
    try {
      decoded[field] = JSON.parse(value);
    } catch {
      // left as a string: the method handler reports the format error
    }
  }
  return decoded;
}

// ---------------------------------------------------------------------------------------------------------------------
// Block Kit validation, shared by messages, response_url and views
// ---------------------------------------------------------------------------------------------------------------------

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

const ELEMENT_TYPES = new Set([
  'button',
  'channels_select',
  'checkboxes',
  'conversations_select',
  'datepicker',
  'datetimepicker',
  'email_text_input',
  'external_select',
  'file_input',
  'image',
  'multi_channels_select',
  'multi_conversations_select',
  'multi_external_select',
  'multi_static_select',
  'multi_users_select',
  'number_input',
  'overflow',
  'plain_text_input',
  'radio_buttons',
  'rich_text_input',
  'static_select',
  'timepicker',
  'url_text_input',
  'users_select',
  'workflow_button',
]);

const TEXT_OBJECT_KEYS: Record<string, readonly string[]> = {
  plain_text: ['type', 'text', 'emoji'],
  mrkdwn: ['type', 'text', 'verbatim'],
};

interface TextRule {
  max: number;
  plainOnly?: boolean;
  required?: boolean;
}

/** Collects Slack-style reasons, e.g. `must be less than 3001 characters [json-pointer:/blocks/0/text/text]`. */
class BlockKitValidator {
  readonly reasons: string[] = [];
  private readonly blockIds = new Set<string>();
  private readonly actionIds = new Set<string>();

  blocks(value: unknown, pointer: string, maxBlocks: number): readonly string[] {
    if (this.array(value, pointer, { max: maxBlocks })) {
      value.forEach((block, index) => {
        this.block(block, `${pointer}/${index}`);
      });
    }
    return this.reasons;
  }

  homeView(view: Json): readonly string[] {
    const at = '/view';
    this.enumField(view, 'type', at, ['home'], true);
    this.string(view, 'private_metadata', at, LIMITS.privateMetadata);
    this.string(view, 'callback_id', at, LIMITS.callbackId);
    this.string(view, 'external_id', at, LIMITS.callbackId);
    if (this.present(view, 'blocks', at, true)) this.blocks(view.blocks, `${at}/blocks`, LIMITS.viewBlocks);
    return this.reasons;
  }

  private fail(pointer: string, reason: string): void {
    this.reasons.push(`${reason} [json-pointer:${pointer}]`);
  }

  /** The one length check: characters for strings, items for arrays (Slack's wording for each). */
  private withinLimit(pointer: string, value: string | readonly unknown[], max: number, min = 0): void {
    const isText = typeof value === 'string';
    if (value.length > max) {
      this.fail(pointer, isText ? `must be less than ${max + 1} characters` : `no more than ${max} items allowed`);
    } else if (value.length < min) {
      this.fail(pointer, isText ? `must be more than ${min - 1} characters` : `must have at least ${min} items`);
    }
  }

  private present(parent: Json, key: string, at: string, required: boolean): boolean {
    if (parent[key] !== undefined) return true;
    if (required) this.fail(at, `missing required field: ${key}`);
    return false;
  }

  private object(value: unknown, pointer: string): value is Json {
    if (isRecord(value)) return true;
    this.fail(pointer, 'must provide an object');
    return false;
  }

  private array(value: unknown, pointer: string, limit: { max: number; min?: number }): value is unknown[] {
    if (!Array.isArray(value)) {
      this.fail(pointer, 'must provide an array');
      return false;
    }
    this.withinLimit(pointer, value, limit.max, limit.min);
    return true;
  }

  private string(parent: Json, key: string, at: string, max: number, required = false): string | undefined {
    if (!this.present(parent, key, at, required)) return undefined;
    const value = parent[key];
    const pointer = `${at}/${key}`;
    if (typeof value !== 'string') {
      this.fail(pointer, 'must provide a string');
      return undefined;
    }
    this.withinLimit(pointer, value, max, required ? 1 : 0);
    return value;
  }

  private arrayField(parent: Json, key: string, at: string, limit: { max: number; min?: number }): unknown[] {
    if (!this.present(parent, key, at, (limit.min ?? 0) > 0)) return [];
    const value = parent[key];
    return this.array(value, `${at}/${key}`, limit) ? value : [];
  }

  private enumField(parent: Json, key: string, at: string, allowed: readonly string[], required = false): void {
    if (!this.present(parent, key, at, required)) return;
    const value = parent[key];
    if (typeof value !== 'string' || !allowed.includes(value)) this.fail(`${at}/${key}`, 'must be a valid enum value');
  }

  private textField(parent: Json, key: string, at: string, rule: TextRule): void {
    if (this.present(parent, key, at, rule.required ?? false)) this.textObject(parent[key], `${at}/${key}`, rule);
  }

  private textObject(value: unknown, pointer: string, rule: TextRule): void {
    if (!this.object(value, pointer)) return;
    const allowedTypes = rule.plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    const type = value.type;
    if (typeof type !== 'string' || !allowedTypes.includes(type)) {
      this.fail(`${pointer}/type`, 'must be a valid enum value');
      return;
    }
    for (const key of Object.keys(value)) {
      if (!TEXT_OBJECT_KEYS[type]?.includes(key)) this.fail(pointer, `invalid additional property: ${key}`);
    }
    this.string(value, 'text', pointer, rule.max, true);
  }

  private block(value: unknown, at: string): void {
    if (!this.object(value, at)) return;
    const type = this.string(value, 'type', at, 64, true);
    this.uniqueId(this.string(value, 'block_id', at, LIMITS.blockId), this.blockIds, `${at}/block_id`, 'block_id');
    if (type === undefined) return;
    if (!BLOCK_TYPES.has(type)) {
      this.fail(`${at}/type`, `unsupported type: ${type}`);
      return;
    }
    this.blockBody(type, value, at);
  }

  private blockBody(type: string, block: Json, at: string): void {
    switch (type) {
      case 'section':
        return this.section(block, at);
      case 'header':
        return this.textField(block, 'text', at, { max: LIMITS.headerText, plainOnly: true, required: true });
      case 'context':
        return this.arrayField(block, 'elements', at, { max: LIMITS.contextElements, min: 1 }).forEach((el, i) => {
          this.contextElement(el, `${at}/elements/${i}`);
        });
      case 'actions':
        return this.arrayField(block, 'elements', at, { max: LIMITS.actionsElements, min: 1 }).forEach((el, i) => {
          this.element(el, `${at}/elements/${i}`);
        });
      case 'image':
        this.image(block, at);
        return this.textField(block, 'title', at, { max: LIMITS.imageTitle, plainOnly: true });
      case 'input':
        this.textField(block, 'label', at, { max: LIMITS.inputLabel, plainOnly: true, required: true });
        this.textField(block, 'hint', at, { max: LIMITS.inputLabel, plainOnly: true });
        if (this.present(block, 'element', at, true)) this.element(block.element, `${at}/element`);
        return;
      case 'markdown':
        this.string(block, 'text', at, LIMITS.markdownText, true);
        return;
      case 'rich_text':
        this.arrayField(block, 'elements', at, { max: Number.POSITIVE_INFINITY, min: 1 });
        return;
      default:
        return;
    }
  }

  private section(block: Json, at: string): void {
    if (block.text === undefined && block.fields === undefined) this.fail(at, 'must provide either text or fields');
    this.textField(block, 'text', at, { max: LIMITS.sectionText });
    this.arrayField(block, 'fields', at, { max: LIMITS.sectionFields }).forEach((field, i) => {
      this.textObject(field, `${at}/fields/${i}`, { max: LIMITS.sectionFieldText });
    });
    if (block.accessory !== undefined) this.element(block.accessory, `${at}/accessory`);
  }

  private contextElement(value: unknown, at: string): void {
    if (isRecord(value) && value.type === 'image') this.image(value, at);
    else this.textObject(value, at, { max: Number.POSITIVE_INFINITY });
  }

  /** Image blocks and image elements: an `image_url` (or `slack_file`) and `alt_text`. */
  private image(image: Json, at: string): void {
    if (image.slack_file === undefined) this.string(image, 'image_url', at, LIMITS.url, true);
    this.string(image, 'alt_text', at, LIMITS.altText, true);
  }

  private element(value: unknown, at: string): void {
    if (!this.object(value, at)) return;
    const type = this.string(value, 'type', at, 64, true);
    if (type !== undefined && !ELEMENT_TYPES.has(type)) this.fail(`${at}/type`, `unsupported type: ${type}`);
    this.uniqueId(this.string(value, 'action_id', at, LIMITS.actionId), this.actionIds, `${at}/action_id`, 'action_id');
    this.elementBody(type, value, at);
  }

  private elementBody(type: string | undefined, element: Json, at: string): void {
    switch (type) {
      case 'button':
        this.textField(element, 'text', at, { max: LIMITS.buttonText, plainOnly: true, required: true });
        this.string(element, 'value', at, LIMITS.buttonValue);
        this.string(element, 'url', at, LIMITS.url);
        return this.enumField(element, 'style', at, ['primary', 'danger']);
      case 'image':
        return this.image(element, at);
      case 'static_select':
      case 'multi_static_select':
        this.textField(element, 'placeholder', at, { max: LIMITS.placeholder, plainOnly: true });
        this.options(element, at, LIMITS.selectOptions, true);
        return this.initialOption(element, at);
      // https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element
      case 'plain_text_input':
        this.textField(element, 'placeholder', at, { max: LIMITS.placeholder, plainOnly: true });
        this.string(element, 'initial_value', at, Number.POSITIVE_INFINITY);
        this.integer(element, 'min_length', at, 0, LIMITS.textInputLength);
        return this.integer(element, 'max_length', at, 1, LIMITS.textInputLength);
      // https://docs.slack.dev/reference/block-kit/block-elements/date-picker-element
      case 'datepicker':
        this.textField(element, 'placeholder', at, { max: LIMITS.placeholder, plainOnly: true });
        if (element.initial_date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(element.initial_date))) {
          this.fail(`${at}/initial_date`, 'must match format YYYY-MM-DD');
        }
        return;
      case 'overflow':
        return this.options(element, at, LIMITS.overflowOptions, true);
      case 'radio_buttons':
      case 'checkboxes':
        return this.options(element, at, LIMITS.choiceOptions, false);
      default:
        return;
    }
  }

  private options(element: Json, at: string, maxOptions: number, plainOnly: boolean): void {
    const limit = { max: maxOptions, min: element.option_groups === undefined ? 1 : 0 };
    this.arrayField(element, 'options', at, limit).forEach((option, i) => {
      const pointer = `${at}/options/${i}`;
      if (!this.object(option, pointer)) return;
      this.textField(option, 'text', pointer, { max: LIMITS.optionText, plainOnly, required: true });
      this.string(option, 'value', pointer, LIMITS.optionValue, true);
    });
  }

  /** A select's `initial_option` must be exactly one of its `options`. */
  private initialOption(element: Json, at: string): void {
    const initial = element.initial_option;
    if (initial === undefined) return;
    const options = Array.isArray(element.options) ? element.options : [];
    if (!options.some((option) => JSON.stringify(option) === JSON.stringify(initial))) {
      this.fail(`${at}/initial_option`, 'must exactly match one of the provided options');
    }
  }

  private integer(parent: Json, key: string, at: string, min: number, max: number): void {
    const value = parent[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(`${at}/${key}`, `must be an integer between ${min} and ${max}`);
    }
  }

  private uniqueId(id: string | undefined, seen: Set<string>, pointer: string, label: string): void {
    if (id === undefined) return;
    if (seen.has(id)) this.fail(pointer, `duplicate ${label}: ${id}`);
    seen.add(id);
  }
}

/** Slack-style reasons why `blocks` would be refused (empty when valid); `pointer` is '/blocks' for messages. */
export function validateBlocks(blocks: unknown, pointer: string, maxBlocks: number): readonly string[] {
  return new BlockKitValidator().blocks(blocks, pointer, maxBlocks);
}

interface MessageContent {
  text: string | undefined;
  blocks: unknown[] | undefined;
}

/** The checks Slack applies to every message body (chat.* and response_url). */
function checkMessage(args: Json): MessageContent {
  const text = stringArg(args, 'text');
  const { blocks, attachments } = args;
  if (blocks !== undefined && !Array.isArray(blocks)) throw new SlackApiError('invalid_blocks_format');
  if (attachments !== undefined && !Array.isArray(attachments)) throw new SlackApiError('invalid_attachments');
  if (text === undefined && !blocks?.length && !attachments?.length) throw new SlackApiError('no_text');
  if (text !== undefined && text.length > LIMITS.messageText) throw new SlackApiError('msg_too_long');
  if (blocks !== undefined) {
    const reasons = validateBlocks(blocks, '/blocks', LIMITS.messageBlocks);
    if (reasons.length > 0) throw invalidBlocks(reasons);
  }
  return { text, blocks };
}

// ---------------------------------------------------------------------------------------------------------------------
// Modals: views.open and views.update
// ---------------------------------------------------------------------------------------------------------------------

/** Slack's limits on a modal's title, submit and close buttons. */
const MODAL_BUTTON_TEXT = 24;
/** A trigger id opens one view, within three seconds of the interaction that issued it. */
const TRIGGER_TTL_MS = 3000;
/** Trigger ids as Slack issues them, `<epoch seconds>.<number>.<hex>` (see `newTriggerId` in slack-signing.ts). */
const TRIGGER_ID = /^(\d{9,11})\.\d+\.[0-9a-z]+$/;

/** Slack-style reasons why a modal `view` would be refused (empty when valid). */
export function validateModal(view: Json): readonly string[] {
  const reasons: string[] = [];
  const fail = (pointer: string, reason: string) => reasons.push(`${reason} [json-pointer:/view${pointer}]`);
  if (view.type !== 'modal') fail('/type', 'must be a valid enum value');
  const button = (key: string, required: boolean) => {
    const value = view[key];
    if (value === undefined) {
      if (required) fail('', `missing required field: ${key}`);
      return;
    }
    if (!isRecord(value) || value.type !== 'plain_text' || typeof value.text !== 'string') {
      fail(`/${key}`, 'must provide a plain_text object');
    } else if (value.text.length > MODAL_BUTTON_TEXT || value.text.length === 0) {
      fail(`/${key}/text`, `must be between 1 and ${MODAL_BUTTON_TEXT} characters`);
    }
  };
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  button('title', true);
  // A modal with inputs cannot be submitted without a submit button.
  button(
    'submit',
    blocks.some((b) => isRecord(b) && b.type === 'input'),
  );
  button('close', false);
  for (const [key, max] of [
    ['private_metadata', LIMITS.privateMetadata],
    ['callback_id', LIMITS.callbackId],
    ['external_id', LIMITS.callbackId],
  ] as const) {
    const value = view[key];
    if (value !== undefined && (typeof value !== 'string' || value.length > max)) {
      fail(`/${key}`, `must be a string of at most ${max} characters`);
    }
  }
  if (view.blocks === undefined) fail('', 'missing required field: blocks');
  else reasons.push(...validateBlocks(view.blocks, '/view/blocks', LIMITS.viewBlocks));
  return reasons;
}

/** Open modals and the trigger ids spent on them. */
class ModalViews {
  private readonly views = new Map<string, { view: Json; hash: string; teamId: string }>();
  private readonly usedTriggers = new Set<string>();
  private sequence = 0;

  open({ args, auth }: ApiCall, now: number): Json {
    const trigger = stringArg(args, 'trigger_id') ?? stringArg(args, 'interactivity_pointer');
    if (trigger === undefined) throw invalidArguments('missing required field: trigger_id');
    const issued = TRIGGER_ID.exec(trigger)?.[1];
    if (issued === undefined) throw new SlackApiError('invalid_trigger_id');
    if (this.usedTriggers.has(trigger)) throw new SlackApiError('exchanged_trigger_id');
    // Stamped in whole seconds: the trigger lived until three seconds after the end of that second at most.
    if (now >= (Number(issued) + 1) * 1000 + TRIGGER_TTL_MS) throw new SlackApiError('expired_trigger_id');
    const view = this.checked(args);
    this.usedTriggers.add(trigger);
    return { view: this.store(`V${String(++this.sequence).padStart(10, '0')}`, view, auth, now) };
  }

  update({ args, auth }: ApiCall, now: number): Json {
    const viewId = stringArg(args, 'view_id');
    const externalId = stringArg(args, 'external_id');
    if (viewId === undefined && externalId === undefined) throw invalidArguments('missing required field: view_id');
    const id =
      viewId ?? [...this.views].find(([, v]) => v.teamId === auth.teamId && v.view.external_id === externalId)?.[0];
    const current = id === undefined ? undefined : this.views.get(id);
    if (id === undefined || current === undefined || current.teamId !== auth.teamId)
      throw new SlackApiError('not_found');
    const hash = stringArg(args, 'hash');
    if (hash !== undefined && hash !== current.hash) throw new SlackApiError('hash_conflict');
    return { view: this.store(id, this.checked(args), auth, now) };
  }

  private checked(args: Json): Json {
    const view = args.view;
    if (!isRecord(view)) throw invalidArguments('must provide an object [json-pointer:/view]');
    const reasons = validateModal(view);
    if (reasons.length > 0) throw invalidArguments(...reasons);
    return view;
  }

  private store(id: string, view: Json, auth: TokenState, now: number): Json {
    const hash = `${Math.floor(now / 1000)}.${++this.sequence}`;
    this.views.set(id, { view, hash, teamId: auth.teamId });
    return {
      ...view,
      id,
      team_id: auth.teamId,
      state: { values: {} },
      hash,
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      root_view_id: id,
      app_id: FAKE_APP_ID,
      bot_id: auth.botId ?? null,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------------------------------

const DEFAULT_TZ = 'America/New_York';

function timeZoneName(tz: string, style: 'long' | 'longOffset', at: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: style }).formatToParts(at);
  return parts.find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** Seconds east of UTC at `at`, as Slack's `tz_offset`. */
function tzOffsetSeconds(tz: string, at: Date): number {
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(timeZoneName(tz, 'longOffset', at));
  if (!match) return 0;
  const [, sign, hours, minutes] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 3600 + Number(minutes) * 60);
}

function userPayload(user: FakeUser, nowMs: number): Json {
  const at = new Date(nowMs);
  const tz = user.tz ?? DEFAULT_TZ;
  const name = user.name ?? user.id.toLowerCase();
  const realName = user.realName ?? name;
  const displayName = user.displayName ?? name;
  const [firstName = '', ...rest] = realName.split(' ');
  return {
    id: user.id,
    team_id: user.teamId,
    name,
    deleted: user.deleted ?? false,
    color: '9f69e7',
    real_name: realName,
    tz,
    tz_label: timeZoneName(tz, 'long', at),
    tz_offset: tzOffsetSeconds(tz, at),
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: realName,
      real_name_normalized: realName,
      display_name: displayName,
      display_name_normalized: displayName,
      first_name: firstName,
      last_name: rest.join(' '),
      status_text: '',
      status_emoji: '',
      avatar_hash: 'g0000000000',
      ...(user.email === undefined ? {} : { email: user.email }),
      image_24: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=24`,
      image_72: `https://secure.gravatar.com/avatar/${user.id}.jpg?s=72`,
      team: user.teamId,
    },
    is_admin: user.isAdmin ?? false,
    is_owner: user.isOwner ?? false,
    is_primary_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    is_bot: user.isBot ?? false,
    is_app_user: false,
    updated: Math.floor(nowMs / 1000),
    is_email_confirmed: user.email !== undefined,
    who_can_share_contact_card: 'EVERYONE',
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Request plumbing
// ---------------------------------------------------------------------------------------------------------------------

interface Outcome {
  status: number;
  body: Json;
  headers?: Record<string, string>;
}

type ParsedBody = { kind: 'form' | 'json' | 'empty'; args: Json } | { kind: 'invalid'; error: string };

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string | undefined, text: string): ParsedBody {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === undefined || type === '') {
    return text === '' ? { kind: 'empty', args: {} } : { kind: 'invalid', error: 'missing_post_type' };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { kind: 'form', args: Object.fromEntries(new URLSearchParams(text)) };
  }
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(text);
      return isRecord(parsed) ? { kind: 'json', args: parsed } : { kind: 'invalid', error: 'invalid_json' };
    } catch {
      return { kind: 'invalid', error: 'invalid_json' };
    }
  }
  return { kind: 'invalid', error: 'invalid_post_type' };
}

/** Slack takes the token from `Authorization: Bearer`, or from a `token` field of form bodies (never JSON bodies). */
function tokenOf(req: IncomingMessage, body: ParsedBody): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer !== undefined) return bearer;
  if (body.kind !== 'form') return undefined;
  const token = body.args.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

function withoutToken(args: Json): Json {
  const { token: _token, ...rest } = args;
  return rest;
}

function outcomeOf(error: SlackApiError): Outcome {
  return { status: error.status, body: { ok: false, error: error.code, ...error.extra }, headers: error.headers };
}

function send(res: ServerResponse, outcome: Outcome): void {
  const body = JSON.stringify(outcome.body);
  res.writeHead(outcome.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...outcome.headers,
  });
  res.end(body);
}

function injectedFailure(spec: FailureSpec, defaultStatus: number): SlackApiError {
  const status = spec.status ?? (spec.retryAfter !== undefined ? 429 : defaultStatus);
  if (status === 429) return rateLimited(spec.retryAfter ?? 1, spec.error);
  return new SlackApiError(spec.error ?? 'internal_error', {}, status);
}

class SlidingWindow {
  private hits: number[] = [];

  constructor(private readonly perSecond: number) {}

  /** Seconds to wait when the window is full; undefined (and the hit is counted) otherwise. */
  take(now: number): number | undefined {
    this.hits = this.hits.filter((hit) => hit > now - 1000);
    const oldest = this.hits[0];
    if (oldest !== undefined && this.hits.length >= this.perSecond) {
      return Math.max(1, Math.ceil((oldest + 1000 - now) / 1000));
    }
    this.hits.push(now);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------------------------

interface TokenState extends TokenInfo {
  revoked: boolean;
}

interface ChannelState {
  id: string;
  teamId: string;
  name: string;
  members: readonly string[];
  archived: boolean;
  botIsMember: boolean;
  isPrivate: boolean;
  isIm: boolean;
}

interface ApiCall {
  args: Json;
  auth: TokenState;
}

interface MethodSpec {
  /** Any one of these scopes suffices. */
  scopes?: readonly string[];
  handle: (call: ApiCall) => Json;
}

const CONVERSATION_READ_SCOPES = ['channels:read', 'groups:read', 'im:read', 'mpim:read'];
const HISTORY_SCOPES = ['channels:history', 'groups:history', 'im:history', 'mpim:history'];
const HISTORY_MAX = 999;
const USER_ID = /^[UW][A-Z0-9]+$/;
const FAKE_APP_ID = 'A0FAKEAPP';
/** Slack's rotated access tokens last 12 hours. */
const ROTATED_TOKEN_SECONDS = 12 * 60 * 60;

class FakeSlackServer implements FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  baseUrl = '';
  apiUrl = '';

  private readonly server: Server;
  private readonly events = new EventEmitter();
  private readonly now: () => number;
  private readonly tokens = new Map<string, TokenState>();
  private readonly users = new Map<string, FakeUser>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly messages = new Map<string, FakeMessage>();
  private readonly homeViews = new Map<string, string>();
  private readonly oauthCodes = new Map<string, OAuthV2AccessResponse>();
  /** Unspent refresh tokens and the installation each renews; spending one revokes it, as Slack does. */
  private readonly refreshTokens = new Map<string, OAuthV2AccessResponse>();
  private readonly failures = new Map<string, { spec: FailureSpec; remaining: number }[]>();
  private readonly rateLimits = new Map<string, SlidingWindow>();
  private channelRateLimit: { perSecond: number } | undefined;
  private readonly channelWindows = new Map<string, SlidingWindow>();
  private readonly files = new Map<string, FakeFile>();
  private fileProcessingMs = 0;
  private readonly holds = new Map<string, number>();
  private readonly responseUrlUses = new Map<string, number>();
  private sequence = 0;

  private readonly methods: Record<string, MethodSpec | undefined> = {
    'auth.test': { handle: (call) => this.authTest(call) },
    'users.info': { scopes: ['users:read'], handle: (call) => this.usersInfo(call) },
    'users.lookupByEmail': { scopes: ['users:read.email'], handle: (call) => this.usersLookupByEmail(call) },
    'chat.postMessage': { scopes: ['chat:write'], handle: (call) => this.chatPostMessage(call) },
    'chat.postEphemeral': { scopes: ['chat:write'], handle: (call) => this.chatPostEphemeral(call) },
    'chat.update': { scopes: ['chat:write'], handle: (call) => this.chatUpdate(call) },
    // https://docs.slack.dev/reference/methods/chat.getPermalink: no scope required.
    'chat.getPermalink': { handle: (call) => this.chatGetPermalink(call) },
    'views.publish': { handle: (call) => this.viewsPublish(call) },
    'conversations.members': { scopes: CONVERSATION_READ_SCOPES, handle: (call) => this.conversationsMembers(call) },
    'conversations.info': { scopes: CONVERSATION_READ_SCOPES, handle: (call) => this.conversationsInfo(call) },
    'views.open': { handle: (call) => this.modals.open(call, this.now()) },
    'views.update': { handle: (call) => this.modals.update(call, this.now()) },
    'conversations.history': { scopes: HISTORY_SCOPES, handle: (call) => this.conversationsHistory(call) },
    'conversations.open': { scopes: ['im:write'], handle: (call) => this.conversationsOpen(call) },
    'files.getUploadURLExternal': { scopes: ['files:write'], handle: (call) => this.filesGetUploadURLExternal(call) },
    'files.completeUploadExternal': {
      scopes: ['files:write'],
      handle: (call) => this.filesCompleteUploadExternal(call),
    },
    // https://docs.slack.dev/reference/methods/functions.completeSuccess/ (no scope needed)
    'functions.completeSuccess': { handle: (call) => this.completeFunction(call, 'success') },
    // https://docs.slack.dev/reference/methods/functions.completeError/
    'functions.completeError': { handle: (call) => this.completeFunction(call, 'error') },
  };
  private readonly orgOf = new Map<string, string>();
  private readonly executions = new Map<string, { execution: FakeFunctionExecution; outcome: FunctionOutcome }>();
  private readonly modals = new ModalViews();

  constructor(private readonly opts: FakeSlackOptions) {
    this.now = opts.now ?? Date.now;
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        send(res, { status: 500, body: { ok: false, error: 'fatal_error', detail: String(error) } });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
  }

  // --- registries -----------------------------------------------------------------------------------------------------

  responseUrl(id = `r${++this.sequence}`): string {
    return `${this.baseUrl}/response/${encodeURIComponent(id)}`;
  }

  addToken(token: string, info: TokenInfo): void {
    this.tokens.set(token, { ...info, revoked: false });
  }

  revokeToken(token: string): void {
    const state = this.tokens.get(token);
    if (state === undefined) throw new Error(`revokeToken: unknown token ${token}`);
    state.revoked = true;
  }

  addUser(user: FakeUser): void {
    if (user.tz !== undefined) timeZoneName(user.tz, 'long', new Date()); // throws RangeError for unknown zones
    this.users.set(user.id, user);
  }

  addChannel(channel: FakeChannel): void {
    this.channels.set(channel.id, {
      id: channel.id,
      teamId: channel.teamId,
      name: channel.name ?? channel.id.toLowerCase(),
      members: channel.members,
      archived: channel.archived ?? false,
      botIsMember: channel.botIsMember ?? true,
      isPrivate: channel.isPrivate ?? false,
      isIm: false,
    });
  }

  addMessage(message: FakeMessage): void {
    this.messages.set(`${message.channel}:${message.ts}`, message);
  }

  addOAuthCode(code: string, response: OAuthV2AccessResponse): void {
    this.oauthCodes.set(code, response);
  }

  addWorkspaceToOrg(teamId: string, enterpriseId: string): void {
    this.orgOf.set(teamId, enterpriseId);
  }

  addFunctionExecution(execution: FakeFunctionExecution): void {
    this.addToken(execution.token, execution.tokenInfo);
    this.executions.set(execution.id, { execution, outcome: { state: 'running' } });
  }

  functionOutcome(id: string): FunctionOutcome | undefined {
    return this.executions.get(id)?.outcome;
  }

  // --- failure injection and recording --------------------------------------------------------------------------------

  failNext(method: string, spec: FailureSpec = {}): void {
    const queue = this.failures.get(method) ?? [];
    queue.push({ spec, remaining: spec.times ?? 1 });
    this.failures.set(method, queue);
  }

  setRateLimit(method: string, limit: { perSecond: number }): void {
    this.rateLimits.set(method, new SlidingWindow(limit.perSecond));
  }

  setChannelRateLimit(limit: { perSecond: number }): void {
    this.channelRateLimit = limit;
    this.channelWindows.clear();
  }

  holdAnswersAfter(method: string, count: number): void {
    this.holds.set(method, count);
  }

  setFileProcessing(ms: number): void {
    this.fileProcessingMs = ms;
  }

  messagesIn(channel: string): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel).sort((a, b) => compareTs(a.ts, b.ts));
  }

  dmChannelOf(userId: string): string {
    return `D${userId.slice(1)}`;
  }

  file(id: string): FakeFile | undefined {
    return this.files.get(id);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  waitFor<T extends Recorded>(predicate: (entry: Recorded) => entry is T, timeoutMs?: number): Promise<T>;
  waitFor(predicate: (entry: Recorded) => boolean, timeoutMs?: number): Promise<Recorded>;
  waitFor(predicate: (entry: Recorded) => boolean, timeoutMs = 5000): Promise<Recorded> {
    const existing = [...this.calls, ...this.responses].find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const onRecord = (entry: Recorded): void => {
        if (!predicate(entry)) return;
        clearTimeout(timer);
        this.events.off('record', onRecord);
        resolve(entry);
      };
      const timer = setTimeout(() => {
        this.events.off('record', onRecord);
        reject(new Error(`fake-slack waitFor timed out after ${timeoutMs}ms; recorded: ${this.summary()}`));
      }, timeoutMs);
      this.events.on('record', onRecord);
    });
  }

  reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.failures.clear();
    this.rateLimits.clear();
    this.channelRateLimit = undefined;
    this.channelWindows.clear();
    this.fileProcessingMs = 0;
    this.holds.clear();
    this.responseUrlUses.clear();
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  private summary(): string {
    const entries = [...this.calls, ...this.responses].map((entry) =>
      entry.kind === 'call'
        ? `${entry.method}(${entry.error ?? 'ok'})`
        : `response ${entry.id}(${entry.error ?? 'ok'})`,
    );
    return entries.length > 0 ? entries.join(', ') : 'nothing';
  }

  private record(entry: Recorded): void {
    if (entry.kind === 'call') this.calls.push(entry);
    else this.responses.push(entry);
    this.events.emit('record', entry);
  }

  private takeFailure(method: string): FailureSpec | undefined {
    const queue = this.failures.get(method);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) return undefined;
    next.remaining -= 1;
    if (next.remaining <= 0) queue.shift();
    return next.spec;
  }

  // --- routing --------------------------------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.baseUrl).pathname;
    const api = /^\/api\/([\w.]+)$/.exec(path);
    const response = /^\/response\/([^/]+)$/.exec(path);
    const upload = /^\/upload\/([^/]+)$/.exec(path);
    if (req.method !== 'POST') {
      send(res, { status: 405, body: { ok: false, error: 'method_not_allowed' } });
    } else if (upload?.[1] !== undefined) {
      send(res, await this.handleUpload(decodeURIComponent(upload[1]), req));
    } else if (api?.[1] !== undefined) {
      const outcome = await this.handleApi(api[1], req);
      if (!this.withheld(api[1], outcome)) send(res, outcome);
    } else if (response?.[1] !== undefined) {
      send(res, await this.handleResponseUrl(decodeURIComponent(response[1]), req));
    } else {
      send(res, { status: 404, body: { ok: false, error: 'not_found' } });
    }
  }

  /** Whether this answer is one to withhold (see `holdAnswersAfter`). */
  private withheld(method: string, outcome: Outcome): boolean {
    const left = this.holds.get(method);
    if (left === undefined || outcome.body.ok !== true) return false;
    if (left > 0) {
      this.holds.set(method, left - 1);
      return false;
    }
    return true;
  }

  private async handleApi(method: string, req: IncomingMessage): Promise<Outcome> {
    const at = this.now();
    const text = await readText(req);
    const receivedAt = performance.now();
    const body = parseBody(req.headers['content-type'], text);
    const token = tokenOf(req, body);
    const args = body.kind === 'invalid' ? {} : decodeJsonFields(withoutToken(body.args));
    const outcome = this.outcome(() => this.dispatch(method, body, args, token));
    this.recordCall({ method, args, token, at, receivedAt }, outcome, outcome.body.ok === true);
    return outcome;
  }

  /** Records an API call or an upload with what it was answered. */
  private recordCall(
    call: Pick<RecordedCall, 'method' | 'args' | 'token' | 'at' | 'receivedAt'>,
    outcome: Outcome,
    ok: boolean,
  ): void {
    const error = typeof outcome.body.error === 'string' ? outcome.body.error : undefined;
    this.record({ kind: 'call', ...call, status: outcome.status, ok, error, response: outcome.body });
  }

  private outcome(run: () => Outcome): Outcome {
    try {
      return run();
    } catch (error) {
      if (error instanceof SlackApiError) return outcomeOf(error);
      throw error;
    }
  }

  private dispatch(method: string, body: ParsedBody, args: Json, token: string | undefined): Outcome {
    const failure = this.takeFailure(method);
    if (failure !== undefined) throw injectedFailure(failure, 200);
    if (body.kind === 'invalid') throw new SlackApiError(body.error);
    if (method === 'oauth.v2.access') return { status: 200, body: { ok: true, ...this.oauthV2Access(args) } };
    const spec = this.methods[method];
    if (spec === undefined) throw new SlackApiError('unknown_method', { req_method: method });
    const auth = this.authenticate(token);
    this.checkScopes(auth, spec.scopes);
    this.checkRateLimit(method);
    const headers: Record<string, string> = auth.scopes ? { 'x-oauth-scopes': auth.scopes.join(',') } : {};
    return { status: 200, body: { ok: true, ...spec.handle({ args, auth }) }, headers };
  }

  private authenticate(token: string | undefined): TokenState {
    if (token === undefined) throw new SlackApiError('not_authed');
    const state = this.tokens.get(token);
    if (state === undefined) throw new SlackApiError('invalid_auth');
    if (state.revoked) throw new SlackApiError('token_revoked');
    if (state.expiresAt !== undefined && state.expiresAt <= this.now()) throw new SlackApiError('token_expired');
    return state;
  }

  private checkScopes(auth: TokenState, needed: readonly string[] | undefined): void {
    if (auth.scopes === undefined || needed === undefined) return;
    if (needed.some((scope) => auth.scopes?.includes(scope))) return;
    throw new SlackApiError('missing_scope', { needed: needed.join(','), provided: auth.scopes.join(',') });
  }

  private checkRateLimit(method: string): void {
    const retryAfter = this.rateLimits.get(method)?.take(this.now());
    if (retryAfter !== undefined) throw rateLimited(retryAfter);
  }

  // --- upload URLs ---------------------------------------------------------------------------------------------------

  /** The bytes of a file, POSTed once to the URL files.getUploadURLExternal gave; the length must match. */
  private async handleUpload(id: string, req: IncomingMessage): Promise<Outcome> {
    const at = this.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const bytes = Buffer.concat(chunks);
    const receivedAt = performance.now();
    const outcome = this.outcome(() => this.acceptUpload(id, bytes));
    const args = { file_id: id, length: bytes.length };
    this.recordCall({ method: FILE_UPLOAD, args, token: undefined, at, receivedAt }, outcome, outcome.status === 200);
    return outcome;
  }

  private acceptUpload(id: string, bytes: Buffer): Outcome {
    const failure = this.takeFailure(FILE_UPLOAD);
    if (failure !== undefined) throw injectedFailure(failure, 500);
    const file = this.files.get(id);
    if (file === undefined) throw new SlackApiError('file_not_found', {}, 404);
    if (file.bytes !== undefined) throw new SlackApiError('already_uploaded', {}, 400);
    if (bytes.length !== file.length) throw new SlackApiError('length_mismatch', {}, 400);
    file.bytes = bytes;
    return { status: 200, body: { ok: true } };
  }

  // --- response_url ---------------------------------------------------------------------------------------------------

  private async handleResponseUrl(id: string, req: IncomingMessage): Promise<Outcome> {
    const at = this.now();
    const parsed = parseBody(req.headers['content-type'], await readText(req));
    const body = parsed.kind === 'json' ? parsed.args : {};
    const outcome = this.outcome(() => this.acceptResponse(id, parsed));
    const error = typeof outcome.body.error === 'string' ? outcome.body.error : undefined;
    const ok = outcome.status === 200;
    this.record({ kind: 'response', id, via: 'response_url', body, at, status: outcome.status, ok, error });
    return outcome;
  }

  private acceptResponse(id: string, parsed: ParsedBody): Outcome {
    const failure = this.takeFailure(RESPONSE_URL);
    if (failure !== undefined) throw injectedFailure(failure, 500);
    if (parsed.kind !== 'json') throw new SlackApiError('invalid_payload', {}, 400);
    const uses = this.responseUrlUses.get(id) ?? 0;
    if (uses >= LIMITS.responseUrlUses) throw new SlackApiError('used_url', {}, 404);
    checkResponseMessage(parsed);
    this.responseUrlUses.set(id, uses + 1);
    return { status: 200, body: { ok: true } };
  }

  commandAnswered(responseUrl: string, answer: CommandAnswer): RecordedResponse | undefined {
    const id = /^\/response\/([^/]+)$/.exec(new URL(responseUrl).pathname)?.[1];
    if (!responseUrl.startsWith(this.baseUrl) || id === undefined) {
      throw new Error(`${responseUrl} is not a response_url of this fake`);
    }
    if (answer.status !== 200 || answer.text === '') return undefined;
    const at = this.now();
    const parsed = parseBody(answer.contentType ?? undefined, answer.text);
    // Not a post to the response_url: neither its injected failures nor its five uses apply.
    const outcome = this.outcome(() => {
      checkResponseMessage(parsed);
      return { status: 200, body: { ok: true } };
    });
    const error = typeof outcome.body.error === 'string' ? outcome.body.error : undefined;
    const body = parsed.kind === 'json' ? parsed.args : {};
    const entry: RecordedResponse = {
      kind: 'response',
      id: decodeURIComponent(id),
      via: 'ack',
      body,
      at,
      status: outcome.status,
      ok: outcome.status === 200,
      error,
    };
    this.record(entry);
    if (!entry.ok) {
      throw new Error(
        `Slack would refuse the answer in the acknowledgement (${error}): ${JSON.stringify(outcome.body)}`,
      );
    }
    return entry;
  }

  // --- methods --------------------------------------------------------------------------------------------------------

  /**
   * A run ends once: an unknown id is `function_execution_not_found`, another token `access_denied`,
   * a second completion `execution_not_in_running_state`, and outputs missing a required one
   * `parameter_validation_failed` (the errors Slack's method pages list).
   */
  private completeFunction({ args, auth }: ApiCall, how: 'success' | 'error'): Json {
    const id = stringArg(args, 'function_execution_id');
    if (id === undefined) throw invalidArguments('missing required field: function_execution_id');
    const run = this.executions.get(id);
    if (run === undefined) throw new SlackApiError('function_execution_not_found');
    if (this.tokens.get(run.execution.token) !== auth) throw new SlackApiError('access_denied');
    if (run.outcome.state !== 'running') throw new SlackApiError('execution_not_in_running_state');
    if (how === 'error') {
      const error = stringArg(args, 'error');
      if (error === undefined || error.trim() === '') throw invalidArguments('missing required field: error');
      run.outcome = { state: 'failed', error };
      return {};
    }
    const outputs = args.outputs;
    if (!isRecord(outputs)) throw invalidArguments('outputs must be an object');
    const missing = run.execution.requiredOutputs.filter(
      (name) => outputs[name] === undefined || outputs[name] === null,
    );
    if (missing.length > 0) {
      throw new SlackApiError(
        'parameter_validation_failed',
        errorMessages(missing.map((name) => `missing required output: ${name}`)),
      );
    }
    run.outcome = { state: 'completed', outputs };
    return {};
  }

  private authTest({ auth }: ApiCall): Json {
    const domain = auth.teamId.toLowerCase();
    return {
      url: `https://${domain}.slack.com/`,
      team: `Team ${auth.teamId}`,
      user: this.users.get(auth.botUserId)?.name ?? 'kpi-bot',
      team_id: auth.teamId,
      user_id: auth.botUserId,
      ...(auth.botId === undefined ? {} : { bot_id: auth.botId }),
      ...(auth.enterpriseId === undefined ? {} : { enterprise_id: auth.enterpriseId }),
      is_enterprise_install: false,
    };
  }

  private usersInfo({ args, auth }: ApiCall): Json {
    const user = this.users.get(stringArg(args, 'user') ?? '');
    if (user === undefined || !this.reaches(auth, user.teamId)) throw new SlackApiError('user_not_found');
    const payload = userPayload(user, this.now());
    return { user: booleanArg(args, 'include_locale') ? { ...payload, locale: 'en-US' } : payload };
  }

  private usersLookupByEmail({ args, auth }: ApiCall): Json {
    const email = stringArg(args, 'email');
    if (email === undefined) throw invalidArguments('missing required field: email');
    const wanted = email.toLowerCase();
    const user = [...this.users.values()].find(
      (u) => this.reaches(auth, u.teamId) && u.email?.toLowerCase() === wanted,
    );
    if (user === undefined) throw new SlackApiError('users_not_found');
    return { user: userPayload(user, this.now()) };
  }

  private chatPostMessage({ args, auth }: ApiCall): Json {
    const channel = this.postableConversation(args, auth);
    const content = checkMessage(args);
    const metadata = checkMetadata(args.metadata);
    this.checkSlackFiles(content.blocks);
    this.checkChannelRate(channel.id);
    const ts = this.nextTs();
    this.addMessage({ channel: channel.id, ts, userId: auth.botUserId, ...content, ...(metadata ? { metadata } : {}) });
    return { channel: channel.id, ts, message: this.messagePayload(auth, ts, content) };
  }

  /** Slack paces posts into one conversation (about one a second); the limit is per channel. */
  private checkChannelRate(channel: string): void {
    if (this.channelRateLimit === undefined) return;
    const window = this.channelWindows.get(channel) ?? new SlidingWindow(this.channelRateLimit.perSecond);
    this.channelWindows.set(channel, window);
    const retryAfter = window.take(this.now());
    if (retryAfter !== undefined) throw rateLimited(retryAfter);
  }

  /** `image` blocks (and image elements) with `slack_file` must name a completed, processed file. */
  private checkSlackFiles(blocks: readonly unknown[] | undefined): void {
    const reasons: string[] = [];
    const check = (image: unknown, pointer: string) => {
      if (!isRecord(image) || image.type !== 'image' || image.slack_file === undefined) return;
      const ref = image.slack_file;
      const id = isRecord(ref) && typeof ref.id === 'string' ? ref.id : undefined;
      if (id === undefined) {
        if (!isRecord(ref) || typeof ref.url !== 'string')
          reasons.push(`must provide an id or url [json-pointer:${pointer}/slack_file]`);
        return;
      }
      const file = this.files.get(id);
      const ready = file?.completedAt !== undefined && this.now() >= file.completedAt + this.fileProcessingMs;
      if (!ready) reasons.push(`invalid slack file [json-pointer:${pointer}/slack_file]`);
    };
    (blocks ?? []).forEach((block, i) => {
      check(block, `/blocks/${i}`);
      if (!isRecord(block)) return;
      if (Array.isArray(block.elements)) block.elements.forEach((el, j) => check(el, `/blocks/${i}/elements/${j}`));
      check(block.accessory, `/blocks/${i}/accessory`);
    });
    if (reasons.length > 0) throw invalidBlocks(reasons);
  }

  private chatPostEphemeral({ args, auth }: ApiCall): Json {
    const user = stringArg(args, 'user');
    if (user === undefined) throw invalidArguments('missing required field: user');
    const channel = this.postableConversation(args, auth);
    checkMessage(args);
    if (!channel.members.includes(user)) throw new SlackApiError('user_not_in_channel');
    return { message_ts: this.nextTs() };
  }

  private chatUpdate({ args, auth }: ApiCall): Json {
    const channel = this.conversation(stringArg(args, 'channel'), auth);
    const ts = stringArg(args, 'ts');
    const existing = ts === undefined ? undefined : this.messages.get(`${channel.id}:${ts}`);
    if (ts === undefined || existing === undefined) throw new SlackApiError('message_not_found');
    if (existing.userId !== auth.botUserId) throw new SlackApiError('cant_update_message');
    if (channel.archived) throw new SlackApiError('is_archived');
    const content = checkMessage(args);
    this.addMessage({ ...existing, ...content });
    return { channel: channel.id, ts, text: content.text ?? '', message: this.messagePayload(auth, ts, content) };
  }

  /** Only for a message Slack has (`addMessage` or posted): `message_not_found` otherwise. */
  private chatGetPermalink({ args, auth }: ApiCall): Json {
    const channel = this.conversation(stringArg(args, 'channel'), auth);
    const ts = stringArg(args, 'message_ts');
    if (ts === undefined) throw invalidArguments('missing required field: message_ts');
    if (!this.messages.has(`${channel.id}:${ts}`)) throw new SlackApiError('message_not_found');
    const permalink = `https://${auth.teamId.toLowerCase()}.slack.com/archives/${channel.id}/p${ts.replace('.', '')}`;
    return { channel: channel.id, permalink };
  }

  private viewsPublish({ args, auth }: ApiCall): Json {
    const userId = stringArg(args, 'user_id');
    if (userId === undefined) throw invalidArguments('missing required field: user_id');
    const view = args.view;
    if (!isRecord(view)) throw invalidArguments('must provide an object [json-pointer:/view]');
    const user = this.users.get(userId);
    if (user === undefined || !this.reaches(auth, user.teamId)) throw new SlackApiError('user_not_found');
    const reasons = new BlockKitValidator().homeView(view);
    if (reasons.length > 0) throw invalidArguments(...reasons);
    const hash = stringArg(args, 'hash');
    const currentHash = this.homeViews.get(userId);
    if (hash !== undefined && currentHash !== undefined && hash !== currentHash)
      throw new SlackApiError('hash_conflict');
    const newHash = `${Math.floor(this.now() / 1000)}.${++this.sequence}`;
    this.homeViews.set(userId, newHash);
    return { view: this.viewPayload(view, auth, newHash) };
  }

  private conversationsMembers({ args, auth }: ApiCall): Json {
    const channel = this.conversation(stringArg(args, 'channel'), auth);
    const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
    const offset = decodeCursor(stringArg(args, 'cursor'));
    const members = channel.members.slice(offset, offset + limit);
    const next = offset + limit < channel.members.length ? encodeCursor(offset + limit) : '';
    return { members, response_metadata: { next_cursor: next } };
  }

  /** Newest first, like Slack; `oldest`/`latest` exclusive unless `inclusive`; metadata only on request. */
  private conversationsInfo({ args, auth }: ApiCall): Json {
    const channel = this.conversation(stringArg(args, 'channel'), auth);
    return {
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: !channel.isIm && !channel.isPrivate,
        is_group: !channel.isIm && channel.isPrivate,
        is_im: channel.isIm,
        is_private: channel.isPrivate,
        is_archived: channel.archived,
        is_member: channel.botIsMember,
      },
    };
  }

  private conversationsHistory({ args, auth }: ApiCall): Json {
    const channel = this.conversation(stringArg(args, 'channel'), auth);
    if (!channel.botIsMember) throw new SlackApiError('not_in_channel');
    const oldest = stringArg(args, 'oldest') ?? '0';
    const latest = stringArg(args, 'latest');
    const inclusive = booleanArg(args, 'inclusive') ?? false;
    const withMetadata = booleanArg(args, 'include_all_metadata') ?? false;
    const limit = Math.min(Number(args.limit ?? 100) || 100, HISTORY_MAX);
    const after = (ts: string) => (inclusive ? compareTs(ts, oldest) >= 0 : compareTs(ts, oldest) > 0);
    const before = (ts: string) =>
      latest === undefined || (inclusive ? compareTs(ts, latest) <= 0 : compareTs(ts, latest) < 0);
    const matching = this.messagesIn(channel.id)
      .filter((m) => after(m.ts) && before(m.ts))
      .reverse();
    const offset = decodeCursor(stringArg(args, 'cursor'));
    const page = matching.slice(offset, offset + limit);
    const hasMore = offset + limit < matching.length;
    return {
      messages: page.map((m) => ({
        type: 'message',
        user: m.userId,
        text: m.text ?? '',
        ...(m.blocks === undefined ? {} : { blocks: m.blocks }),
        ...(m.files === undefined ? {} : { files: m.files }),
        ts: m.ts,
        ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
      })),
      has_more: hasMore,
      pin_count: 0,
      response_metadata: { next_cursor: hasMore ? encodeCursor(offset + limit) : '' },
    };
  }

  private conversationsOpen({ args, auth }: ApiCall): Json {
    const users = stringArg(args, 'users')?.split(',') ?? [];
    if (users.length !== 1) throw new SlackApiError(users.length === 0 ? 'users_list_not_supplied' : 'not_supported');
    const dm = this.directMessage(users[0] ?? '', auth);
    if (dm === undefined) throw new SlackApiError('user_not_found');
    return { channel: { id: dm.id } };
  }

  private filesGetUploadURLExternal({ args }: ApiCall): Json {
    const filename = stringArg(args, 'filename');
    const length = Number(args.length);
    if (filename === undefined) throw invalidArguments('missing required field: filename');
    if (args.length === undefined) throw invalidArguments('missing required field: length');
    if (!Number.isInteger(length) || length <= 0) throw new SlackApiError('missing_argument');
    const altText = stringArg(args, 'alt_txt');
    if (altText !== undefined && altText.length > 1000) throw new SlackApiError('alt_txt_too_large');
    const id = `F${String(++this.sequence).padStart(10, '0')}`;
    const file = { id, filename, length, altText, bytes: undefined, title: undefined, completedAt: undefined };
    this.files.set(id, file);
    return { upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
  }

  /** Completes uploaded files; shares them into `channel_id` (one message) when given, else keeps them private. */
  private filesCompleteUploadExternal({ args, auth }: ApiCall): Json {
    const entries = args.files;
    if (!Array.isArray(entries) || entries.length === 0) throw invalidArguments('missing required field: files');
    const files = entries.map((entry) => {
      const file = isRecord(entry) && typeof entry.id === 'string' ? this.files.get(entry.id) : undefined;
      if (file === undefined || file.bytes === undefined) throw new SlackApiError('file_not_found');
      return { file, title: isRecord(entry) && typeof entry.title === 'string' ? entry.title : file.filename };
    });
    const channelId = stringArg(args, 'channel_id');
    const channel = channelId === undefined ? undefined : this.postableConversation({ channel: channelId }, auth);
    for (const { file, title } of files) {
      file.title = title;
      file.completedAt ??= this.now();
    }
    if (channel !== undefined) {
      const text = stringArg(args, 'initial_comment') ?? '';
      const shared = files.map(({ file }) => ({ id: file.id, name: file.filename, title: file.title }));
      this.addMessage({ channel: channel.id, ts: this.nextTs(), userId: auth.botUserId, text, files: shared });
    }
    return { files: files.map(({ file }) => ({ id: file.id, title: file.title, name: file.filename })) };
  }

  private oauthV2Access(args: Json): Json {
    const clientId = stringArg(args, 'client_id');
    if (this.opts.clientId !== undefined && clientId !== this.opts.clientId) {
      throw new SlackApiError('invalid_client_id');
    }
    if (this.opts.clientSecret !== undefined && stringArg(args, 'client_secret') !== this.opts.clientSecret) {
      throw new SlackApiError('bad_client_secret');
    }
    if (stringArg(args, 'grant_type') === 'refresh_token') return this.refreshAccess(stringArg(args, 'refresh_token'));
    const code = stringArg(args, 'code') ?? '';
    const response = this.oauthCodes.get(code);
    if (response === undefined) throw new SlackApiError('invalid_code');
    this.oauthCodes.delete(code); // codes are single-use
    this.registerInstalledTokens(response);
    return {
      app_id: FAKE_APP_ID,
      token_type: response.access_token === undefined ? undefined : 'bot',
      enterprise: null,
      is_enterprise_install: false,
      ...response,
    };
  }

  /**
   * Token rotation: a refresh token buys a new 12-hour bot token and a new refresh token, and is
   * revoked by the exchange, so a second replica spending the same one is refused. The old access
   * token keeps working until it expires.
   */
  private refreshAccess(refreshToken: string | undefined): Json {
    const installed = refreshToken === undefined ? undefined : this.refreshTokens.get(refreshToken);
    if (refreshToken === undefined || installed === undefined) throw new SlackApiError('invalid_refresh_token');
    this.refreshTokens.delete(refreshToken);
    const n = ++this.sequence;
    const renewed: OAuthV2AccessResponse = {
      ...installed,
      access_token: `xoxe.xoxb-${installed.team?.id ?? 'E'}-${n}`,
      refresh_token: `xoxe-1-${n}`,
      expires_in: ROTATED_TOKEN_SECONDS,
    };
    this.registerInstalledTokens(renewed);
    const { team, enterprise, scope, bot_user_id, access_token, refresh_token, expires_in } = renewed;
    return {
      app_id: FAKE_APP_ID,
      token_type: 'bot',
      access_token,
      refresh_token,
      expires_in,
      scope,
      bot_user_id,
      team,
      enterprise: enterprise ?? null,
      is_enterprise_install: false,
    };
  }

  // --- helpers for methods --------------------------------------------------------------------------------------------

  /** Tokens handed out by an install become valid, as they do on Slack (unless the test registered them already). */
  private registerInstalledTokens(response: OAuthV2AccessResponse): void {
    const teamId = response.team?.id ?? response.enterprise?.id ?? '';
    const enterpriseId = response.enterprise?.id;
    const scopesOf = (scope: string | undefined) => scope?.split(',').filter((s) => s !== '');
    const { access_token: botToken, bot_user_id: botUserId, authed_user: user } = response;
    const expiresAt = response.expires_in === undefined ? undefined : this.now() + response.expires_in * 1000;
    if (botToken !== undefined && botUserId !== undefined && !this.tokens.has(botToken)) {
      const botId = `B${botUserId.slice(1)}`;
      const scopes = scopesOf(response.scope);
      this.addToken(botToken, { teamId, botUserId, botId, enterpriseId, scopes, ...(expiresAt && { expiresAt }) });
    }
    if (response.refresh_token !== undefined) this.refreshTokens.set(response.refresh_token, response);
    if (user.access_token !== undefined && !this.tokens.has(user.access_token)) {
      this.addToken(user.access_token, { teamId, botUserId: user.id, enterpriseId, scopes: scopesOf(user.scope) });
    }
  }

  /**
   * Whether a token works in a workspace: its own, or, for an org-wide install's token, any
   * workspace of its Enterprise Grid org (see `addWorkspaceToOrg`).
   */
  private reaches(auth: TokenState, teamId: string): boolean {
    if (auth.teamId === teamId) return true;
    return auth.enterpriseId !== undefined && this.orgOf.get(teamId) === auth.enterpriseId;
  }

  /** A registered channel of the token's team, or the DM with a registered user of that team. */
  private conversation(id: string | undefined, auth: TokenState): ChannelState {
    const channel = id === undefined ? undefined : (this.channels.get(id) ?? this.directMessage(id, auth));
    if (channel === undefined || !this.reaches(auth, channel.teamId)) throw new SlackApiError('channel_not_found');
    // Slack hides a private channel from a bot that is not in it.
    if (channel.isPrivate && !channel.botIsMember) throw new SlackApiError('channel_not_found');
    return channel;
  }

  private directMessage(userId: string, auth: TokenState): ChannelState | undefined {
    const user = this.users.get(userId);
    if (!USER_ID.test(userId) || user === undefined || !this.reaches(auth, user.teamId)) return undefined;
    const id = `D${userId.slice(1)}`;
    const dm = this.channels.get(id) ?? {
      id,
      teamId: user.teamId,
      name: id.toLowerCase(),
      members: [userId, auth.botUserId],
      archived: false,
      botIsMember: true,
      isPrivate: true,
      isIm: true,
    };
    this.channels.set(id, dm);
    return dm;
  }

  private postableConversation(args: Json, auth: TokenState): ChannelState {
    const channel = this.conversation(stringArg(args, 'channel'), auth);
    if (channel.archived) throw new SlackApiError('is_archived');
    if (!channel.botIsMember) throw new SlackApiError('not_in_channel');
    return channel;
  }

  private nextTs(): string {
    return `${Math.floor(this.now() / 1000)}.${String(++this.sequence).padStart(6, '0')}`;
  }

  private messagePayload(auth: TokenState, ts: string, content: MessageContent): Json {
    return {
      type: 'message',
      user: auth.botUserId,
      ...(auth.botId === undefined ? {} : { bot_id: auth.botId, app_id: FAKE_APP_ID }),
      text: content.text ?? '',
      ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
      team: auth.teamId,
      ts,
    };
  }

  private viewPayload(view: Json, auth: TokenState, hash: string): Json {
    const id = `V${String(++this.sequence).padStart(10, '0')}`;
    return {
      id,
      team_id: auth.teamId,
      type: 'home',
      blocks: view.blocks,
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      external_id: view.external_id ?? '',
      state: { values: {} },
      hash,
      title: view.title ?? null,
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: id,
      app_id: FAKE_APP_ID,
      app_installed_team_id: auth.teamId,
      bot_id: auth.botId ?? null,
    };
  }
}

/** A response_url post's body, or a slash command's answer in its acknowledgement: JSON, checked as below. */
function checkResponseMessage(parsed: ParsedBody): void {
  if (parsed.kind !== 'json') throw new SlackApiError('invalid_payload', {}, 400);
  try {
    checkResponsePayload(parsed.args);
  } catch (error) {
    if (error instanceof SlackApiError) throw new SlackApiError(error.code, error.extra, 400);
    throw error;
  }
}

/** response_url bodies: a message (unless deleting), with the flags Bolt's `respond()` may send. */
function checkResponsePayload(body: Json): void {
  const responseType = body.response_type;
  if (responseType !== undefined && responseType !== 'ephemeral' && responseType !== 'in_channel') {
    throw invalidArguments('must be a valid enum value [json-pointer:/response_type]');
  }
  booleanArg(body, 'replace_original');
  if (booleanArg(body, 'delete_original') === true) return;
  checkMessage(body);
}

/** Slack's message metadata: an `event_type` and an `event_payload` object. */
function checkMetadata(metadata: unknown): Json | undefined {
  if (metadata === undefined) return undefined;
  if (!isRecord(metadata) || typeof metadata.event_type !== 'string' || !isRecord(metadata.event_payload)) {
    throw new SlackApiError('invalid_metadata_format');
  }
  return { event_type: metadata.event_type, event_payload: metadata.event_payload };
}

/** Message timestamps compare as numbers: seconds, then the sequence after the dot. */
function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

function encodeCursor(offset: number): string {
  return Buffer.from(`member_offset:${offset}`).toString('base64');
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^member_offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (match?.[1] === undefined) throw new SlackApiError('invalid_cursor');
  return Number(match[1]);
}
