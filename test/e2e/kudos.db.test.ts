import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kudos, outbox, reactions } from '../../src/db/schema.js';
import { getSettings, saveSettings } from '../../src/game/settings.js';
import { markSent, reactionEvent, reactionsOn, trackEvents } from '../recognition/events.js';
import { describeDb, newWorkspaceId } from '../support/db.js';
import { isResponse, type RecordedResponse } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { postSigned, slashCommandBody } from '../support/slack-signing.js';

const CHANNEL = 'C0FAKE0001'; // where the harness types its commands
const RETRY = { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' };

function shown(reply: RecordedResponse): string {
  return JSON.stringify(reply.body);
}

describeDb('/kpi kudos end to end: thanks, the daily cap, reactions and the kudos board', () => {
  let h: Harness;
  let events: ReturnType<typeof trackEvents>;

  beforeAll(async () => {
    h = await startHarness({ now: new Date('2026-11-18T15:00:00Z') });
    events = trackEvents(h.bot.app);
    for (const [id, name] of [
      ['UANA', 'Ana'],
      ['UBEN', 'Ben'],
      ['UCAT', 'Cat'],
      ['UDAN', 'Dan'],
      ['UEVE', 'Eve'],
      ['UFAY', 'Fay'],
      ['UGUS', 'Gus'],
    ] as const) {
      h.addUser(id, { name }); // America/New_York
    }
    h.fake.addUser({ id: 'UROBOT', teamId: h.teamId, name: 'robot', isBot: true });
    // These tests look at the posts as decided, in the outbox: nothing sends them (posts-on-commit tests that).
    await h.bot.delivery.stop();
  });
  afterAll(async () => h.close());

  async function kudosOf(giverId: string) {
    return h.database.db
      .select()
      .from(kudos)
      .where(and(eq(kudos.workspaceId, h.teamId), eq(kudos.giverId, giverId)))
      .orderBy(kudos.id);
  }

  async function postOf(kudosId: number) {
    const [post] = await h.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.key, `kudos:${kudosId}`)));
    return post;
  }

  it('thanks a teammate in the channel, once even when Slack retries the command', async () => {
    const reply = await h.kpi('UANA', 'kudos <@UBEN|ben> for covering my demo', { triggerId: 'k-1' });
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toContain('Kudos to Ben!');
    const again = await h.kpi('UANA', 'kudos <@UBEN|ben> for covering my demo', { triggerId: 'k-1' });
    expect(again.body.text).toContain('already sent');
    const given = await kudosOf('UANA');
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ receiverId: 'UBEN', reason: 'for covering my demo', channelId: CHANNEL });
    const post = await postOf(given[0]?.id ?? -1);
    expect(post).toMatchObject({
      kind: 'kudos',
      target: CHANNEL,
      status: 'pending',
      subjectUserId: 'UBEN',
      refType: 'kudos',
      refId: given[0]?.id,
    });
    expect((post?.payload as { text: string }).text).toBe(
      ':raised_hands: <@UANA> gave kudos to <@UBEN>: for covering my demo',
    );
  });

  it('refuses kudos to yourself, to a bot, without a person or without a reason, storing nothing', async () => {
    const self = await h.kpi('UCAT', 'kudos <@UCAT|cat> for being me');
    expect(self.body.text).toContain('can’t give them to yourself');
    const bot = await h.kpi('UCAT', 'kudos <@UROBOT|robot> for the reminders');
    expect(bot.body.text).toContain('not bots');
    const nobody = await h.kpi('UCAT', 'kudos for the great call');
    expect(shown(nobody)).toContain('Who would you like to thank?');
    const noReason = await h.kpi('UCAT', 'kudos <@UDAN|dan>');
    expect(shown(noReason)).toContain('Say what you are thanking them for');
    expect(await kudosOf('UCAT')).toEqual([]);
    const all = await h.database.db.select().from(outbox).where(eq(outbox.workspaceId, h.teamId));
    expect(all).toHaveLength(1);
  });

  it('asks for a channel when kudos are typed in a direct message, which the bot cannot post in', async () => {
    const responseUrl = h.fake.responseUrl('dm-kudos');
    const body = slashCommandBody({
      teamId: h.teamId,
      userId: 'UCAT',
      text: 'kudos <@UDAN|dan> for the intro',
      responseUrl,
      channelId: 'D0CATDAN1',
    });
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(res.status).toBe(200);
    h.fake.commandAnswered(responseUrl, res);
    const reply = await h.fake.waitFor((e): e is RecordedResponse => isResponse(e) && e.id === 'dm-kudos', 10_000);
    expect(reply.body.text).toContain('type `/kpi kudos` in a channel');
    expect(await kudosOf('UCAT')).toEqual([]);
  });

  it('stops at the daily cap of the giver’s own day, and lets them give again the next day', async () => {
    const settings = await getSettings(h.database.db, h.teamId);
    await saveSettings(h.database.db, h.teamId, { ...settings, kudosDailyCap: 2 });
    await h.kpi('UCAT', 'kudos <@UDAN|dan> for the intro');
    const second = await h.kpi('UCAT', 'kudos <@UEVE|eve> for the slides');
    expect(second.body.text).toContain('You can give 0 more today');
    // 22:00 in New York, Cat's zone: still the same day for her, though it is tomorrow in UTC.
    h.clock.now = new Date('2026-11-19T03:00:00Z');
    const capped = await h.kpi('UCAT', 'kudos <@UFAY|fay> for the coffee');
    expect(capped.body.text).toContain('You’ve given your 2 kudos for today');
    expect(capped.body.text).toContain('nothing was posted');
    expect((await kudosOf('UCAT')).map((k) => k.receiverId)).toEqual(['UDAN', 'UEVE']);
    const posted = await h.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.kind, 'kudos')));
    expect(posted.map((p) => p.subjectUserId)).toEqual(['UBEN', 'UDAN', 'UEVE']);

    h.clock.now = new Date('2026-11-19T06:00:00Z'); // 01:00 the next day in New York
    const nextDay = await h.kpi('UCAT', 'kudos <@UFAY|fay> for the coffee');
    expect(nextDay.body.text).toContain('Kudos to Fay!');
    expect(await kudosOf('UCAT')).toHaveLength(3);
  });

  it('holds the cap when one giver sends many kudos at the same moment', async () => {
    const replies = await Promise.all(
      ['UANA', 'UBEN', 'UCAT', 'UDAN', 'UFAY'].map((to) => h.kpi('UEVE', `kudos <@${to}> for the team lunch`)),
    );
    expect(replies.filter((r) => String(r.body.text).includes('Kudos to'))).toHaveLength(2);
    expect(replies.filter((r) => String(r.body.text).includes('for today'))).toHaveLength(3);
    expect(await kudosOf('UEVE')).toHaveLength(2);
  });

  it('thanks a teammate who opted out privately, never in the channel', async () => {
    await h.kpi('UGUS', 'privacy hide');
    const reply = await h.kpi('UANA', 'kudos <@UGUS|gus> for the late-night proposal');
    expect(reply.body.text).toContain('privately');
    const [given] = (await kudosOf('UANA')).filter((k) => k.receiverId === 'UGUS');
    const post = await postOf(given?.id ?? -1);
    expect(post).toMatchObject({ target: 'UGUS', subjectUserId: 'UGUS' });
    expect((post?.payload as { text: string }).text).toContain('gave you kudos');
  });

  it('counts teammates’ reactions to a kudos post, not the receiver’s own, once despite retries', async () => {
    const [given] = await kudosOf('UANA');
    const ts = '1763560000.000100';
    await markSent(h.database.db, h.teamId, `kudos:${given?.id}`, CHANNEL, ts);
    const cheer = reactionEvent('reaction_added', { user: 'UDAN', channel: CHANNEL, ts, at: h.clock.now });
    await h.event(cheer, { eventId: 'EvK1' });
    await h.event(cheer, { eventId: 'EvK1', headers: RETRY });
    await h.event(reactionEvent('reaction_added', { user: 'UBEN', channel: CHANNEL, ts, reaction: 'pray' }));
    await events.settled();
    const counted = await reactionsOn(h.database.db, h.teamId, ts);
    expect(counted.map((r) => [r.reactorId, r.subjectUserId])).toEqual([['UDAN', 'UBEN']]);
  });

  it('ranks kudos and reactions received with shared places for ties, leaving out opted-out and bottom', async () => {
    h.clock.now = new Date('2026-11-25T15:00:00Z'); // a new week: earlier kudos are last week's
    const settings = await getSettings(h.database.db, h.teamId);
    await saveSettings(h.database.db, h.teamId, { ...settings, kudosDailyCap: 100 });
    const give = (from: string, to: string) => h.kpi(from, `kudos <@${to}> for the help`);
    // Ben 2 kudos + 1 reaction = 3; Cat 2; Dan 1 kudos + 1 reaction = 2; Eve 1; Gus (hidden) 4.
    await give('UANA', 'UBEN');
    await give('UCAT', 'UBEN');
    await give('UANA', 'UCAT');
    await give('UBEN', 'UCAT');
    const danKudos = await give('UANA', 'UDAN');
    expect(danKudos.body.text).toContain('Kudos to Dan!');
    await give('UANA', 'UEVE');
    for (const from of ['UANA', 'UBEN', 'UCAT', 'UDAN']) await give(from, 'UGUS');
    const week = await h.database.db
      .select()
      .from(kudos)
      .where(and(eq(kudos.workspaceId, h.teamId), eq(kudos.receiverId, 'UBEN')))
      .orderBy(kudos.id);
    const [benPost, danPost] = [week.at(-1), (await kudosOf('UANA')).find((k) => k.receiverId === 'UDAN')];
    await markSent(h.database.db, h.teamId, `kudos:${benPost?.id}`, CHANNEL, '1763990000.000100');
    await markSent(h.database.db, h.teamId, `kudos:${danPost?.id}`, CHANNEL, '1763990000.000200');
    await h.event(
      reactionEvent('reaction_added', { user: 'UEVE', channel: CHANNEL, ts: '1763990000.000100', at: h.clock.now }),
    );
    await h.event(
      reactionEvent('reaction_added', { user: 'UEVE', channel: CHANNEL, ts: '1763990000.000200', at: h.clock.now }),
    );
    await events.settled();

    h.clock.now = new Date('2026-11-25T15:05:00Z'); // a window runs up to now, exclusive
    const board = await h.kpi('UFAY', 'board kudos');
    expect(board.body.response_type).toBe('ephemeral');
    const lines = shown(board);
    expect(lines).toContain(':first_place_medal: Ben: *3*');
    expect(lines).toContain(':second_place_medal: Cat: *2*');
    expect(lines).toContain(':second_place_medal: Dan: *2*');
    expect(lines).toContain('4. Eve: *1*');
    expect(lines).not.toContain('Gus');
    expect(lines).not.toContain('Fay:'); // nothing received this week: not listed at zero
    expect(lines).not.toContain('<@'); // a board never pings
    expect(lines).toContain('No kudos or reactions for you in this window yet');
    expect(board.body.text).toMatch(/^Kudos: This week .*: 1\. Ben 3, 2\. Cat 2, 2\. Dan 2$/);

    // Another workspace's kudos and reactions for a person with the same id never count here.
    await h.database.db.insert(reactions).values({
      workspaceId: newWorkspaceId(),
      channelId: CHANNEL,
      messageTs: '1763990000.000100',
      reactorId: 'UDAN',
      emoji: 'tada',
      subjectUserId: 'UEVE',
      reactedAt: h.clock.now,
    });
    const again = await h.kpi('UFAY', 'kudos board this week');
    expect(shown(again)).toContain('4. Eve: *1*');

    const hidden = await h.kpi('UGUS', 'kudos board');
    expect(shown(hidden)).toContain('You received 4 (4 kudos, 0 reactions) (only you can see this)');
    expect(shown(hidden)).not.toContain('Gus:');
  });
});
