import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Database, DatabaseHandle } from '../../src/db/client.js';
import { boardSubscriptions, contests, outbox } from '../../src/db/schema.js';
import { claimReady } from '../../src/delivery/outbox.repository.js';
import { POST_EVENT_TYPE } from '../../src/delivery/send-post.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';
import { type FakeSlack, FILE_UPLOAD, startFakeSlack } from '../support/fake-slack.js';
import { addWorkspace, enqueue, newDeliverer, post as newPost, postedKeys } from './delivery-support.js';

let handle: DatabaseHandle;
let db: Database;
let fake: FakeSlack;
const T0 = Date.parse('2026-11-23T09:00:00Z');
const clock = { ms: T0 };
const now = () => new Date(clock.ms);
/** Time moves only when the deliverer waits (the fake's clock is this one). */
const sleep = async (ms: number) => {
  const until = clock.ms + Math.max(0, ms);
  await Promise.resolve();
  clock.ms = Math.max(clock.ms, until);
};
let ws: string;
let tokens: Record<string, string>;

async function rowOf(key: string) {
  const [row] = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.workspaceId, ws), eq(outbox.key, key)));
  if (!row) throw new Error(`no outbox row ${key}`);
  return row;
}

const post: typeof newPost = (workspaceId, key, target, extra = {}) =>
  newPost(workspaceId, key, target, { decidedAt: now(), ...extra });
const postsTo = (channel: string) => fake.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);

describeDb('deliverer', () => {
  beforeAll(async () => {
    handle = await openTestDatabase();
    db = handle.db;
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    clock.ms = T0;
    fake = await startFakeSlack({ now: () => clock.ms });
    ws = newWorkspaceId();
    tokens = { [ws]: addWorkspace(fake, ws, { channels: ['CSALES', 'CWEST'], users: ['UANA', 'UBEN'] }) };
  });
  afterEach(async () => {
    await fake.close();
  });

  it('posts each due post once, with its key as message metadata, and records where it landed', async () => {
    await enqueue(db, [post(ws, 'board:1:w47', 'CSALES'), post(ws, 'nudge:UANA:d1', 'UANA', { kind: 'nudge' })]);
    // Deciding again (a re-run job, a second replica) stores nothing new.
    await enqueue(db, [post(ws, 'board:1:w47', 'CSALES')]);
    await enqueue(db, [post(ws, 'later', 'CWEST', { notBefore: new Date(T0 + 60_000) })]);

    const report = await newDeliverer(db, fake, tokens, { now }).drain();

    expect(report).toEqual({ sent: 2, reconciled: 0, retrying: 0, failed: 0 });
    expect(Object.fromEntries(postedKeys(fake))).toEqual({ 'board:1:w47': 1, 'nudge:UANA:d1': 1 });
    const board = await rowOf('board:1:w47');
    expect(board).toMatchObject({ status: 'sent', channelId: 'CSALES', attempts: 1 });
    expect(fake.messagesIn('CSALES')[0]).toMatchObject({
      ts: board.messageTs,
      metadata: { event_type: POST_EVENT_TYPE, event_payload: { key: 'board:1:w47' } },
    });
    // A DM lands in the bot's D… conversation with the user: reactions are counted there.
    expect(await rowOf('nudge:UANA:d1')).toMatchObject({ status: 'sent', channelId: fake.dmChannelOf('UANA') });
    expect((await rowOf('later')).status).toBe('pending');

    // Nothing is posted twice by a second pass, even with the duplicate decision.
    await newDeliverer(db, fake, tokens, { now }).drain();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('finds a post its dead replica had made in history, and does not post it again', async () => {
    await enqueue(db, [post(ws, 'board:2:w47', 'CSALES'), post(ws, 'nudge:UBEN:d1', 'UBEN', { kind: 'nudge' })]);
    // A replica claims both, posts both to Slack, and dies before recording either.
    const claimed = await claimReady(db, {
      now: now(),
      workerId: 'dead',
      leaseMs: 120_000,
      limit: 10,
      workspaceId: ws,
    });
    expect(claimed).toHaveLength(2);
    const dead = newDeliverer(db, fake, tokens, { now });
    for (const row of claimed) {
      const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[ws]}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          channel: row.target,
          text: row.payload.text,
          metadata: { event_type: POST_EVENT_TYPE, event_payload: { key: row.key } },
        }),
      });
      expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    }
    expect(dead.workerId).not.toBe('dead');

    // While the lease holds, nobody touches them.
    clock.ms = T0 + 60_000;
    expect(await newDeliverer(db, fake, tokens, { now }).drain()).toMatchObject({ sent: 0, reconciled: 0 });

    clock.ms = T0 + 121_000;
    const report = await newDeliverer(db, fake, tokens, { now }).drain();

    expect(report).toMatchObject({ sent: 0, reconciled: 2 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    const history = fake.callsTo('conversations.history');
    expect(history.map((c) => c.args.include_all_metadata)).toEqual(['true', 'true']);
    // Searched from a little before the dead replica's claim, not from the beginning.
    for (const call of history) expect(Number(call.args.oldest)).toBeGreaterThan(T0 / 1000 - 3600);
    expect(await rowOf('board:2:w47')).toMatchObject({
      status: 'sent',
      channelId: 'CSALES',
      messageTs: fake.messagesIn('CSALES')[0]?.ts,
    });
    expect((await rowOf('nudge:UBEN:d1')).channelId).toBe(fake.dmChannelOf('UBEN'));
  });

  it('posts an interrupted post that history does not show, once', async () => {
    await enqueue(db, [post(ws, 'board:3:w47', 'CSALES')]);
    await claimReady(db, { now: now(), workerId: 'dead', leaseMs: 120_000, limit: 10, workspaceId: ws });
    clock.ms = T0 + 121_000;

    expect(await newDeliverer(db, fake, tokens, { now }).drain()).toMatchObject({ sent: 1, reconciled: 0 });
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect(Object.fromEntries(postedKeys(fake))).toEqual({ 'board:3:w47': 1 });
  });

  it('honours Retry-After for the rate-limited channel only, and calls it again no sooner', async () => {
    await enqueue(db, [post(ws, 'a', 'CSALES'), post(ws, 'b', 'CWEST')]);
    fake.failNext('chat.postMessage', { retryAfter: 30 });
    const deliverer = newDeliverer(db, fake, tokens, { now });

    expect(await deliverer.drain()).toMatchObject({ sent: 1, retrying: 1 });
    const limited = (await rowOf('a')).status === 'pending' ? 'a' : 'b';
    const row = await rowOf(limited);
    expect(row).toMatchObject({ notBefore: new Date(T0 + 30_000), lastError: 'ratelimited', attempts: 0 });

    // Three seconds early: too far to wait for, so not sent (a drain waits only for what is due within 2 s).
    clock.ms = T0 + 27_000;
    await deliverer.drain();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);

    clock.ms = T0 + 30_000;
    expect(await deliverer.drain()).toMatchObject({ sent: 1 });
    const calls = postsTo(row.target);
    expect(calls.map((c) => c.ok)).toEqual([false, true]);
    expect(calls[1]?.at).toBeGreaterThanOrEqual(T0 + 30_000);
    // A 429 proves nothing was posted: no history look-up.
    expect(fake.callsTo('conversations.history')).toHaveLength(0);
    expect(Object.fromEntries(postedKeys(fake))).toEqual({ a: 1, b: 1 });
  });

  it('retries 5xx answers with exponential backoff, then posts once', async () => {
    await enqueue(db, [post(ws, 'c', 'CSALES')]);
    fake.failNext('chat.postMessage', { status: 503, times: 2 });
    // random() = 1: the full delay, 5 s then 10 s.
    const deliverer = newDeliverer(db, fake, tokens, { now, random: () => 1 });

    expect(await deliverer.drain()).toMatchObject({ retrying: 1 });
    expect(await rowOf('c')).toMatchObject({
      status: 'pending',
      lastError: 'http_503',
      notBefore: new Date(T0 + 5000),
    });
    clock.ms = T0 + 2_000;
    await deliverer.drain();
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);

    clock.ms = T0 + 5_000;
    await deliverer.drain();
    expect(await rowOf('c')).toMatchObject({ status: 'pending', attempts: 2, notBefore: new Date(T0 + 15_000) });

    clock.ms = T0 + 15_000;
    expect(await deliverer.drain()).toMatchObject({ sent: 1 });
    expect(await rowOf('c')).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
    expect(Object.fromEntries(postedKeys(fake))).toEqual({ c: 1 });
  });

  it('gives up after the last attempt and records why', async () => {
    await enqueue(db, [post(ws, 'd', 'CSALES')]);
    fake.failNext('chat.postMessage', { error: 'internal_error', times: 5 });
    const deliverer = newDeliverer(db, fake, tokens, {
      now,
      sleep,
      backoff: { baseMs: 1000, maxMs: 1000, maxAttempts: 2 },
    });

    // A retry due within a moment is waited for in the same pass.
    expect(await deliverer.drain()).toMatchObject({ retrying: 1, failed: 1 });
    expect(clock.ms).toBeGreaterThanOrEqual(T0 + 1000);
    expect(await rowOf('d')).toMatchObject({ status: 'failed', lastError: 'internal_error', attempts: 2 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
  });

  it('fails a board post to a channel it is not in, tells the subscriber how to fix it, and sends the rest', async () => {
    fake.addChannel({ id: 'CPRIV', teamId: ws, members: ['UANA'], botIsMember: false });
    const [sub] = await db
      .insert(boardSubscriptions)
      .values({
        workspaceId: ws,
        channelId: 'CPRIV',
        metric: 'revenue',
        timezone: 'UTC',
        createdBy: 'UANA',
        nextRunAt: now(),
      })
      .returning({ id: boardSubscriptions.id });
    const subId = sub?.id ?? 0;
    await enqueue(db, [
      post(ws, 'board:priv:w47', 'CPRIV', { ref: { type: 'board_subscription', id: subId } }),
      post(ws, 'board:ok:w47', 'CSALES'),
    ]);

    const report = await newDeliverer(db, fake, tokens, { now }).drain();

    expect(report).toMatchObject({ failed: 1, sent: 2 });
    expect(await rowOf('board:priv:w47')).toMatchObject({ status: 'failed', lastError: 'not_in_channel', attempts: 1 });
    expect((await rowOf('board:ok:w47')).status).toBe('sent');
    const [subscription] = await db.select().from(boardSubscriptions).where(eq(boardSubscriptions.id, subId));
    expect(subscription).toMatchObject({ lastError: 'not_in_channel', lastErrorAt: now() });
    // The notice goes through the outbox like any post, in the same pass.
    expect(await rowOf('notice:board:priv:w47')).toMatchObject({ kind: 'notice', target: 'UANA', status: 'sent' });
    const dm = fake.messagesIn(fake.dmChannelOf('UANA'));
    expect(dm).toHaveLength(1);
    expect(dm[0]?.text).toContain('<#CPRIV>');
    expect(dm[0]?.text).toContain('/invite @KPI Coach');
  });

  it('tells a contest creator when its channel is archived', async () => {
    fake.addChannel({ id: 'COLD', teamId: ws, members: [], archived: true });
    const [contest] = await db
      .insert(contests)
      .values({
        workspaceId: ws,
        name: 'November sprint',
        metric: 'revenue',
        startsAt: now(),
        endsAt: new Date(T0 + 7 * 86_400_000),
        timezone: 'UTC',
        channelId: 'COLD',
        prizes: { kind: 'top', places: [] },
        createdBy: 'UBEN',
      })
      .returning({ id: contests.id });
    await enqueue(db, [
      post(ws, 'contest:start', 'COLD', { kind: 'contest', ref: { type: 'contest', id: contest?.id ?? 0 } }),
    ]);

    await newDeliverer(db, fake, tokens, { now }).drain();

    expect(await rowOf('contest:start')).toMatchObject({ status: 'failed', lastError: 'is_archived' });
    expect(fake.messagesIn(fake.dmChannelOf('UBEN'))[0]?.text).toContain('archived');
  });

  it('fails the posts of a workspace that uninstalled the bot without blocking others', async () => {
    const other = newWorkspaceId();
    await enqueue(db, [post(other, 'orphan', 'CX'), post(ws, 'e', 'CSALES')]);
    const report = await newDeliverer(db, fake, tokens, { now }).drain();
    expect(report).toMatchObject({ sent: 1, failed: 1 });
    const [orphan] = await db.select().from(outbox).where(eq(outbox.workspaceId, other));
    expect(orphan).toMatchObject({ status: 'failed', lastError: 'not_installed' });
  });

  it('uploads a chart privately and shows it in the post, waiting while Slack processes the file', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const chart = {
      filename: 'board.png',
      title: 'Revenue, week 47',
      altText: 'Bar chart',
      pngBase64: png.toString('base64'),
    };
    await enqueue(db, [post(ws, 'board:chart:w47', 'CSALES', { payload: { text: 'Board', chart } })]);
    fake.setFileProcessing(1500);

    expect(await newDeliverer(db, fake, tokens, { now, sleep }).drain()).toMatchObject({ sent: 1 });

    const [getUrl] = fake.callsTo('files.getUploadURLExternal');
    expect(getUrl?.args).toMatchObject({ filename: 'board.png', length: String(png.length), alt_txt: 'Bar chart' });
    const fileId = String(getUrl?.response.file_id);
    expect(fake.callsTo(FILE_UPLOAD)).toHaveLength(1);
    expect(fake.file(fileId)?.bytes?.equals(png)).toBe(true);
    // Completed without a channel: the file is shown by the post, not shared as a second message.
    expect(fake.callsTo('files.completeUploadExternal')[0]?.args.channel_id).toBeUndefined();
    const posts = fake.callsTo('chat.postMessage');
    expect(posts.map((c) => c.error ?? 'ok')).toEqual(['invalid_blocks', 'invalid_blocks', 'ok']);
    expect(fake.messagesIn('CSALES')).toHaveLength(1);
    expect(fake.messagesIn('CSALES')[0]?.blocks).toEqual([
      {
        type: 'image',
        slack_file: { id: fileId },
        alt_text: 'Bar chart',
        title: { type: 'plain_text', text: 'Revenue, week 47' },
      },
    ]);
  });

  it('hands a post back to the outbox rather than send it near the end of its claim, and sends it on a new claim', async () => {
    await enqueue(db, [post(ws, 'first', 'CSALES'), post(ws, 'second', 'CSALES')]);
    // A claim of 30.5 s leaves 0.5 s before the 30 s margin: the channel's second slot (1.1 s) is past it.
    const report = await newDeliverer(db, fake, tokens, { now, sleep, leaseMs: 30_500 }).drain();

    // The drain does not end on a post it handed back: it claims it again at its slot and sends it.
    expect(report).toMatchObject({ sent: 2 });
    const second = await rowOf('second');
    expect(second).toMatchObject({ status: 'sent', attempts: 1, notBefore: new Date(T0 + 1100) });
    expect(second.leaseUntil).toEqual(new Date(T0 + 1100 + 30_500));
    expect(postsTo('CSALES').map((c) => c.at - T0)).toEqual([0, 1100]);
  });

  it('paces posts into one channel at about one a second, and other channels alongside', async () => {
    fake.setChannelRateLimit({ perSecond: 1 });
    await enqueue(db, [
      ...['1', '2', '3'].map((n) => post(ws, `s${n}`, 'CSALES')),
      ...['1', '2', '3'].map((n) => post(ws, `w${n}`, 'CWEST')),
    ]);
    // One request at a time, so that virtual time cannot overtake a request still on its way.
    const deliverer = newDeliverer(db, fake, tokens, { now, sleep, concurrency: 1 });
    expect(await deliverer.drain()).toMatchObject({ sent: 6, retrying: 0 });
    expect(fake.callsTo('chat.postMessage').every((c) => c.ok)).toBe(true);
    const at = postsTo('CSALES').map((c) => c.at - T0);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1000);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(1000);
    expect(at[2]).toBeLessThan(2500);
  });
});
