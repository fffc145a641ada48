import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activities, members, workspaces } from '../../src/db/schema.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { describeDb } from '../support/db.js';
import { isCallTo, type RecordedResponse } from '../support/fake-slack.js';
import { type Harness, SIGNING_SECRET, startHarness } from '../support/harness.js';
import { nowSeconds, postSigned, slashCommandBody } from '../support/slack-signing.js';

/** Everything a reply shows a person, blocks included. */
function shown(reply: RecordedResponse): string {
  return JSON.stringify(reply.body);
}

/** The value of the button with this action id, wherever it sits in the reply's blocks. */
function buttonValue(reply: RecordedResponse, actionId: string): string {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o.type === 'button' && o.action_id === actionId && typeof o.value === 'string') found.push(o.value);
      Object.values(o).forEach(walk);
    }
  };
  walk(reply.body.blocks);
  if (found.length !== 1) throw new Error(`expected one ${actionId} button in ${shown(reply)}`);
  return found[0] as string;
}

describeDb('/kpi end to end through the HTTP receiver', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben', tz: 'Europe/London' });
    h.addUser('UCAT', { name: 'Cat' });
    h.addUser('UDAN', { name: 'Dan' });
    h.addUser('UEVE', { name: 'Eve' });
    h.addUser('UFAY', { name: 'Fay' });
  });
  afterAll(async () => h.close());

  async function rowsOf(userId: string) {
    return h.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, h.teamId), eq(activities.userId, userId)));
  }

  it('logs an activity, confirms it with an Undo button, and undoes it once however often it is clicked', async () => {
    const reply = await h.kpi('UANA', 'log calls 12 called the Acme list');
    expect(reply.body.response_type).toBe('ephemeral');
    expect(reply.body.text).toBe('Logged 12 calls.');
    expect(shown(reply)).toContain('called the Acme list');
    const stored = await rowsOf('UANA');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'call', quantity: 12, amountCents: 0, source: 'slack' });

    const id = buttonValue(reply, ACTIONS.undo);
    const undone = await h.clickButton('UANA', ACTIONS.undo, id);
    expect(undone.body.text).toContain('Undone: 12 calls');
    const again = await h.clickButton('UANA', ACTIONS.undo, id);
    expect(again.body.text).toContain('already undone');

    const after = await rowsOf('UANA');
    expect(after).toHaveLength(2);
    expect(after.reduce((sum, r) => sum + r.quantity, 0)).toBe(0);
  });

  it("refuses to undo someone else's entry", async () => {
    const reply = await h.kpi('UBEN', 'log emails 3');
    const attempt = await h.clickButton('UCAT', ACTIONS.undo, buttonValue(reply, ACTIONS.undo));
    expect(attempt.body.text).toContain('Only the person who logged an entry can undo it');
    expect((await rowsOf('UBEN')).map((r) => r.quantity)).toEqual([3]);
  });

  it('stores a retried command (same trigger id) once', async () => {
    const first = await h.kpi('UDAN', 'log demos 2', { triggerId: 'trigger-dup' });
    const second = await h.kpi('UDAN', 'log demos 2', { triggerId: 'trigger-dup' });
    expect(first.body.text).toBe('Logged 2 demos.');
    expect(second.body.text).toBe('Already logged: 2 demos.');
    expect(await rowsOf('UDAN')).toHaveLength(1);
  });

  it('reads a count written in words', async () => {
    const reply = await h.kpi('UFAY', 'log calls twelve');
    expect(reply.body.text).toBe('Logged 12 calls.');
    const dozen = await h.kpi('UFAY', 'log emails a dozen Acme list');
    expect(dozen.body.text).toBe('Logged 12 emails.');
    const rows = await rowsOf('UFAY');
    expect(rows.map((r) => [r.kind, r.quantity, r.note])).toEqual([
      ['call', 12, null],
      ['email', 12, 'Acme list'],
    ]);
  });

  it('reads amounts as people type them', async () => {
    const reply = await h.kpi('UCAT', 'log deal won $12.5k Acme renewal');
    expect(reply.body.text).toBe('Logged 1 deal won worth $12,500.');
    const [row] = await rowsOf('UCAT');
    expect(row).toMatchObject({ kind: 'deal_won', quantity: 1, amountCents: 1_250_000, note: 'Acme renewal' });
  });

  it('averages deal size over the wins with an amount and says how many had none', async () => {
    await h.kpi('UEVE', 'log deal won $20k Acme');
    await h.kpi('UEVE', 'log deal won Beta');
    await h.kpi('UEVE', 'log deal won Gamma');
    // The window ends at "now", exclusive: look a minute later so the wins are inside it.
    const loggedAt = h.clock.now;
    h.clock.now = new Date(loggedAt.getTime() + 60_000);
    try {
      const card = shown(await h.kpi('UEVE', 'me'));
      expect(card).toContain('*Average deal size*\\n$20,000');
      expect(card).toContain('2 of 3 deals won have no amount');
      const explained = shown(await h.kpi('UEVE', 'explain average deal size'));
      expect(explained).toContain('Your figure: *$20,000*');
      expect(explained).toContain('2 of 3 deals won have no amount');
    } finally {
      h.clock.now = loggedAt;
    }
  });

  it.each([
    ['frobnicate', 'frobnicate'],
    ['log deal won $1,2,3', '1,2,3'],
    ['log calls 0', ''],
    ['log calls 1e309', '1e309'],
    ['board lasagna', 'lasagna'],
    ['me next year', ''],
    ['zeige meine zahlen', 'zeige'],
    ['x'.repeat(4000), 'too long'],
  ])('answers bad input "%s" with a friendly ephemeral error and stores nothing', async (text, mention) => {
    const before = (await rowsOf('UDAN')).length;
    const reply = await h.kpi('UDAN', text);
    expect(reply.body.response_type).toBe('ephemeral');
    expect(String(reply.body.text).length).toBeGreaterThan(10);
    expect(String(reply.body.text)).toContain('/kpi');
    if (mention) expect(String(reply.body.text).toLowerCase()).toContain(mention.toLowerCase());
    expect(await rowsOf('UDAN')).toHaveLength(before);
  });

  /** Posts `/kpi <text>` as Ana, signed with `secret` and dated `timestamp`; returns the HTTP status. */
  async function signedCommandStatus(text: string, o: { secret?: string; timestamp?: number } = {}) {
    const responseUrl = h.fake.responseUrl();
    const body = slashCommandBody({ teamId: h.teamId, userId: 'UANA', text, responseUrl });
    const res = await postSigned(`${h.url}/slack/events`, body, {
      signingSecret: o.secret ?? SIGNING_SECRET,
      contentType: 'application/x-www-form-urlencoded',
      timestamp: o.timestamp,
    });
    h.fake.commandAnswered(responseUrl, res);
    return res.status;
  }

  it('answers an invalid signature with 401 and does nothing', async () => {
    expect(await signedCommandStatus('log calls 99', { secret: 'wrong' })).toBe(401);
    expect((await rowsOf('UANA')).some((r) => r.quantity === 99)).toBe(false);
  });

  it.each([
    ['400 s in the future', 400, 97],
    ['400 s in the past', -400, 95],
  ])('refuses a correctly signed command dated %s with 401 and does nothing', async (_when, offset, calls) => {
    expect(await signedCommandStatus(`log calls ${calls}`, { timestamp: nowSeconds() + offset })).toBe(401);
    expect((await rowsOf('UANA')).some((r) => r.quantity === calls)).toBe(false);
  });

  it('accepts a signed command from a clock a few minutes ahead', async () => {
    expect(await signedCommandStatus('log calls 96', { timestamp: nowSeconds() + 240 })).toBe(200);
  });

  it('answers the health check when the database answers', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('stores the Slack profile (name, timezone) from users.info and reuses it', async () => {
    const [ben] = await h.database.db
      .select()
      .from(members)
      .where(and(eq(members.workspaceId, h.teamId), eq(members.userId, 'UBEN')));
    expect(ben).toMatchObject({ displayName: 'Ben', timezone: 'Europe/London' });
    const lookups = h.fake.calls.filter(isCallTo('users.info')).filter((c) => c.args.user === 'UBEN');
    expect(lookups).toHaveLength(1);
  });

  it('still answers when users.info fails, using what it knows', async () => {
    h.addUser('UEVE', { name: 'Eve' });
    h.fake.failNext('users.info', { error: 'ratelimited', status: 429, retryAfter: 30 });
    const reply = await h.kpi('UEVE', 'log calls 1');
    expect(reply.body.text).toBe('Logged 1 call.');
  });

  it('marks the workspace uninstalled on app_uninstalled', async () => {
    const status = await h.event({ type: 'app_uninstalled' });
    expect(status).toBe(200);
    await expect
      .poll(
        async () =>
          (await h.database.db.select().from(workspaces).where(eq(workspaces.id, h.teamId)))[0]?.uninstalledAt,
      )
      .toBeInstanceOf(Date);
  });
});
