import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activities, auditLog, deals, outbox, reactions } from '../../src/db/schema.js';
import { getSettings } from '../../src/game/settings.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { markSent, reactionEvent, reactionsOn, trackEvents } from '../recognition/events.js';
import { describeDb, newWorkspaceId } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';
import { sendGenericWebhook } from '../support/webhooks.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WINS = 'CWINS0001';
const RETRY = { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' };

describeDb('Recognition end to end: deal celebrations and reactions', () => {
  let h: Harness;
  let events: ReturnType<typeof trackEvents>;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness({ crm: parseCrmConfig({ WEBHOOK_SECRET: SECRET }, []) });
    events = trackEvents(h.bot.app);
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
    h.addUser('UCAT', { name: 'Cat' });
    h.addUser('UDAN', { name: 'Dan' });
    h.addUser('UBOSS', { name: 'Boss', isAdmin: true });
    h.fake.addUser({ id: 'UROBOT', teamId: h.teamId, name: 'robot', isBot: true });
    h.fake.addUser({ id: 'UOWNER', teamId: h.teamId, name: 'owner', email: 'owner@acme.test', tz: 'UTC' });
    // These tests look at the posts as decided, in the outbox: nothing sends them (posts-on-commit tests that).
    await h.bot.delivery.stop();
  });
  afterAll(async () => h.close());

  async function posts(kind: 'recognition' | 'kudos' = 'recognition', workspaceId = h.teamId) {
    return h.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, workspaceId), eq(outbox.kind, kind)))
      .orderBy(outbox.id);
  }

  async function postFor(activityId: number) {
    const [post] = await h.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.key, `recognition:${activityId}`)));
    return post;
  }

  async function latestWin(userId: string) {
    const rows = await h.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, h.teamId), eq(activities.userId, userId), eq(activities.kind, 'deal_won')))
      .orderBy(activities.id);
    return rows.at(-1);
  }

  async function send(body: unknown) {
    expect(await sendGenericWebhook(h, `msg_${++seq}`, body, SECRET)).toBe(200);
  }

  it('celebrates nothing until a manager picks a channel, and a rep cannot pick one', async () => {
    await h.kpi('UANA', 'log deal won $1k Early');
    expect(await posts()).toEqual([]);

    const refused = await h.kpi('UANA', `recognition <#${WINS}|wins>`);
    expect(refused.body.text).toContain('Only a manager can');
    expect((await getSettings(h.database.db, h.teamId)).recognition.channelId).toBeNull();

    const done = await h.kpi('UBOSS', `recognition <#${WINS}|wins>`);
    expect(done.body.response_type).toBe('ephemeral');
    expect(done.body.text).toContain(`<#${WINS}>`);
    expect((await getSettings(h.database.db, h.teamId)).recognition).toEqual({
      channelId: WINS,
      showAmount: true,
      showDealName: true,
    });
    const audit = await h.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, h.teamId));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: 'UBOSS', action: 'settings.recognition', target: WINS });
  });

  it('celebrates a deal won by command once, even when Slack retries the command', async () => {
    const reply = await h.kpi('UANA', 'log deal won $12.5k Acme renewal', { triggerId: 'win-1' });
    expect(reply.body.text).toContain('Logged');
    await h.kpi('UANA', 'log deal won $12.5k Acme renewal', { triggerId: 'win-1' });
    const win = await latestWin('UANA');
    const all = await posts();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      key: `recognition:${win?.id}`,
      target: WINS,
      status: 'pending',
      subjectUserId: 'UANA',
      refType: 'activity',
      refId: win?.id,
    });
    const payload = all[0]?.payload as { text: string };
    expect(payload.text).toBe(':tada: <@UANA> just won *Acme renewal* worth *$12,500*!');
  });

  it('leaves out the amount and the deal name when the manager hides them', async () => {
    const rep = await h.kpi('UANA', 'recognition hide amount');
    expect(rep.body.text).toContain('Only a manager can');
    await h.kpi('UBOSS', 'recognition hide amount');
    await h.kpi('UBEN', 'log deal won $40k Globex');
    const hiddenAmount = await postFor((await latestWin('UBEN'))?.id ?? -1);
    expect(JSON.stringify(hiddenAmount?.payload)).not.toContain('$');
    expect((hiddenAmount?.payload as { text: string }).text).toBe(':tada: <@UBEN> just won *Globex*!');

    await h.kpi('UBOSS', 'recognition hide deal names');
    await h.kpi('UBEN', 'log deal won $9k Initech');
    const hiddenBoth = await postFor((await latestWin('UBEN'))?.id ?? -1);
    expect(JSON.stringify(hiddenBoth?.payload)).not.toContain('Initech');
    expect((hiddenBoth?.payload as { text: string }).text).toBe(':tada: <@UBEN> just won a deal!');

    await h.kpi('UBOSS', 'recognition show amount');
    await h.kpi('UBOSS', 'recognition show deal names');
    const status = await h.kpi('UANA', 'recognition');
    expect(status.body.text).toContain('with the deal name and the amount');
  });

  it('never celebrates a rep who opted out of public posts', async () => {
    await h.kpi('UCAT', 'privacy hide');
    await h.kpi('UCAT', 'log deal won $20k Umbrella');
    expect(await latestWin('UCAT')).toBeDefined();
    expect((await posts()).filter((p) => p.subjectUserId === 'UCAT')).toEqual([]);
  });

  it('withdraws the celebration of a win undone before it was posted, and leaves a posted one', async () => {
    await h.kpi('UDAN', 'log deal won $5k Stark');
    const first = await latestWin('UDAN');
    expect((await postFor(first?.id ?? -1))?.status).toBe('pending');
    await h.kpi('UDAN', 'undo');
    expect(await postFor(first?.id ?? -1)).toMatchObject({ status: 'skipped' });

    await h.kpi('UDAN', 'log deal won $6k Wayne');
    const second = await latestWin('UDAN');
    await markSent(h.database.db, h.teamId, `recognition:${second?.id}`, WINS, '1763470000.000100');
    await h.kpi('UDAN', 'undo');
    expect(await postFor(second?.id ?? -1)).toMatchObject({ status: 'sent' });
  });

  it('celebrates a deal won in the CRM once, whatever the retries, and not again when it is corrected', async () => {
    const deal = (id: string, at: string, fields: Record<string, unknown>) => ({
      id,
      type: 'deal',
      occurred_at: at,
      deal: { id: 'CRM-7', ...fields },
    });
    const won = {
      events: [
        deal('d1', '2026-11-17T09:00:00Z', {
          name: 'Hooli',
          amount: 30000,
          stage: 'new',
          owner_email: 'owner@acme.test',
        }),
        deal('d2', '2026-11-17T10:00:00Z', { stage: 'won', status: 'won', closed_at: '2026-11-17T10:00:00Z' }),
      ],
    };
    await send(won);
    await send(won);
    await h.bot.crm.idle();
    const [row] = await h.database.db
      .select()
      .from(deals)
      .where(and(eq(deals.workspaceId, h.teamId), eq(deals.externalId, 'CRM-7')));
    const celebrations = (await posts()).filter((p) => p.subjectUserId === 'UOWNER');
    expect(celebrations).toHaveLength(1);
    expect((celebrations[0]?.payload as { text: string }).text).toBe(
      ':tada: <@UOWNER> just won *Hooli* worth *$30,000*!',
    );
    const firstWin = await latestWin('UOWNER');
    expect(firstWin?.dealId).toBe(row?.id);

    // Corrected while the post is still waiting: the post is replaced by one with the right amount.
    await send({ events: [deal('d3', '2026-11-17T11:00:00Z', { amount: 32000 })] });
    await h.bot.crm.idle();
    const afterFix = (await posts()).filter((p) => p.subjectUserId === 'UOWNER');
    expect(afterFix.map((p) => p.status)).toEqual(['skipped', 'pending']);
    expect((afterFix[1]?.payload as { text: string }).text).toContain('$32,000');

    // Corrected after the post went out: the team has cheered already; no second post.
    await markSent(h.database.db, h.teamId, afterFix[1]?.key ?? '', WINS, '1763470000.000200');
    await send({ events: [deal('d4', '2026-11-17T12:00:00Z', { amount: 33000 })] });
    await h.bot.crm.idle();
    const afterSent = (await posts()).filter((p) => p.subjectUserId === 'UOWNER');
    expect(afterSent.map((p) => p.status)).toEqual(['skipped', 'sent']);
  });

  it('does not celebrate a deal the CRM reports closed weeks ago (a first sync, a backfill)', async () => {
    await send({
      events: [
        {
          id: 'old1',
          type: 'deal',
          occurred_at: '2026-10-01T10:00:00Z',
          deal: { id: 'CRM-OLD', name: 'Vandelay', amount: 5000, status: 'won', owner_email: 'owner@acme.test' },
        },
      ],
    });
    await h.bot.crm.idle();
    const old = await latestWin('UOWNER');
    expect(old?.occurredAt.toISOString()).toBe('2026-10-01T10:00:00.000Z');
    expect(await postFor(old?.id ?? -1)).toBeUndefined();
  });

  it('counts a teammate’s reaction once, even when Slack retries the event', async () => {
    const [post] = await posts();
    const ts = '1763480000.000100';
    await markSent(h.database.db, h.teamId, post?.key ?? '', WINS, ts);
    const event = reactionEvent('reaction_added', { user: 'UBEN', channel: WINS, ts, at: h.clock.now });
    expect(await h.event(event, { eventId: 'EvR1' })).toBe(200);
    expect(await h.event(event, { eventId: 'EvR1', headers: RETRY })).toBe(200);
    expect(await h.event(event, { eventId: 'EvR1-redelivered', headers: { ...RETRY, 'X-Slack-Retry-Num': '2' } })).toBe(
      200,
    );
    await events.settled();
    const counted = await reactionsOn(h.database.db, h.teamId, ts);
    expect(counted).toHaveLength(1);
    expect(counted[0]).toMatchObject({ reactorId: 'UBEN', emoji: 'tada', subjectUserId: 'UANA', channelId: WINS });

    // Another emoji from the same teammate is another reaction.
    await h.event(reactionEvent('reaction_added', { user: 'UBEN', channel: WINS, ts, reaction: 'clap' }));
    await events.settled();
    expect(await reactionsOn(h.database.db, h.teamId, ts)).toHaveLength(2);
  });

  it('does not count the rep’s own reaction, a bot’s, or one on any other message', async () => {
    const ts = '1763480000.000100';
    await h.event(reactionEvent('reaction_added', { user: 'UANA', channel: WINS, ts, reaction: 'muscle' }));
    await h.event(reactionEvent('reaction_added', { user: 'UROBOT', channel: WINS, ts, reaction: 'robot_face' }));
    await h.event(reactionEvent('reaction_added', { user: 'UBOT', channel: WINS, ts, reaction: 'robot_face' }));
    await h.event(reactionEvent('reaction_added', { user: 'UCAT', channel: WINS, ts: '1763480999.000900' }));
    await h.event(reactionEvent('reaction_added', { user: 'UCAT', channel: 'COTHER001', ts }));
    await events.settled();
    expect((await reactionsOn(h.database.db, h.teamId, ts)).map((r) => r.reactorId)).toEqual(['UBEN', 'UBEN']);
    const all = await h.database.db.select().from(reactions).where(eq(reactions.workspaceId, h.teamId));
    expect(all).toHaveLength(2);
  });

  it('uncounts a removed reaction, once, even when the removal is retried', async () => {
    const ts = '1763480000.000100';
    const removed = reactionEvent('reaction_removed', { user: 'UBEN', channel: WINS, ts, reaction: 'clap' });
    await h.event(removed, { eventId: 'EvX1' });
    await h.event(removed, { eventId: 'EvX1', headers: RETRY });
    await events.settled();
    expect((await reactionsOn(h.database.db, h.teamId, ts)).map((r) => r.emoji)).toEqual(['tada']);
  });

  it('never counts a reaction in this workspace for another workspace’s post with the same channel and ts', async () => {
    const other = newWorkspaceId();
    const ts = '1763490000.000300';
    await h.database.db.insert(outbox).values({
      workspaceId: other,
      key: 'recognition:999999',
      kind: 'recognition',
      target: WINS,
      payload: { text: 'elsewhere' },
      subjectUserId: 'UELSEWHERE',
      status: 'sent',
      channelId: WINS,
      messageTs: ts,
    });
    await h.event(reactionEvent('reaction_added', { user: 'UBEN', channel: WINS, ts }));
    await events.settled();
    expect(await reactionsOn(h.database.db, other, ts)).toEqual([]);
    expect(await reactionsOn(h.database.db, h.teamId, ts)).toEqual([]);
  });
});
