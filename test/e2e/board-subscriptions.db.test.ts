import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { activities, auditLog, boardSubscriptions, goals, members, outbox } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { createLogger } from '../../src/lib/logger.js';
import { describeDb } from '../support/db.js';
import { isResponse, type RecordedResponse } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { postSigned, slashCommandBody } from '../support/slack-signing.js';

/**
 * Scheduled channel boards end to end: managers subscribe through signed `/kpi` commands typed in
 * the channel, the `boards` job runs with an injected clock, and the outbox rows it writes are
 * checked (the deliverer, tested elsewhere, sends them).
 */

const text = (value: unknown) => JSON.stringify(value);

/** `/kpi <text>` typed by `userId` in `channelId`. */
async function kpiIn(h: Harness, channelId: string, userId: string, commandText: string): Promise<RecordedResponse> {
  const id = `c${randomUUID()}`;
  const responseUrl = h.fake.responseUrl(id);
  const body = slashCommandBody({
    teamId: h.teamId,
    userId,
    text: commandText,
    channelId,
    responseUrl,
    triggerId: randomUUID(),
  });
  const res = await postSigned(`${h.url}/slack/events`, body, {
    signingSecret: SIGNING_SECRET,
    contentType: 'application/x-www-form-urlencoded',
  });
  expect(res.status).toBe(200);
  h.fake.commandAnswered(responseUrl, res);
  return h.fake.waitFor((e): e is RecordedResponse => isResponse(e) && e.id === id, 10_000);
}

async function logAt(h: Harness, at: Date, userId: string, entry: string) {
  h.clock.now = at;
  const reply = await h.kpi(userId, `log ${entry}`);
  expect(reply.body.text).toMatch(/^Logged/);
}

async function boardPosts(h: Harness) {
  return h.database.db
    .select()
    .from(outbox)
    .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.kind, 'board')))
    .orderBy(outbox.id);
}

async function subscriptionIn(h: Harness, channelId: string) {
  const rows = await h.database.db
    .select()
    .from(boardSubscriptions)
    .where(and(eq(boardSubscriptions.workspaceId, h.teamId), eq(boardSubscriptions.channelId, channelId)));
  return rows;
}

function buttonValue(blocks: unknown): string {
  const actions = (blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]).find(
    (b) => b.type === 'actions',
  );
  const button = actions?.elements?.find((e) => e.action_id === 'kpi_board_position');
  if (!button?.value) throw new Error(`no position button in ${text(blocks)}`);
  return button.value;
}

describeDb('weekly channel board: subscribe, post, window, privacy', () => {
  let h: Harness;
  const CHANNEL = 'CSALES';
  // Wednesday 18 Nov 2026, 10:00 in New York: the first post is Mon 23 Nov 09:00 EST (14:00Z),
  // covering Mon 16 Nov 09:00 (14:00Z) to then.
  const SUBSCRIBED = new Date('2026-11-18T15:00:00Z');
  const IN_WINDOW = new Date('2026-11-19T15:00:00Z');
  const FIRST_POST = new Date('2026-11-23T14:00:00Z');

  beforeAll(async () => {
    h = await startHarness({ now: SUBSCRIBED });
    h.addUser('UMGR', { name: 'Morgan', isAdmin: true });
    for (const [id, name] of [
      ['UANA', 'Ana'],
      ['UBEN', 'Ben'],
      ['UCAT', 'Cat'],
      ['UDAN', 'Dan'],
      ['UEVE', 'Eve'],
      ['UFAY', 'Fay'],
      ['UOUT', 'Otto'],
    ] as const) {
      h.addUser(id, { name });
    }
    // Otto is in the workspace but not in the channel: not on the team.
    h.fake.addChannel({
      id: CHANNEL,
      teamId: h.teamId,
      members: ['UMGR', 'UANA', 'UBEN', 'UCAT', 'UDAN', 'UEVE', 'UFAY', 'UROBOT', 'UBOT'],
    });
    // The week before the first window: Ana $2,000, Ben $6,000, and Dan $500 on Mon 16 Nov 08:00
    // New York, an hour before the window opens.
    await logAt(h, new Date('2026-11-10T15:00:00Z'), 'UANA', 'deal won $2k');
    await logAt(h, new Date('2026-11-10T15:00:00Z'), 'UBEN', 'deal won $6k');
    await logAt(h, new Date('2026-11-16T13:00:00Z'), 'UDAN', 'deal won $500');
    // The window: Ana $10,000; Ben and Cat $5,000 (a tie); Dan $1,000; Fay $7,000 (will opt out);
    // Eve only calls (zero revenue); Otto $50,000 outside the channel; a bot $99,000.
    await logAt(h, IN_WINDOW, 'UANA', 'deal won $10k');
    await logAt(h, IN_WINDOW, 'UBEN', 'deal won $5k');
    await logAt(h, IN_WINDOW, 'UCAT', 'deal won $5k');
    await logAt(h, IN_WINDOW, 'UDAN', 'deal won $1k');
    await logAt(h, IN_WINDOW, 'UFAY', 'deal won $7k');
    await logAt(h, IN_WINDOW, 'UEVE', 'calls 30');
    await logAt(h, IN_WINDOW, 'UOUT', 'deal won $50k');
    // A bot in the channel with an entry (from a CRM, say) is not a person on the team.
    await h.database.db
      .insert(members)
      .values({ workspaceId: h.teamId, userId: 'UROBOT', displayName: 'Robot', isBot: true });
    await h.database.db.insert(activities).values({
      workspaceId: h.teamId,
      userId: 'UROBOT',
      kind: 'deal_won',
      quantity: 1,
      amountCents: 99_000_00,
      occurredAt: IN_WINDOW,
      source: 'crm',
      idempotencyKey: 'robot-deal',
    });
    expect((await h.kpi('UFAY', 'privacy hide')).body.text).toContain('hidden');
    await h.database.db.insert(goals).values({
      workspaceId: h.teamId,
      channelId: CHANNEL,
      metric: 'revenue',
      target: 30_000_00,
      period: 'week',
      setBy: 'UMGR',
    });
    h.clock.now = SUBSCRIBED;
  });
  afterAll(async () => h.close());

  it('refuses a rep politely and stores nothing', async () => {
    const reply = await kpiIn(h, CHANNEL, 'UANA', 'board subscribe revenue');
    expect(reply.body.text).toMatch(/^Only a manager can subscribe a channel to a board/);
    expect(await subscriptionIn(h, CHANNEL)).toEqual([]);
  });

  it('subscribes the channel with the defaults: revenue, Monday 09:00 in the subscriber’s zone, top 5', async () => {
    const reply = await kpiIn(h, CHANNEL, 'UMGR', 'board subscribe');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toContain('*Revenue* board every Monday at 09:00 (America/New_York), top 5');
    expect(reply.body.text).toContain('Next post: Mon 23 Nov 2026 09:00 (America/New_York)');
    expect(reply.body.text).not.toContain('Heads-up');
    const [sub] = await subscriptionIn(h, CHANNEL);
    expect(sub).toMatchObject({
      metric: 'revenue',
      cadence: 'weekly',
      dayOfWeek: 1,
      timeOfDay: '09:00',
      timezone: 'America/New_York',
      topN: 5,
      createdBy: 'UMGR',
      nextRunAt: FIRST_POST,
      lastWindowEnd: null,
    });
    const audit = await h.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, h.teamId));
    expect(audit).toMatchObject([{ actorId: 'UMGR', action: 'board.subscribe', target: CHANNEL }]);
  });

  it('posts nothing before the scheduled instant', async () => {
    expect(await h.bot.runJob('boards', new Date('2026-11-23T13:59:00Z'))).toMatchObject({ posted: 0 });
    expect(await boardPosts(h)).toEqual([]);
  });

  it('decides one post at Monday 09:00 New York, even when run twice and by two app instances at once', async () => {
    // A second replica of the bot on the same database and Slack workspace.
    const replica = await buildApp({
      config: {
        slack: { mode: 'single', botToken: h.botToken, signingSecret: SIGNING_SECRET },
        database: { driver: 'pglite', dataDir: null },
        port: 0,
        slackApiUrl: h.fake.apiUrl,
        logLevel: 'silent',
        crm: parseCrmConfig({}, []),
        encryption: null,
      },
      database: h.database,
      logger: createLogger('silent'),
      now: () => h.clock.now,
      scheduleJobs: false,
    });
    const at = new Date('2026-11-23T14:00:20Z');
    const reports = await Promise.all([h.bot.runJob('boards', at), replica.runJob('boards', at)]);
    const again = await h.bot.runJob('boards', new Date('2026-11-23T14:01:00Z'));
    expect(reports.reduce((n, r) => n + (r.posted ?? 0), 0)).toBe(1);
    // The other replica found the board locked (PostgreSQL) or already moved on (PGlite): skipped.
    expect(reports.reduce((n, r) => n + (r.skipped ?? 0), 0)).toBe(1);
    expect(again.posted).toBe(0);
    // The app delivers what a job decided: once, to the channel.
    await Promise.all([h.bot.delivery.drain(), replica.delivery.drain()]);
    const posts = await boardPosts(h);
    const [sub] = await subscriptionIn(h, CHANNEL);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({
      key: `board:${sub?.id}:2026-11-23T14:00:00.000Z`,
      target: CHANNEL,
      status: 'sent',
      refType: 'board_subscription',
      refId: sub?.id,
    });
    expect(sub?.lastWindowEnd).toEqual(FIRST_POST);
    expect(sub?.nextRunAt).toEqual(new Date('2026-11-30T14:00:00Z'));
  });

  it('shows the top of the channel’s board with ties, in plain names, without the bottom', async () => {
    const [post] = await boardPosts(h);
    const blocks = text((post?.payload as { blocks: unknown }).blocks);
    const order = [
      ':first_place_medal: Ana: *$10,000*',
      ':second_place_medal: Ben: *$5,000*',
      ':second_place_medal: Cat: *$5,000*',
      '4. Dan: *$1,000*',
    ];
    const positions = order.map((line) => blocks.indexOf(line));
    expect(positions.every((i) => i >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(blocks).not.toContain(':third_place_medal:');
    // Not on the team (Otto, the bot), opted out (Fay), at zero (Eve): none is listed.
    for (const name of ['Otto', 'Robot', 'Fay', 'Eve', '$50,000', '$99,000']) expect(blocks).not.toContain(name);
    expect(blocks).not.toMatch(/<[@!]/);
  });

  it('states its exact window, the most improved, the team against its goal and the method', async () => {
    const [post] = await boardPosts(h);
    const payload = post?.payload as { text: string; blocks: unknown };
    const blocks = text(payload.blocks);
    expect(blocks).toContain('Covers Mon 16 Nov 09:00 to Mon 23 Nov 09:00 (America/New_York)');
    // Ana +$8,000; Dan $500 (an hour before the window) → $1,000: +$500; Ben went down.
    expect(blocks).toMatch(/Most improved\* on the week before: Ana \(\+\$8,000\), Cat \(\+\$5,000\), Dan \(\+\$500\)/);
    // The team total counts everyone in the channel, opted-out Fay too: 10 + 5 + 5 + 1 + 7 = $28,000.
    expect(blocks).toContain('*Team total:* $28,000');
    expect(blocks).toContain("93% of the team's week goal of $30,000");
    expect(blocks).toContain("How it's computed:*");
    expect(blocks).toContain('compared with Mon 9 Nov 09:00 to Mon 16 Nov 09:00 (America/New_York)');
    expect(blocks).toContain('Team: the 7 people in this channel.');
    expect(blocks).toContain('`/kpi privacy hide` or at zero are not listed');
    expect(payload.text).toContain('Weekly board: Revenue');
  });

  it('tells an opted-out person their own position privately through the button', async () => {
    const [post] = await boardPosts(h);
    const value = buttonValue((post?.payload as { blocks: unknown }).blocks);
    const fay = await h.clickButton('UFAY', 'kpi_board_position', value);
    expect(fay.body.response_type).toBe('ephemeral');
    expect(fay.body.replace_original).toBe(false);
    expect(fay.body.text).toContain('*#2 of 5* with $7,000');
    expect(fay.body.text).toContain('hidden from public boards');
    const eve = await h.clickButton('UEVE', 'kpi_board_position', value);
    expect(eve.body.text).toContain('Nothing counts towards revenue for you on this board');
    const ana = await h.clickButton('UANA', 'kpi_board_position', value);
    expect(ana.body.text).toContain('*#1 of 4* with $10,000');
    expect(ana.body.text).toContain('Mon 16 Nov 09:00 to Mon 23 Nov 09:00');
  });

  it('posts an empty week kindly, its window starting where the previous one ended', async () => {
    const report = await h.bot.runJob('boards', new Date('2026-11-30T14:00:05Z'));
    expect(report.posted).toBe(1);
    const posts = await boardPosts(h);
    expect(posts).toHaveLength(2);
    const [sub] = await subscriptionIn(h, CHANNEL);
    expect(posts[1]?.key).toBe(`board:${sub?.id}:2026-11-30T14:00:00.000Z`);
    const blocks = text((posts[1]?.payload as { blocks: unknown }).blocks);
    expect(blocks).toContain('Covers Mon 23 Nov 09:00 to Mon 30 Nov 09:00 (America/New_York)');
    expect(blocks).toContain('No activity logged this week');
    expect(blocks).not.toContain('Ana');
    expect(blocks).toContain('*Team total:* $0');
  });

  it('lists the channel’s boards with the next post in the viewer’s zone', async () => {
    h.addUser('ULON', { name: 'Lou', tz: 'Europe/London' });
    const reply = await kpiIn(h, CHANNEL, 'ULON', 'boards');
    expect(reply.body.text).toContain(`*Revenue* in <#${CHANNEL}>: every Monday at 09:00 (America/New_York), top 5.`);
    expect(reply.body.text).toContain('Next post: Mon 7 Dec 2026 14:00 (Europe/London)');
    expect(reply.body.text).not.toContain('Paused');
  });

  it('shows the last delivery error the deliverer recorded on the board’s latest post', async () => {
    const posts = await boardPosts(h);
    await h.database.db
      .update(outbox)
      .set({ status: 'failed', lastError: 'is_archived' })
      .where(eq(outbox.id, posts[1]?.id ?? -1));
    const reply = await kpiIn(h, CHANNEL, 'UBEN', 'boards');
    expect(reply.body.text).toContain(':warning: The last post (');
    expect(reply.body.text).toContain('could not be delivered: the channel is archived');
  });

  it('updates the board on a second subscribe, and lets a manager stop it', async () => {
    h.clock.now = new Date('2026-12-01T12:00:00Z');
    const updated = await kpiIn(h, CHANNEL, 'UMGR', 'board subscribe revenue weekly on friday at 4pm top 3');
    expect(updated.body.text).toMatch(/^Updated: .*every Friday at 16:00 \(America\/New_York\), top 3/);
    // The next post still starts where the last one ended.
    expect(updated.body.text).toContain('covering the time since Mon 30 Nov 2026 09:00');
    const rows = await subscriptionIn(h, CHANNEL);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dayOfWeek: 5,
      timeOfDay: '16:00',
      topN: 3,
      nextRunAt: new Date('2026-12-04T21:00:00Z'),
    });
    expect((await kpiIn(h, CHANNEL, 'UBEN', 'board unsubscribe')).body.text).toMatch(/^Only a manager can stop/);
    expect((await kpiIn(h, CHANNEL, 'UMGR', 'board unsubscribe')).body.text).toMatch(/^Stopped: the \*Revenue\* board/);
    expect((await subscriptionIn(h, CHANNEL))[0]?.archivedAt).toEqual(h.clock.now);
    expect(await h.bot.runJob('boards', new Date('2026-12-04T21:00:30Z'))).toMatchObject({ posted: 0 });
    const actions = await h.database.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.workspaceId, h.teamId))
      .orderBy(auditLog.id);
    expect(actions.map((a) => a.action)).toEqual(['board.subscribe', 'board.update', 'board.unsubscribe']);
  });
});

describeDb('a board at 09:00 New York across the November DST change', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: new Date('2026-10-28T15:00:00Z') });
    h.addUser('UMGR', { name: 'Morgan', isAdmin: true });
    h.addUser('UANA', { name: 'Ana' });
    h.fake.addChannel({ id: 'CDST', teamId: h.teamId, members: ['UMGR', 'UANA'] });
    // Mon 26 Oct 08:30 EDT (before the window) and 09:30 EDT (inside it).
    await logAt(h, new Date('2026-10-26T12:30:00Z'), 'UANA', 'calls 4');
    await logAt(h, new Date('2026-10-26T13:30:00Z'), 'UANA', 'calls 6');
    h.clock.now = new Date('2026-10-28T15:00:00Z');
  });
  afterAll(async () => h.close());

  it('posts at 09:00 EST (14:00Z) on 2 Nov, covering Mon 26 Oct 09:00 EDT to then', async () => {
    const reply = await kpiIn(h, 'CDST', 'UMGR', 'board subscribe calls');
    expect(reply.body.text).toContain('Next post: Mon 2 Nov 2026 09:00 (America/New_York)');
    // 13:00Z would be 09:00 had the clocks not changed: not yet.
    expect(await h.bot.runJob('boards', new Date('2026-11-02T13:00:30Z'))).toMatchObject({ posted: 0 });
    expect(await h.bot.runJob('boards', new Date('2026-11-02T14:00:30Z'))).toMatchObject({ posted: 1 });
    const [post] = await boardPosts(h);
    expect(post?.key).toMatch(/:2026-11-02T14:00:00\.000Z$/);
    const blocks = text((post?.payload as { blocks: unknown }).blocks);
    expect(blocks).toContain('Covers Mon 26 Oct 09:00 to Mon 2 Nov 09:00 (America/New_York)');
    expect(blocks).toContain(':first_place_medal: Ana: *6*');
    expect(blocks).toContain('Team: the 2 people in this channel.');
    const [sub] = await subscriptionIn(h, 'CDST');
    expect(sub?.nextRunAt).toEqual(new Date('2026-11-09T14:00:00Z'));
  });
});

describeDb('a team of one and a weighted scorecard board', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: new Date('2026-11-18T15:00:00Z') });
    h.addUser('UMGR', { name: 'Morgan' });
    h.addUser('UZED', { name: 'Zed' });
    h.addUser('UYAN', { name: 'Yan' });
    h.fake.addChannel({ id: 'CSOLO', teamId: h.teamId, members: ['UZED', 'UBOT'] });
    // Enough members for several pages of conversations.members (most are not people of the workspace).
    const strangers = Array.from({ length: 450 }, (_, i) => `UGUEST${i}`);
    h.fake.addChannel({ id: 'CCARD', teamId: h.teamId, members: [...strangers, 'UZED', 'UYAN'] });
    await logAt(h, new Date('2026-11-19T15:00:00Z'), 'UZED', 'meetings 5');
    await logAt(h, new Date('2026-11-19T15:00:00Z'), 'UZED', 'calls 100');
    await logAt(h, new Date('2026-11-19T15:00:00Z'), 'UYAN', 'meetings 10');
    // A manager by role, not a Slack admin.
    h.clock.now = new Date('2026-11-18T15:00:00Z');
    expect((await h.kpi('UMGR', 'privacy')).body.text).toBeTruthy();
    await h.database.db
      .update(members)
      .set({ role: 'manager' })
      .where(and(eq(members.workspaceId, h.teamId), eq(members.userId, 'UMGR')));
  });
  afterAll(async () => h.close());

  it('posts a daily board for a team of one', async () => {
    expect((await kpiIn(h, 'CSOLO', 'UMGR', 'board subscribe meetings daily at 17:30')).body.text).toContain(
      'every day at 17:30',
    );
    expect(
      (await kpiIn(h, 'CCARD', 'UMGR', 'board subscribe scorecard meetings:2:10 calls:1:100')).body.text,
    ).toContain('Scorecard: Meetings booked ×2 (target 10), Calls ×1 (target 100)');
    // Thu 19 Nov 17:30 New York: the daily board is due; the weekly one is not.
    const report = await h.bot.runJob('boards', new Date('2026-11-19T22:30:10Z'));
    expect(report).toMatchObject({ posted: 1 });
    const [post] = await boardPosts(h);
    expect(post?.target).toBe('CSOLO');
    const blocks = text((post?.payload as { blocks: unknown }).blocks);
    expect(blocks).toContain('Daily board: Meetings');
    expect(blocks).toContain(':first_place_medal: Zed: *5*');
    expect(blocks).toContain('Team: the 1 person in this channel.');
    expect(blocks).toContain('Covers Wed 18 Nov 17:30 to Thu 19 Nov 17:30 (America/New_York)');
  });

  it('ranks a scorecard board by weighted score, and catches a daily board up in one post', async () => {
    const report = await h.bot.runJob('boards', new Date('2026-11-23T14:00:10Z'));
    expect(report).toMatchObject({ posted: 2, failed: 0 });
    const posts = await boardPosts(h);
    const card = posts.find((p) => p.target === 'CCARD');
    const blocks = text((card?.payload as { blocks: unknown }).blocks);
    // Yan: meetings 10/10 → 2/3 of 100 = 66.7; Zed: meetings 5/10 and calls 100/100 → (2 × 0.5 + 1) / 3 = 66.7.
    expect(blocks).toContain('Weekly board: Scorecard');
    expect(blocks).toContain(':first_place_medal: Yan: *66.7*');
    expect(blocks).toContain(':first_place_medal: Zed: *66.7*');
    expect(blocks).toContain('*Team average score:* 66.7');
    expect(blocks).toContain('Team: the 2 people in this channel.');
    const pages = h.fake.callsTo('conversations.members').filter((c) => c.args.channel === 'CCARD');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    // The daily board missed Fri, Sat and Sun 17:30: one post for the three days, ending Sun 17:30.
    const daily = posts.filter((p) => p.target === 'CSOLO');
    expect(daily).toHaveLength(2);
    const catchUp = text((daily[1]?.payload as { blocks: unknown }).blocks);
    expect(catchUp).toContain('Covers Thu 19 Nov 17:30 to Sun 22 Nov 17:30 (America/New_York): 3 days in one post');
    expect(daily[1]?.key).toMatch(/:2026-11-22T22:30:00\.000Z$/);
  });
});

describeDb('a channel the bot cannot read', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: new Date('2026-11-18T15:00:00Z') });
    h.addUser('UMGR', { name: 'Morgan', isAdmin: true });
    h.addUser('UZED', { name: 'Zed' });
    h.fake.addChannel({ id: 'CGONE', teamId: h.teamId, members: ['UZED', 'UMGR'] });
    await logAt(h, new Date('2026-11-19T15:00:00Z'), 'UZED', 'calls 100');
    h.clock.now = new Date('2026-11-18T15:00:00Z');
  });
  afterAll(async () => h.close());

  it('records not_in_channel on the board, posts nothing, and shows it in /kpi boards', async () => {
    expect((await kpiIn(h, 'CGONE', 'UMGR', 'board subscribe calls')).body.text).toMatch(/^Done/);
    h.fake.failNext('conversations.members', { error: 'not_in_channel' });
    expect(await h.bot.runJob('boards', new Date('2026-11-23T14:00:10Z'))).toMatchObject({ posted: 0, failed: 1 });
    const [sub] = await subscriptionIn(h, 'CGONE');
    // The window the failed post would have covered still starts the next one.
    expect(sub).toMatchObject({ lastError: 'not_in_channel', lastWindowEnd: new Date('2026-11-16T14:00:00Z') });
    // Paused until its next scheduled instant, not retried every minute.
    expect(sub?.nextRunAt).toEqual(new Date('2026-11-30T14:00:00Z'));
    expect(await h.bot.runJob('boards', new Date('2026-11-23T14:01:10Z'))).toMatchObject({ posted: 0, failed: 0 });
    expect(await boardPosts(h)).toEqual([]);
    h.clock.now = new Date('2026-11-24T12:00:00Z');
    const list = await kpiIn(h, 'CGONE', 'UZED', 'boards');
    expect(list.body.text).toContain(':warning: Paused since Mon 23 Nov 2026 09:00 (America/New_York)');
    expect(list.body.text).toContain('the bot is not in the channel');
  });

  it('retries at the next scheduled run and covers the whole span since the last post', async () => {
    expect(await h.bot.runJob('boards', new Date('2026-11-30T14:00:10Z'))).toMatchObject({ posted: 1, failed: 0 });
    const [sub] = await subscriptionIn(h, 'CGONE');
    expect(sub).toMatchObject({ lastError: null, lastWindowEnd: new Date('2026-11-30T14:00:00Z') });
    const [post] = await boardPosts(h);
    const blocks = text((post?.payload as { blocks: unknown }).blocks);
    expect(blocks).toContain('Covers Mon 16 Nov 09:00 to Mon 30 Nov 09:00 (America/New_York): 2 weeks in one post');
    expect(blocks).toContain(':first_place_medal: Zed: *100*');
  });

  it('records a channel that no longer exists, and a manager sees it among all boards', async () => {
    h.clock.now = new Date('2026-11-30T15:00:00Z');
    const reply = await kpiIn(h, 'CDELETED', 'UMGR', 'board subscribe calls daily');
    expect(reply.body.text).toMatch(/^Done/);
    expect(reply.body.text).toContain(':warning: Heads-up: the channel was not found');
    expect(await h.bot.runJob('boards', new Date('2026-12-01T14:00:10Z'))).toMatchObject({ failed: 1 });
    const [sub] = await subscriptionIn(h, 'CDELETED');
    expect(sub?.lastError).toBe('channel_not_found');
    const list = await kpiIn(h, 'CGONE', 'UMGR', 'boards');
    expect(list.body.text).toContain('<#CGONE>');
    expect(list.body.text).toContain('<#CDELETED>');
    expect(list.body.text).toContain('the channel was not found');
  });

  it('warns at subscribe time about a public channel the bot is not in, which Slack lets it read but not post to', async () => {
    h.fake.addChannel({ id: 'CNOBOT', teamId: h.teamId, members: ['UZED', 'UMGR'], botIsMember: false });
    const reply = await kpiIn(h, 'CNOBOT', 'UMGR', 'board subscribe calls');
    expect(reply.body.text).toMatch(/^Done/);
    expect(reply.body.text).toContain(
      ':warning: Heads-up: the bot is not in the channel: invite it with `/invite @KPI bot`',
    );
    expect((await kpiIn(h, 'CNOBOT', 'UMGR', 'board unsubscribe')).body.text).toMatch(/^Stopped/);
  });

  it('warns about a private channel the bot is not in, which Slack does not show it at all', async () => {
    h.fake.addChannel({
      id: 'GSECRET',
      teamId: h.teamId,
      members: ['UZED', 'UMGR'],
      botIsMember: false,
      isPrivate: true,
    });
    const reply = await kpiIn(h, 'GSECRET', 'UMGR', 'board subscribe calls');
    expect(reply.body.text).toContain(
      ':warning: Heads-up: the channel was not found (deleted, or private without the bot)',
    );
    expect((await kpiIn(h, 'GSECRET', 'UMGR', 'board unsubscribe')).body.text).toMatch(/^Stopped/);
  });

  it('retries a transient Slack failure the next minute, without recording an error', async () => {
    expect((await kpiIn(h, 'CDELETED', 'UMGR', 'board unsubscribe')).body.text).toMatch(/^Stopped/);
    h.fake.addChannel({ id: 'CFLAKY', teamId: h.teamId, members: ['UZED'] });
    h.clock.now = new Date('2026-12-01T15:00:00Z');
    await kpiIn(h, 'CFLAKY', 'UMGR', 'board subscribe calls daily at 10:00');
    h.fake.failNext('conversations.members', { error: 'internal_error' });
    expect(await h.bot.runJob('boards', new Date('2026-12-02T15:00:10Z'))).toMatchObject({ posted: 0, retry: 1 });
    const [sub] = await subscriptionIn(h, 'CFLAKY');
    expect(sub).toMatchObject({ lastError: null, nextRunAt: new Date('2026-12-02T15:00:00Z') });
    expect(await h.bot.runJob('boards', new Date('2026-12-02T15:01:10Z'))).toMatchObject({ posted: 1, retry: 0 });
    const post = (await boardPosts(h)).find((p) => p.target === 'CFLAKY');
    expect(text((post?.payload as { blocks: unknown }).blocks)).toContain(
      'Covers Tue 1 Dec 10:00 to Wed 2 Dec 10:00 (America/New_York)',
    );
  });
});
