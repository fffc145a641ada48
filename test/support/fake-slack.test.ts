import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, verifySlackRequest, webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, isCallTo, isResponse, LIMITS, RESPONSE_URL, startFakeSlack } from './fake-slack.js';
import {
  blockActionsBody,
  eventBody,
  nowSeconds,
  postSigned,
  signSlackRequest,
  slashCommandBody,
} from './slack-signing.js';

const TEAM = 'T0TEAM0001';
const OTHER_TEAM = 'T0TEAM0002';
const BOT_TOKEN = 'xoxb-fake-bot';
const BOT_USER = 'U0BOT00001';
const REP = 'U0REP00001';
const OUTSIDER = 'U0OUT00001';
const SALES = 'C0SALES001';

const silentLogger: webApi.Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => {},
};

/** A real WebClient on the fake, retries off; `undefined` sends no token at all. */
function clientFor(fake: FakeSlack, token: string | undefined): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silentLogger,
  });
}

type Refusal = webApi.WebAPICallResult & { error: string; errors?: string[] };

/** The `{ ok: false, error, … }` body of a refused call. */
async function refusal(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    if (error instanceof webApi.WebAPIPlatformError) return error.data;
    throw error;
  }
  throw new Error('expected Slack to refuse the call');
}

async function thrown(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const x = (length: number): string => 'x'.repeat(length);
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (actionId: string, text = 'Go', value = 'v') => ({
  type: 'button',
  action_id: actionId,
  text: plain(text),
  value,
});
const actions = (elements: unknown[]) => ({ type: 'actions', elements });
const times = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

describe('fake Slack Web API', () => {
  let fake: FakeSlack;
  let slack: webApi.WebClient;

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addToken(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER, botId: 'B0BOT00001' });
    fake.addUser({
      id: REP,
      teamId: TEAM,
      name: 'ana',
      realName: 'Ana Lima',
      tz: 'America/Los_Angeles',
      email: 'ana@example.com',
    });
    fake.addUser({ id: OUTSIDER, teamId: OTHER_TEAM, name: 'olaf' });
    fake.addChannel({ id: SALES, teamId: TEAM, members: [REP, 'U0REP00002', 'U0REP00003'] });
    fake.addChannel({ id: 'C0ARCHIVED', teamId: TEAM, members: [REP], archived: true });
    fake.addChannel({ id: 'C0NOBOT001', teamId: TEAM, members: [REP], botIsMember: false });
    fake.addChannel({ id: 'C0OTHER001', teamId: OTHER_TEAM, members: [OUTSIDER] });
    slack = clientFor(fake, BOT_TOKEN);
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  describe('authentication', () => {
    it('answers auth.test for a registered token and records the call', async () => {
      const result = await slack.auth.test();
      expect(result).toMatchObject({ ok: true, team_id: TEAM, user_id: BOT_USER, bot_id: 'B0BOT00001' });
      expect(result.url).toMatch(/^https:\/\/.+\.slack\.com\/$/);
      expect(fake.callsTo('auth.test')).toMatchObject([{ token: BOT_TOKEN, ok: true }]);
    });

    it('refuses a missing, unknown or revoked token', async () => {
      expect((await refusal(clientFor(fake, undefined).auth.test())).error).toBe('not_authed');
      expect((await refusal(clientFor(fake, 'xoxb-nope').auth.test())).error).toBe('invalid_auth');
      fake.addToken('xoxb-revoked', { teamId: TEAM, botUserId: BOT_USER, botId: 'B0BOT00001' });
      fake.revokeToken('xoxb-revoked');
      expect((await refusal(clientFor(fake, 'xoxb-revoked').auth.test())).error).toBe('token_revoked');
    });

    it('enforces scopes when the token declares them', async () => {
      fake.addToken('xoxb-scoped', { teamId: TEAM, botUserId: BOT_USER, botId: 'B0BOT00001', scopes: ['users:read'] });
      const data = await refusal(clientFor(fake, 'xoxb-scoped').chat.postMessage({ channel: SALES, text: 'hi' }));
      expect(data).toMatchObject({ error: 'missing_scope', needed: 'chat:write', provided: 'users:read' });
    });

    it('takes the token from a JSON body only through the Authorization header', async () => {
      const post = (headers: Record<string, string>, body: object) =>
        fetch(`${fake.apiUrl}auth.test`, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
          body: JSON.stringify(body),
        }).then((response) => response.json());
      expect(await post({ authorization: `Bearer ${BOT_TOKEN}` }, {})).toMatchObject({ ok: true, team_id: TEAM });
      expect(await post({}, { token: BOT_TOKEN })).toMatchObject({ ok: false, error: 'not_authed' });
    });

    it('answers unknown methods with unknown_method', async () => {
      expect((await refusal(slack.apiCall('kpi.nothing'))).error).toBe('unknown_method');
    });
  });

  describe('chat.postMessage', () => {
    it('posts to a channel, returning ts and the message, with blocks recorded decoded', async () => {
      const blocks = [section('*Scorecard*')];
      const result = await slack.chat.postMessage({ channel: SALES, text: 'Scorecard', blocks });
      expect(result).toMatchObject({ ok: true, channel: SALES, message: { text: 'Scorecard', bot_id: 'B0BOT00001' } });
      expect(result.ts).toMatch(/^\d+\.\d{6}$/);
      expect(fake.callsTo('chat.postMessage')[0]?.args).toEqual({ channel: SALES, text: 'Scorecard', blocks });
    });

    it('opens a DM when posting to a user id of the team, and refuses unknown or foreign users', async () => {
      expect((await slack.chat.postMessage({ channel: REP, text: 'hi' })).channel).toMatch(/^D/);
      expect((await refusal(slack.chat.postMessage({ channel: 'U0NOBODY01', text: 'hi' }))).error).toBe(
        'channel_not_found',
      );
      expect((await refusal(slack.chat.postMessage({ channel: OUTSIDER, text: 'hi' }))).error).toBe(
        'channel_not_found',
      );
    });

    it('refuses messages without text or blocks', async () => {
      expect((await refusal(slack.apiCall('chat.postMessage', { channel: SALES }))).error).toBe('no_text');
      expect((await refusal(slack.apiCall('chat.postMessage', { channel: SALES, text: '', blocks: [] }))).error).toBe(
        'no_text',
      );
    });

    it('refuses text over 40,000 characters and accepts exactly 40,000', async () => {
      const tooLong = x(LIMITS.messageText + 1);
      expect((await refusal(slack.chat.postMessage({ channel: SALES, text: tooLong }))).error).toBe('msg_too_long');
      await expect(slack.chat.postMessage({ channel: SALES, text: x(LIMITS.messageText) })).resolves.toMatchObject({
        ok: true,
      });
    });

    it.each([
      ['an unknown channel', 'C0NOWHERE1', 'channel_not_found'],
      ["another team's channel", 'C0OTHER001', 'channel_not_found'],
      ['a channel the bot is not in', 'C0NOBOT001', 'not_in_channel'],
      ['an archived channel', 'C0ARCHIVED', 'is_archived'],
    ])('refuses %s', async (_name, channel, error) => {
      expect((await refusal(slack.chat.postMessage({ channel, text: 'hi' }))).error).toBe(error);
    });

    it('refuses a missing channel', async () => {
      expect((await refusal(slack.apiCall('chat.postMessage', { text: 'hi' }))).error).toBe('channel_not_found');
    });

    it('refuses blocks that are not a JSON array', async () => {
      const object = await refusal(
        slack.apiCall('chat.postMessage', { channel: SALES, text: 'hi', blocks: { type: 'divider' } }),
      );
      expect(object.error).toBe('invalid_blocks_format');
      const garbage = await refusal(slack.apiCall('chat.postMessage', { channel: SALES, text: 'hi', blocks: '[{' }));
      expect(garbage.error).toBe('invalid_blocks_format');
    });
  });

  describe('Block Kit validation', () => {
    const invalid: [string, unknown[], string][] = [
      ['more than 50 blocks', times(51, () => ({ type: 'divider' })), '/blocks'],
      ['section text over 3,000', [section(x(3001))], '/blocks/0/text/text'],
      ['section without text or fields', [{ type: 'section' }], '/blocks/0'],
      ['more than 10 section fields', [{ type: 'section', fields: times(11, () => mrkdwn('f')) }], '/blocks/0/fields'],
      ['a section field over 2,000', [{ type: 'section', fields: [mrkdwn(x(2001))] }], '/blocks/0/fields/0/text'],
      ['header text over 150', [{ type: 'header', text: plain(x(151)) }], '/blocks/0/text/text'],
      ['mrkdwn header text', [{ type: 'header', text: mrkdwn('KPIs') }], '/blocks/0/text/type'],
      [
        'more than 10 context elements',
        [{ type: 'context', elements: times(11, () => mrkdwn('c')) }],
        '/blocks/0/elements',
      ],
      ['more than 25 actions elements', [actions(times(26, (i) => button(`a${i}`)))], '/blocks/0/elements'],
      ['button text over 75', [actions([button('a', x(76))])], '/blocks/0/elements/0/text/text'],
      [
        'mrkdwn button text',
        [actions([{ type: 'button', action_id: 'a', text: mrkdwn('Go') }])],
        '/blocks/0/elements/0/text/type',
      ],
      ['action_id over 255', [actions([button(x(256))])], '/blocks/0/elements/0/action_id'],
      [
        'duplicate action_id in a message',
        [actions([button('a')]), actions([button('a')])],
        '/blocks/1/elements/0/action_id',
      ],
      ['button value over 2,000', [actions([button('a', 'Go', x(2001))])], '/blocks/0/elements/0/value'],
      ['block_id over 255', [{ type: 'divider', block_id: x(256) }], '/blocks/0/block_id'],
      [
        'duplicate block_id',
        [
          { type: 'divider', block_id: 'b' },
          { type: 'divider', block_id: 'b' },
        ],
        '/blocks/1/block_id',
      ],
      ['an unknown block type', [{ type: 'scorecard' }], '/blocks/0/type'],
      ['a block without type', [{ text: mrkdwn('hi') }], '/blocks/0'],
      [
        'an unknown text object type',
        [{ type: 'section', text: { type: 'markdown', text: 'hi' } }],
        '/blocks/0/text/type',
      ],
      [
        'emoji on a mrkdwn text object',
        [{ type: 'section', text: { ...mrkdwn('hi'), emoji: true } }],
        '/blocks/0/text',
      ],
      ['an image without alt_text', [{ type: 'image', image_url: 'https://example.com/a.png' }], '/blocks/0'],
      ['an image without image_url', [{ type: 'image', alt_text: 'chart' }], '/blocks/0'],
      ['an empty text', [section('')], '/blocks/0/text/text'],
    ];

    it.each(invalid)('refuses %s with invalid_blocks and a json-pointer reason', async (_name, blocks, pointer) => {
      const data = await refusal(slack.apiCall('chat.postMessage', { channel: SALES, text: 'fallback', blocks }));
      expect(data.error).toBe('invalid_blocks');
      expect(data.errors).toEqual(expect.arrayContaining([expect.stringContaining(`[json-pointer:${pointer}]`)]));
      expect(data.response_metadata?.messages?.[0]).toMatch(/^\[ERROR\] /);
    });

    it('accepts a message that sits exactly at every limit', async () => {
      const blocks = [
        { type: 'header', block_id: x(255), text: plain(x(150)) },
        { type: 'section', text: mrkdwn(x(3000)), fields: times(10, () => mrkdwn(x(2000))) },
        {
          type: 'context',
          elements: [...times(9, () => plain('c')), { type: 'image', image_url: 'https://e.x/i.png', alt_text: 'i' }],
        },
        actions([button(x(255), x(75), x(2000)), ...times(24, (i) => button(`b${i}`))]),
        { type: 'image', image_url: 'https://example.com/chart.png', alt_text: 'chart', title: plain('Chart') },
        ...times(45, () => ({ type: 'divider' })),
      ];
      expect(blocks).toHaveLength(LIMITS.messageBlocks);
      await expect(slack.chat.postMessage({ channel: SALES, text: 'fallback', blocks })).resolves.toMatchObject({
        ok: true,
      });
    });
  });

  describe('chat.postEphemeral and chat.update', () => {
    it('posts ephemerally only to members of the channel', async () => {
      await expect(slack.chat.postEphemeral({ channel: SALES, user: REP, text: 'psst' })).resolves.toMatchObject({
        ok: true,
      });
      const data = await refusal(slack.chat.postEphemeral({ channel: SALES, user: OUTSIDER, text: 'psst' }));
      expect(data.error).toBe('user_not_in_channel');
      expect((await refusal(slack.apiCall('chat.postEphemeral', { channel: SALES, user: REP }))).error).toBe('no_text');
    });

    it('updates a message it knows and refuses unknown ones or invalid content', async () => {
      const { ts } = await slack.chat.postMessage({ channel: SALES, text: 'v1' });
      if (ts === undefined) throw new Error('no ts');
      await expect(slack.chat.update({ channel: SALES, ts, text: 'v2' })).resolves.toMatchObject({
        ok: true,
        ts,
        text: 'v2',
      });
      expect((await refusal(slack.chat.update({ channel: SALES, ts: '1.000001', text: 'v2' }))).error).toBe(
        'message_not_found',
      );
      expect((await refusal(slack.apiCall('chat.update', { channel: SALES, ts }))).error).toBe('no_text');
      const invalid = await refusal(slack.chat.update({ channel: SALES, ts, text: 'v3', blocks: [section(x(3001))] }));
      expect(invalid.error).toBe('invalid_blocks');
    });

    it("refuses to update another author's message", async () => {
      fake.addMessage({ channel: SALES, ts: '1700000000.000100', userId: REP, text: 'mine' });
      const data = await refusal(slack.chat.update({ channel: SALES, ts: '1700000000.000100', text: 'yours' }));
      expect(data.error).toBe('cant_update_message');
    });

    it('gives a permalink only for a message it has', async () => {
      fake.addMessage({ channel: SALES, ts: '1700000000.000200', userId: REP, text: 'call with Acme' });
      const link = await slack.chat.getPermalink({ channel: SALES, message_ts: '1700000000.000200' });
      expect(link.permalink).toMatch(new RegExp(`/archives/${SALES}/p1700000000000200$`));
      const missing = await refusal(slack.chat.getPermalink({ channel: SALES, message_ts: '1700000000.000999' }));
      expect(missing.error).toBe('message_not_found');
      const elsewhere = await refusal(
        slack.chat.getPermalink({ channel: 'C0OTHER001', message_ts: '1700000000.000200' }),
      );
      expect(elsewhere.error).toBe('channel_not_found');
    });
  });

  describe('views.publish', () => {
    const home = (blocks: unknown[]) => ({ type: 'home', blocks });
    /** Untyped on purpose: the fake, not the compiler, must refuse bad views. */
    const publish = (args: Record<string, unknown>) => slack.apiCall('views.publish', args);

    it('publishes a home view for a user of the team', async () => {
      const result = await publish({ user_id: REP, view: home([section('Hello')]) });
      expect(result).toMatchObject({ ok: true, view: { type: 'home', team_id: TEAM } });
    });

    it('requires user_id and a home view, and caps blocks at 100', async () => {
      expect((await refusal(slack.apiCall('views.publish', { view: home([]) }))).error).toBe('invalid_arguments');
      const modal = { type: 'modal', title: plain('KPIs'), blocks: [] };
      expect((await refusal(slack.apiCall('views.publish', { user_id: REP, view: modal }))).error).toBe(
        'invalid_arguments',
      );
      const tooMany = await refusal(publish({ user_id: REP, view: home(times(101, () => ({ type: 'divider' }))) }));
      expect(tooMany).toMatchObject({ error: 'invalid_arguments' });
      expect(tooMany.response_metadata?.messages?.[0]).toContain('[json-pointer:/view/blocks]');
      const maxed = publish({
        user_id: REP,
        view: home(times(LIMITS.viewBlocks, () => ({ type: 'divider' }))),
      });
      await expect(maxed).resolves.toMatchObject({ ok: true });
    });

    it('applies the shared Block Kit checks to views', async () => {
      const data = await refusal(publish({ user_id: REP, view: home([{ type: 'header', text: plain(x(151)) }]) }));
      expect(data.response_metadata?.messages).toEqual([
        '[ERROR] must be less than 151 characters [json-pointer:/view/blocks/0/text/text]',
      ]);
    });
  });

  describe('users and conversations', () => {
    it('returns a realistic user from users.info', async () => {
      const { user } = await slack.users.info({ user: REP });
      expect(user).toMatchObject({
        id: REP,
        team_id: TEAM,
        name: 'ana',
        real_name: 'Ana Lima',
        tz: 'America/Los_Angeles',
        profile: { display_name: 'ana', real_name: 'Ana Lima', email: 'ana@example.com' },
        is_bot: false,
        deleted: false,
      });
      expect([-28_800, -25_200]).toContain(user?.tz_offset);
    });

    it('refuses unknown users and users of another team', async () => {
      expect((await refusal(slack.users.info({ user: 'U0NOBODY01' }))).error).toBe('user_not_found');
      expect((await refusal(slack.users.info({ user: OUTSIDER }))).error).toBe('user_not_found');
    });

    it('looks users up by email', async () => {
      await expect(slack.users.lookupByEmail({ email: 'ANA@example.com' })).resolves.toMatchObject({
        user: { id: REP },
      });
      expect((await refusal(slack.users.lookupByEmail({ email: 'who@example.com' }))).error).toBe('users_not_found');
    });

    it('lets a bot look up and list a public channel it is not in, but not post to it or read it', async () => {
      const info = await slack.conversations.info({ channel: 'C0NOBOT001' });
      expect(info.channel).toMatchObject({ id: 'C0NOBOT001', is_private: false, is_member: false });
      expect((await slack.conversations.info({ channel: SALES })).channel).toMatchObject({ is_member: true });
      expect((await slack.conversations.members({ channel: 'C0NOBOT001' })).members).toEqual([REP]);
      expect((await refusal(slack.chat.postMessage({ channel: 'C0NOBOT001', text: 'hi' }))).error).toBe(
        'not_in_channel',
      );
      expect((await refusal(slack.conversations.history({ channel: 'C0NOBOT001' }))).error).toBe('not_in_channel');
    });

    it('hides a private channel the bot is not in from every method', async () => {
      fake.addChannel({ id: 'G0SECRET01', teamId: TEAM, members: [REP], botIsMember: false, isPrivate: true });
      for (const call of [
        slack.conversations.info({ channel: 'G0SECRET01' }),
        slack.conversations.members({ channel: 'G0SECRET01' }),
        slack.conversations.history({ channel: 'G0SECRET01' }),
        slack.chat.postMessage({ channel: 'G0SECRET01', text: 'hi' }),
      ])
        expect((await refusal(call)).error).toBe('channel_not_found');
    });

    it('pages conversations.members with cursors', async () => {
      const first = await slack.conversations.members({ channel: SALES, limit: 2 });
      expect(first.members).toEqual([REP, 'U0REP00002']);
      const cursor = first.response_metadata?.next_cursor;
      expect(cursor).toBeTruthy();
      const second = await slack.conversations.members({ channel: SALES, limit: 2, cursor });
      expect(second).toMatchObject({ members: ['U0REP00003'], response_metadata: { next_cursor: '' } });
      expect((await refusal(slack.conversations.members({ channel: 'C0NOWHERE1' }))).error).toBe('channel_not_found');
    });
  });

  describe('oauth.v2.access', () => {
    it('exchanges a registered code once and activates the installed bot token', async () => {
      fake.addOAuthCode('code-1', {
        team: { id: 'T0NEWTEAM1', name: 'New Team' },
        authed_user: { id: 'U0ADMIN001' },
        access_token: 'xoxb-installed',
        scope: 'chat:write,users:read',
        bot_user_id: 'U0NEWBOT01',
      });
      const noToken = clientFor(fake, undefined);
      const access = { client_id: 'cid', client_secret: 'secret', code: 'code-1' };
      await expect(noToken.oauth.v2.access(access)).resolves.toMatchObject({
        ok: true,
        access_token: 'xoxb-installed',
        team: { id: 'T0NEWTEAM1' },
        is_enterprise_install: false,
      });
      expect((await refusal(noToken.oauth.v2.access(access))).error).toBe('invalid_code');
      const installed = await clientFor(fake, 'xoxb-installed').auth.test();
      expect(installed).toMatchObject({
        team_id: 'T0NEWTEAM1',
        user_id: 'U0NEWBOT01',
        bot_id: expect.stringMatching(/^B/),
      });
    });

    it('checks client credentials when configured', async () => {
      const strict = await startFakeSlack({ clientId: 'cid', clientSecret: 'secret' });
      try {
        strict.addOAuthCode('code-2', { team: { id: TEAM }, authed_user: { id: REP } });
        const data = await refusal(
          clientFor(strict, undefined).oauth.v2.access({ client_id: 'cid', client_secret: 'bad', code: 'code-2' }),
        );
        expect(data.error).toBe('bad_client_secret');
      } finally {
        await strict.close();
      }
    });
  });

  describe('failure injection and rate limits', () => {
    it('fails the next call with a Slack error, then recovers', async () => {
      fake.failNext('chat.postMessage', { error: 'channel_not_found', times: 2 });
      expect((await refusal(slack.chat.postMessage({ channel: SALES, text: 'a' }))).error).toBe('channel_not_found');
      expect((await refusal(slack.chat.postMessage({ channel: SALES, text: 'b' }))).error).toBe('channel_not_found');
      await expect(slack.chat.postMessage({ channel: SALES, text: 'c' })).resolves.toMatchObject({ ok: true });
      expect(fake.callsTo('chat.postMessage').map((call) => call.ok)).toEqual([false, false, true]);
    });

    it('injects HTTP 500s', async () => {
      fake.failNext('users.info', { status: 500 });
      const error = await thrown(slack.users.info({ user: REP }));
      expect(error).toBeInstanceOf(webApi.WebAPIHTTPError);
      expect(error).toMatchObject({ statusCode: 500 });
    });

    it('injects 429s whose Retry-After reaches the client as data', async () => {
      fake.failNext('chat.postMessage', { retryAfter: 7 });
      const error = await thrown(slack.chat.postMessage({ channel: SALES, text: 'hi' }));
      expect(error).toBeInstanceOf(webApi.WebAPIRateLimitedError);
      expect(error).toMatchObject({ retryAfter: 7 });
      expect(fake.callsTo('chat.postMessage')[0]).toMatchObject({ status: 429, error: 'ratelimited' });
    });

    it('enforces a per-method sliding window', async () => {
      let clock = 1_700_000_000_000;
      const timed = await startFakeSlack({ now: () => clock });
      try {
        timed.addToken(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER, botId: 'B0BOT00001' });
        timed.setRateLimit('auth.test', { perSecond: 2 });
        const client = clientFor(timed, BOT_TOKEN);
        await client.auth.test();
        clock += 400;
        await client.auth.test();
        clock += 100;
        const error = await thrown(client.auth.test());
        expect(error).toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 1 });
        clock += 501; // the first call leaves the window
        await expect(client.auth.test()).resolves.toMatchObject({ ok: true });
        expect(timed.calls.map((call) => call.status)).toEqual([200, 200, 429, 200]);
      } finally {
        await timed.close();
      }
    });
  });

  describe('message metadata and conversations.history', () => {
    const BOARD = 'C0HISTORY1';
    const meta = (key: string) => ({ event_type: 'kpi_bot_post', event_payload: { key } });

    beforeAll(() => {
      fake.addChannel({ id: BOARD, teamId: TEAM, members: [REP] });
    });

    it('keeps the metadata a post carries, and returns it only when asked, newest first', async () => {
      const first = await slack.chat.postMessage({ channel: BOARD, text: 'one', metadata: meta('k1') });
      const second = await slack.chat.postMessage({ channel: BOARD, text: 'two', metadata: meta('k2') });
      const plainHistory = await slack.conversations.history({ channel: BOARD });
      expect(plainHistory.messages?.map((m) => [m.text, m.metadata])).toEqual([
        ['two', undefined],
        ['one', undefined],
      ]);
      const withMetadata = await slack.conversations.history({ channel: BOARD, include_all_metadata: true });
      expect(withMetadata.messages?.map((m) => [m.ts, m.metadata])).toEqual([
        [second.ts, meta('k2')],
        [first.ts, meta('k1')],
      ]);
    });

    it('pages with limit and cursor, and bounds by oldest and latest (exclusive unless inclusive)', async () => {
      const ts: string[] = [];
      for (const n of [1, 2, 3, 4, 5]) {
        ts.push((await slack.chat.postMessage({ channel: BOARD, text: `p${n}`, metadata: meta(`p${n}`) })).ts ?? '');
      }
      const page1 = await slack.conversations.history({ channel: BOARD, oldest: ts[0], limit: 2 });
      expect(page1.messages?.map((m) => m.text)).toEqual(['p5', 'p4']);
      expect(page1.has_more).toBe(true);
      const page2 = await slack.conversations.history({
        channel: BOARD,
        oldest: ts[0],
        limit: 2,
        cursor: page1.response_metadata?.next_cursor,
      });
      expect(page2.messages?.map((m) => m.text)).toEqual(['p3', 'p2']);
      expect(page2.response_metadata?.next_cursor).toBe('');
      const bounded = await slack.conversations.history({
        channel: BOARD,
        oldest: ts[1],
        latest: ts[3],
        inclusive: true,
      });
      expect(bounded.messages?.map((m) => m.text)).toEqual(['p4', 'p3', 'p2']);
    });

    it('refuses malformed metadata and unknown channels', async () => {
      const bad = slack.chat.postMessage({ channel: BOARD, text: 'x', metadata: { event_type: 'x' } as never });
      expect((await refusal(bad)).error).toBe('invalid_metadata_format');
      expect((await refusal(slack.conversations.history({ channel: 'C0NOPE0001' }))).error).toBe('channel_not_found');
      expect((await refusal(slack.conversations.history({ channel: 'C0OTHER001' }))).error).toBe('channel_not_found');
    });

    it('finds a DM by the id chat.postMessage reported, and opens it by user', async () => {
      const posted = await slack.chat.postMessage({ channel: REP, text: 'hi', metadata: meta('dm') });
      expect(posted.channel).toBe(fake.dmChannelOf(REP));
      expect((await slack.conversations.open({ users: REP })).channel?.id).toBe(posted.channel);
      const history = await slack.conversations.history({ channel: posted.channel ?? '', include_all_metadata: true });
      expect(history.messages?.[0]?.metadata).toEqual(meta('dm'));
    });
  });

  describe('file uploads', () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const imageBlock = (id: string) => ({ type: 'image', slack_file: { id }, alt_text: 'chart' });

    async function uploadUrl(length = png.length) {
      const answer = await slack.files.getUploadURLExternal({ filename: 'chart.png', length });
      return { url: answer.upload_url ?? '', id: answer.file_id ?? '' };
    }

    const postBytes = (url: string, bytes: Buffer) => fetch(url, { method: 'POST', body: bytes });

    it('requires a filename and a length', async () => {
      const noName = slack.files.getUploadURLExternal({ length: 3 } as never);
      expect((await refusal(noName)).error).toBe('invalid_arguments');
      expect((await refusal(slack.files.getUploadURLExternal({ filename: 'a.png' } as never))).error).toBe(
        'invalid_arguments',
      );
      expect((await refusal(slack.files.getUploadURLExternal({ filename: 'a.png', length: 0 }))).error).toBe(
        'missing_argument',
      );
    });

    it('takes the bytes once, of the announced length', async () => {
      const { url, id } = await uploadUrl();
      expect((await postBytes(url, Buffer.from('short'))).status).toBe(400);
      expect((await postBytes(url, png)).status).toBe(200);
      expect((await postBytes(url, png)).status).toBe(400);
      expect(fake.file(id)?.bytes?.equals(png)).toBe(true);
    });

    it('completes only uploaded files, into a channel it can post to or privately', async () => {
      const { url, id } = await uploadUrl();
      const early = slack.files.completeUploadExternal({ files: [{ id }] });
      expect((await refusal(early)).error).toBe('file_not_found');
      await postBytes(url, png);
      const archived = slack.files.completeUploadExternal({ files: [{ id }], channel_id: 'C0ARCHIVED' });
      expect((await refusal(archived)).error).toBe('is_archived');
      const done = await slack.files.completeUploadExternal({ files: [{ id, title: 'Board' }] });
      expect(done.files?.[0]).toMatchObject({ id, title: 'Board' });
    });

    it('shows a file in an image block only once it is completed and processed', async () => {
      let clock = 1_700_000_000_000;
      const timed = await startFakeSlack({ now: () => clock });
      try {
        timed.addToken(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER });
        timed.addChannel({ id: SALES, teamId: TEAM, members: [REP] });
        timed.setFileProcessing(1000);
        const client = clientFor(timed, BOT_TOKEN);
        const answer = await client.files.getUploadURLExternal({ filename: 'chart.png', length: png.length });
        const id = answer.file_id ?? '';
        const post = () => client.chat.postMessage({ channel: SALES, text: 'board', blocks: [imageBlock(id)] });
        await postBytes(answer.upload_url ?? '', png);
        const uncompleted = await refusal(post());
        expect(uncompleted.error).toBe('invalid_blocks');
        expect(uncompleted.errors).toEqual(['invalid slack file [json-pointer:/blocks/0/slack_file]']);
        await client.files.completeUploadExternal({ files: [{ id }] });
        expect((await refusal(post())).error).toBe('invalid_blocks');
        clock += 1000;
        await expect(post()).resolves.toMatchObject({ ok: true });
      } finally {
        await timed.close();
      }
    });
  });

  describe('per-channel rate limit and withheld answers', () => {
    it('limits chat.postMessage per channel, not across channels', async () => {
      let clock = 1_700_000_000_000;
      const timed = await startFakeSlack({ now: () => clock });
      try {
        timed.addToken(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER });
        timed.addChannel({ id: SALES, teamId: TEAM, members: [REP] });
        timed.addUser({ id: REP, teamId: TEAM });
        timed.setChannelRateLimit({ perSecond: 1 });
        const client = clientFor(timed, BOT_TOKEN);
        await client.chat.postMessage({ channel: SALES, text: 'a' });
        await client.chat.postMessage({ channel: REP, text: 'a DM is a channel of its own' });
        clock += 999;
        const error = await thrown(client.chat.postMessage({ channel: SALES, text: 'b' }));
        expect(error).toMatchObject({ code: webApi.ErrorCode.RateLimitedError, retryAfter: 1 });
        clock += 1;
        await expect(client.chat.postMessage({ channel: SALES, text: 'b' })).resolves.toMatchObject({ ok: true });
        expect(timed.messagesIn(SALES).map((m) => m.text)).toEqual(['a', 'b']);
      } finally {
        await timed.close();
      }
    });

    it('withholds answers after a count, while the calls still take effect', async () => {
      fake.holdAnswersAfter('chat.postMessage', 1);
      await slack.chat.postMessage({ channel: SALES, text: 'answered' });
      const held = slack.chat.postMessage({ channel: SALES, text: 'in flight' });
      await fake.waitFor((e) => isCallTo('chat.postMessage')(e) && e.args.text === 'in flight');
      const outcome = await Promise.race([held.then(() => 'answered'), new Promise((r) => setTimeout(r, 200, 'held'))]);
      expect(outcome).toBe('held');
      expect(fake.messagesIn(SALES).some((m) => m.text === 'in flight')).toBe(true);
      held.catch(() => {}); // the socket closes with the fake
    });
  });

  describe('response_url', () => {
    /** What Bolt's respond() sends. */
    const respond = (url: string, message: object) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message) });

    it('accepts and records messages', async () => {
      const url = fake.responseUrl('cmd-1');
      const response = await respond(url, { text: 'Done', response_type: 'ephemeral', replace_original: false });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
      expect(fake.responses).toMatchObject([{ id: 'cmd-1', via: 'response_url', body: { text: 'Done' }, ok: true }]);
    });

    it('refuses what Slack refuses with a non-2xx status', async () => {
      const url = fake.responseUrl();
      expect((await respond(url, { response_type: 'in_channel' })).status).toBe(400);
      expect((await respond(url, { text: 'x', blocks: [section(x(3001))] })).status).toBe(400);
      expect((await respond(url, { text: 'x', response_type: 'everyone' })).status).toBe(400);
      expect(fake.responses.map((r) => r.error)).toEqual(['no_text', 'invalid_blocks', 'invalid_arguments']);
      expect((await respond(url, { delete_original: true })).status).toBe(200);
    });

    it('allows five uses per URL, like Slack', async () => {
      const url = fake.responseUrl();
      for (let use = 0; use < LIMITS.responseUrlUses; use += 1)
        expect((await respond(url, { text: 'ok' })).status).toBe(200);
      const sixth = await respond(url, { text: 'again' });
      expect(sixth.status).toBe(404);
      expect(await sixth.json()).toMatchObject({ error: 'used_url' });
    });

    it('fails on demand', async () => {
      fake.failNext(RESPONSE_URL, { status: 500 });
      expect((await respond(fake.responseUrl(), { text: 'x' })).status).toBe(500);
    });
  });

  describe('a slash command answered in its acknowledgement', () => {
    const respond = (url: string, message: object) =>
      fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message) });
    const json = 'application/json';
    const answer = (message: object, contentType: string | null = json) => ({
      status: 200,
      contentType,
      text: JSON.stringify(message),
    });

    it('records the answer as the response_url reply, without using the URL', async () => {
      const url = fake.responseUrl('cmd-inline');
      const recorded = fake.commandAnswered(url, answer({ response_type: 'ephemeral', text: 'Done' }));
      expect(recorded).toMatchObject({ id: 'cmd-inline', via: 'ack', body: { text: 'Done' }, ok: true, status: 200 });
      expect(fake.responses).toEqual([recorded]);
      // Neither the URL's injected failures nor its uses apply: nothing was posted to it.
      fake.failNext(RESPONSE_URL, { status: 500 });
      expect(fake.commandAnswered(url, answer({ text: 'again' }))?.ok).toBe(true);
      expect((await respond(url, { text: 'later' })).status).toBe(500);
      for (let use = 0; use < LIMITS.responseUrlUses; use += 1) {
        expect((await respond(url, { text: 'later' })).status).toBe(200);
      }
    });

    it('records nothing for a bare acknowledgement or a refused request', () => {
      const url = fake.responseUrl();
      expect(fake.commandAnswered(url, { status: 200, contentType: null, text: '' })).toBeUndefined();
      expect(fake.commandAnswered(url, { status: 401, contentType: null, text: '' })).toBeUndefined();
      expect(fake.responses).toEqual([]);
    });

    it('checks the answer as a response_url post, records the refusal and throws', () => {
      const url = fake.responseUrl('bad');
      expect(() => fake.commandAnswered(url, answer({ text: 'x', blocks: [section(x(3001))] }))).toThrow(
        /invalid_blocks/,
      );
      expect(() => fake.commandAnswered(url, answer({ response_type: 'ephemeral' }))).toThrow(/no_text/);
      expect(() => fake.commandAnswered(url, answer({ text: 'x' }, 'text/plain'))).toThrow(/invalid_payload/);
      expect(fake.responses.map((r) => [r.id, r.status, r.error])).toEqual([
        ['bad', 400, 'invalid_blocks'],
        ['bad', 400, 'no_text'],
        ['bad', 400, 'invalid_payload'],
      ]);
    });

    it('only takes its own response URLs', () => {
      expect(() => fake.commandAnswered('https://hooks.slack.com/commands/1', answer({ text: 'x' }))).toThrow(
        /not a response_url of this fake/,
      );
    });
  });

  describe('waitFor', () => {
    it('resolves on a later matching call without polling', async () => {
      const waiting = fake.waitFor(isCallTo('chat.postMessage'));
      await slack.auth.test();
      await slack.chat.postMessage({ channel: SALES, text: 'later' });
      await expect(waiting).resolves.toMatchObject({ method: 'chat.postMessage', args: { text: 'later' } });
    });

    it('resolves at once for an already recorded entry and rejects on timeout with a summary', async () => {
      await slack.auth.test();
      await expect(fake.waitFor(isCallTo('auth.test'))).resolves.toMatchObject({ ok: true });
      await expect(fake.waitFor(isResponse, 30)).rejects.toThrow(/timed out after 30ms; recorded: auth\.test\(ok\)/);
    });
  });
});

describe('slack-signing', () => {
  const secret = 'shh-signing-secret';

  it('produces signatures that Bolt verifies, and that fail with a wrong secret', () => {
    const body = slashCommandBody({ teamId: TEAM, userId: REP, text: 'week', responseUrl: 'https://example.com/r' });
    const signed = signSlackRequest(secret, body);
    const headers = { ...signed, 'x-slack-request-timestamp': Number(signed['x-slack-request-timestamp']) };
    expect(() => verifySlackRequest({ signingSecret: secret, body, headers })).not.toThrow();
    expect(() => verifySlackRequest({ signingSecret: 'wrong', body, headers })).toThrow(/signature mismatch/);
    expect(() => verifySlackRequest({ signingSecret: secret, body: `${body}&x=1`, headers })).toThrow(
      /signature mismatch/,
    );
  });

  it('timestamps signatures so stale ones are refused', () => {
    const stale = nowSeconds() - 6 * 60;
    const signed = signSlackRequest(secret, 'a=b', stale);
    expect(signed['x-slack-request-timestamp']).toBe(String(stale));
    const headers = { ...signed, 'x-slack-request-timestamp': stale };
    expect(() => verifySlackRequest({ signingSecret: secret, body: 'a=b', headers })).toThrow(/stale/);
  });

  it('builds slash command, interactivity and event bodies the way Slack sends them', () => {
    const command = new URLSearchParams(
      slashCommandBody({ teamId: TEAM, userId: REP, text: 'me last week', responseUrl: 'https://r.example/1' }),
    );
    expect([...command.keys()]).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(command.get('command')).toBe('/kpi');
    expect(command.get('text')).toBe('me last week');

    const payload = { type: 'block_actions', actions: [{ action_id: 'refresh' }] };
    expect(JSON.parse(new URLSearchParams(blockActionsBody(payload)).get('payload') ?? '')).toEqual(payload);

    const envelope = JSON.parse(eventBody({ type: 'app_home_opened', user: REP }, { teamId: TEAM, eventId: 'Ev1' }));
    expect(envelope).toMatchObject({
      type: 'event_callback',
      team_id: TEAM,
      event_id: 'Ev1',
      event: { type: 'app_home_opened' },
      authorizations: [{ team_id: TEAM, is_bot: true }],
    });
    expect(envelope.event_time).toBeTypeOf('number');
  });
});

describe('Bolt HTTPReceiver against the fake', () => {
  const signingSecret = 'bolt-signing-secret';
  let fake: FakeSlack;
  let app: App;
  let eventsUrl: string;

  beforeAll(async () => {
    fake = await startFakeSlack();
    fake.addToken(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER, botId: 'B0BOT00001' });
    fake.addChannel({ id: SALES, teamId: TEAM, members: [REP] });
    const receiver = new HTTPReceiver({ signingSecret, logLevel: LogLevel.ERROR });
    app = new App({
      token: BOT_TOKEN,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logger: silentLogger },
    });
    app.command('/kpi', async ({ ack, respond, client, command }) => {
      await ack();
      await respond({ text: `You asked for ${command.text}`, response_type: 'ephemeral' });
      await client.chat.postMessage({ channel: command.channel_id, text: 'Scorecard posted' });
    });
    const server = await receiver.start({ port: 0, host: '127.0.0.1' });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it('runs a signed slash command through respond() and the Web API', async () => {
    const body = slashCommandBody({
      teamId: TEAM,
      userId: REP,
      channelId: SALES,
      text: 'week',
      responseUrl: fake.responseUrl('slash'),
    });
    const result = await postSigned(eventsUrl, body, {
      signingSecret,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(result.status).toBe(200);
    await expect(fake.waitFor(isResponse)).resolves.toMatchObject({
      id: 'slash',
      body: { text: 'You asked for week' },
    });
    await expect(fake.waitFor(isCallTo('chat.postMessage'))).resolves.toMatchObject({
      ok: true,
      args: { channel: SALES },
    });
  });

  it('is refused by Bolt when signed with the wrong secret', async () => {
    const body = slashCommandBody({ teamId: TEAM, userId: REP, text: 'week', responseUrl: fake.responseUrl() });
    const result = await postSigned(eventsUrl, body, {
      signingSecret: 'wrong',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(result.status).toBe(401);
  });
});
