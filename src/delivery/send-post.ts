import type { webApi } from '@slack/bolt';
import type { Block } from '../lib/slack-text.js';
import type { ChartAttachment, ClaimedPost, FileAttachment } from './outbox.repository.js';
import { channelKey, type Pacer } from './pacer.js';
import { classifySlackFailure } from './slack-failures.js';

/** The message metadata every post carries: how a retry finds a post that did land. */
export const POST_EVENT_TYPE = 'kpi_bot_post';

/** Recorded with the post, so a replica resuming it can search history from a little before. */
const CLOCK_SKEW_MS = 60_000;
const HISTORY_PAGE = 200;
const HISTORY_PAGES = 10;
/** A freshly uploaded file can be refused (`invalid_blocks`) until Slack has processed it. */
const FILE_READY_RETRIES = [500, 1000, 2000, 4000];

export interface SendContext {
  client: webApi.WebClient;
  pacer: Pacer;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Lease length: the previous attempt started one lease before its lease ended. */
  leaseMs: number;
  /** The DM channel of a user, when an earlier post told us (see `knownDmChannel`). */
  dmChannelOf: (userId: string) => Promise<string | null>;
  /** Upload endpoint requests (a plain HTTP POST, outside the Web API client). */
  fetch: typeof fetch;
}

export interface Sent {
  channelId: string;
  /** Null for a shared file: Slack shares it asynchronously and does not say the message's ts. */
  messageTs: string | null;
  /** True when history showed that an earlier attempt had posted it. */
  reconciled: boolean;
}

/**
 * Whether an earlier attempt may have posted this already: its replica died while sending, or it
 * failed in a way that does not prove Slack refused it (a timeout, a 5xx). A 429 proves it.
 */
export function mayAlreadyBePosted(post: ClaimedPost): boolean {
  if (post.attempts <= 1) return false;
  return post.previousStatus === 'sending' || (post.lastError !== null && post.lastError !== 'ratelimited');
}

/**
 * Posts one claimed row: finds it in history if an earlier attempt may have posted it, else posts.
 * Without a `*:history` scope (an admin may leave them out) the lookup is refused with
 * `missing_scope`, and the post goes out again: at worst twice after a crash, never lost.
 */
export async function sendPost(ctx: SendContext, post: ClaimedPost, postSlot: number): Promise<Sent> {
  if (mayAlreadyBePosted(post)) {
    const found = await findInHistory(ctx, post).catch((error: unknown) => {
      if (error instanceof SlackCallError && historyRefused(error)) return null;
      throw error;
    });
    if (found !== null) return { ...found, reconciled: true };
  }
  const { text, blocks = [], chart, file } = post.payload;
  if (file !== undefined) return { ...(await shareFile(ctx, post.target, text, file)), reconciled: false };
  const chartBlocks = chart === undefined ? [] : [chartBlock(await uploadChart(ctx, chart), chart)];
  const args = {
    channel: post.target,
    text,
    blocks: [...blocks, ...chartBlocks],
    unfurl_links: false,
    metadata: { event_type: POST_EVENT_TYPE, event_payload: { key: post.key } },
  };
  await ctx.sleep(postSlot - ctx.now());
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await call('chat.postMessage', () =>
        ctx.client.chat.postMessage(args as webApi.ChatPostMessageArguments),
      );
      return { channelId: answer.channel ?? post.target, messageTs: answer.ts ?? '', reconciled: false };
    } catch (error) {
      const wait = FILE_READY_RETRIES[attempt];
      const cause = error instanceof SlackCallError ? error.cause : error;
      const stillProcessing = chart !== undefined && classifySlackFailure(cause).error === 'invalid_blocks';
      if (!stillProcessing || wait === undefined) throw error;
      await ctx.sleep(wait);
      await paced(ctx, ['chat.postMessage', channelKey(post.target)]);
    }
  }
}

async function paced(ctx: SendContext, keys: readonly string[]): Promise<void> {
  const slot = ctx.pacer.reserve(keys, ctx.now());
  await ctx.sleep(slot - ctx.now());
}

/** A failed call, with the method that failed: a 429 pauses that method (or the post's channel). */
export class SlackCallError extends Error {
  constructor(
    readonly method: string,
    override readonly cause: unknown,
  ) {
    super(`${method}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

async function call<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new SlackCallError(method, error);
  }
}

/** History (not the DM lookup, which needs `im:write` like any DM) refused for want of a scope. */
function historyRefused(error: SlackCallError): boolean {
  return error.method === 'conversations.history' && classifySlackFailure(error.cause).error === 'missing_scope';
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { key?: unknown } };
  files?: { name?: string }[];
}

/** Our message in history: by its metadata, or for a shared file (which carries none) by the file's unique name. */
function isOurs(m: HistoryMessage, post: ClaimedPost): boolean {
  const filename = post.payload.file?.filename;
  if (filename !== undefined) return m.files?.some((f) => f.name === filename) ?? false;
  return m.metadata?.event_type === POST_EVENT_TYPE && m.metadata.event_payload?.key === post.key;
}

async function findInHistory(ctx: SendContext, post: ClaimedPost): Promise<Omit<Sent, 'reconciled'> | null> {
  const channel = await conversationOf(ctx, post.target);
  const startedAt = (post.previousLeaseUntil?.getTime() ?? ctx.now()) - ctx.leaseMs - CLOCK_SKEW_MS;
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    await paced(ctx, ['conversations.history']);
    const answer = await call('conversations.history', () =>
      ctx.client.conversations.history({
        channel,
        oldest: (startedAt / 1000).toFixed(6),
        include_all_metadata: true,
        limit: HISTORY_PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
    const messages = (answer.messages ?? []) as HistoryMessage[];
    const match = messages.find((m) => isOurs(m, post));
    if (match?.ts !== undefined) return { channelId: channel, messageTs: match.ts };
    cursor = answer.response_metadata?.next_cursor || undefined;
    if (cursor === undefined) return null;
  }
  return null;
}

/** A channel id as is; for a user, the id of the bot's DM with them. */
async function conversationOf(ctx: SendContext, target: string): Promise<string> {
  if (!/^[UW]/.test(target)) return target;
  const known = await ctx.dmChannelOf(target);
  if (known !== null) return known;
  await paced(ctx, ['conversations.open']);
  const opened = await call('conversations.open', () => ctx.client.conversations.open({ users: target }));
  return opened.channel?.id ?? target;
}

/**
 * The chart travels inside the post: uploaded privately (completed without a channel), then shown
 * by an `image` block pointing at the file (`slack_file: { id }`). The picture is then part of the
 * one chat.postMessage that carries the metadata, so it is posted exactly when the post is, and
 * found with it in history. Sharing the file into a channel or thread instead would be a second
 * message with no metadata: a crash between the two would post one without the other, or repeat
 * it. A crash after an upload leaves at most an unshared private file, which no one sees.
 */
async function uploadChart(ctx: SendContext, chart: ChartAttachment): Promise<string> {
  const fileId = await uploadBytes(ctx, chart.filename, Buffer.from(chart.pngBase64, 'base64'), chart.altText);
  await paced(ctx, ['files.completeUploadExternal']);
  await call('files.completeUploadExternal', () =>
    ctx.client.files.completeUploadExternal({ files: [{ id: fileId, title: chart.title }] }),
  );
  return fileId;
}

/**
 * A file (a data export) is shared into the DM by files.completeUploadExternal, which posts the
 * message itself: it has no metadata, so a resumed delivery finds it by the file's unique name.
 */
async function shareFile(
  ctx: SendContext,
  target: string,
  text: string,
  file: FileAttachment,
): Promise<Omit<Sent, 'reconciled'>> {
  const channel = await conversationOf(ctx, target);
  const fileId = await uploadBytes(ctx, file.filename, Buffer.from(file.contentBase64, 'base64'));
  await paced(ctx, ['files.completeUploadExternal', channelKey(channel)]);
  await call('files.completeUploadExternal', () =>
    ctx.client.files.completeUploadExternal({
      files: [{ id: fileId, title: file.title }],
      channel_id: channel,
      initial_comment: text,
    }),
  );
  return { channelId: channel, messageTs: null };
}

/** Steps one and two of Slack's upload flow: an upload URL, then the bytes POSTed to it. */
async function uploadBytes(ctx: SendContext, filename: string, bytes: Buffer, altText?: string): Promise<string> {
  await paced(ctx, ['files.getUploadURLExternal']);
  const target = await call('files.getUploadURLExternal', () =>
    // Slack's argument is `alt_txt` (the SDK's type spells it `alt_text`, which Slack ignores).
    ctx.client.files.getUploadURLExternal({
      filename,
      length: bytes.length,
      ...(altText === undefined ? {} : { alt_txt: altText }),
    } as webApi.FilesGetUploadURLExternalArguments),
  );
  if (target.upload_url === undefined || target.file_id === undefined) throw new Error('upload_url_missing');
  const uploaded = await ctx.fetch(target.upload_url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  if (!uploaded.ok) throw new UploadError(uploaded.status);
  return target.file_id;
}

/** The upload endpoint refused the bytes: a 5xx is worth a retry, a 4xx is not. */
export class UploadError extends Error {
  constructor(readonly status: number) {
    super(`upload_failed_${status}`);
  }
}

function chartBlock(fileId: string, chart: ChartAttachment): Block {
  return {
    type: 'image',
    slack_file: { id: fileId },
    alt_text: chart.altText,
    title: { type: 'plain_text', text: chart.title },
  } as unknown as Block;
}
