import { webApi } from '@slack/bolt';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import { activities, auditLog, kudos, members, outbox } from '../../src/db/schema.js';
import { claimReady } from '../../src/delivery/outbox.repository.js';
import { ACTIONS } from '../../src/slack/ids.js';
import { describeDb } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

const shown = (reply: RecordedResponse) => JSON.stringify(reply.body);

/** Data rights through the running app: signed commands and clicks, the outbox, the fake Slack's upload flow. */
describeDb('/kpi privacy export and forget end to end', () => {
  let h: Harness;

  beforeAll(async () => {
    // Each test sends the posts itself (one plays a replica that died mid-share).
    h = await startHarness({ now: new Date('2026-11-18T15:00:00Z'), deliverOnCommit: false });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
    h.addUser('UCAT', { name: 'Cat' });
    h.addUser('UMGR', { name: 'Mia' });
    h.addUser('UADM', { name: 'Ada', isAdmin: true });
    for (const [user, text] of [
      ['UANA', 'log calls 5'],
      ['UANA', 'log deal won $12k Acme renewal'],
      ['UANA', 'goal meetings 10'],
      ['UBEN', 'log calls 7'],
      ['UBEN', 'kudos <@UANA|ana> for the Acme demo'],
      ['UCAT', 'log calls 2'],
      ['UADM', 'role <@UMGR|mia> manager'],
    ] as const) {
      expect(shown(await h.kpi(user, text))).not.toContain('Sorry');
    }
  });
  afterAll(async () => h.close());

  const totals = async () =>
    (
      await queryRows<{ quantity: number; cents: number; people: number }>(
        h.database.db,
        sql`select sum(quantity)::int as quantity, sum(amount_cents)::float8 as cents, count(distinct user_id)::int as people
            from activities where workspace_id = ${h.teamId} and kind = 'call'`,
      )
    )[0];

  it('DMs a rep one JSON file of everything stored about them, and only them, once per request', async () => {
    const reply = await h.kpi('UANA', 'privacy export', { triggerId: 'export-1' });
    expect(reply.body.text).toContain('DM you a JSON file');
    const again = await h.kpi('UANA', 'privacy export', { triggerId: 'export-1' });
    expect(again.body.text).toContain('Already on its way');
    await h.bot.delivery.drain(h.clock.now);
    await h.bot.delivery.drain(h.clock.now);

    const dm = h.fake.messagesIn(h.fake.dmChannelOf('UANA'));
    expect(dm).toHaveLength(1);
    const shared = dm[0]?.files?.[0];
    expect(shared?.name).toMatch(/^kpi-coach-data-2026-11-18-[0-9a-f]{8}\.json$/);
    const bytes = h.fake.file(shared?.id ?? '')?.bytes;
    const data = JSON.parse(bytes?.toString('utf8') ?? '{}');
    expect(data.userId).toBe('UANA');
    expect(data.profile.displayName).toBe('Ana');
    expect(data.activities.map((a: { kind: string }) => a.kind).sort()).toEqual(['call', 'deal_won']);
    expect(data.activities.every((a: { userId: string }) => a.userId === 'UANA')).toBe(true);
    expect(data.goals).toHaveLength(1);
    expect(data.kudos.map((k: { reason: string }) => k.reason)).toEqual(['for the Acme demo']);
    // The outbox keeps no second copy of the file once Slack has it.
    const [row] = await h.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.workspaceId, h.teamId), eq(outbox.kind, 'export')));
    expect(row?.status).toBe('sent');
    expect(JSON.stringify(row?.payload)).not.toContain('contentBase64');
    const uploads = h.fake.calls.filter((c) => c.method.startsWith('files.') || c.method === 'file_upload');
    expect(uploads.map((c) => [c.method, c.ok])).toEqual([
      ['files.getUploadURLExternal', true],
      ['file_upload', true],
      ['files.completeUploadExternal', true],
    ]);
  });

  it('shares the file once when the replica sending it died after Slack had shared it', async () => {
    await h.kpi('UBEN', 'privacy export', { triggerId: 'export-crash' });
    const claims = await claimReady(h.database.db, {
      now: h.clock.now,
      workerId: 'dead',
      leaseMs: 120_000,
      limit: 10,
      workspaceId: h.teamId,
    });
    const claimed = claims.find((post) => post.kind === 'export');
    expect(claimed?.key).toBe('export:UBEN:export-crash');
    // The dead replica got as far as sharing the file, then died before recording it.
    const slack = new webApi.WebClient(h.botToken, { slackApiUrl: h.fake.apiUrl });
    const file = claimed?.payload.file;
    const bytes = Buffer.from(file?.contentBase64 ?? '', 'base64');
    const dm = (await slack.conversations.open({ users: 'UBEN' })).channel?.id ?? '';
    const target = await slack.files.getUploadURLExternal({ filename: file?.filename ?? '', length: bytes.length });
    await fetch(target.upload_url ?? '', { method: 'POST', body: bytes });
    await slack.files.completeUploadExternal({ files: [{ id: target.file_id ?? '' }], channel_id: dm });

    const report = await h.bot.delivery.drain(new Date(h.clock.now.getTime() + 121_000));
    expect(report).toMatchObject({ reconciled: 1 });
    expect(h.fake.messagesIn(dm)).toHaveLength(1);
  });

  it('lets only an admin erase someone, and asks them to choose first', async () => {
    const rep = await h.kpi('UBEN', 'privacy forget <@UANA|ana>');
    expect(rep.body.text).toContain('Only a workspace admin');
    const manager = await h.kpi('UMGR', 'privacy forget <@UANA|ana>');
    expect(manager.body.text).toContain('Only a workspace admin');
    const forged = await h.clickButton('UBEN', ACTIONS.forgetDelete, 'UANA');
    expect(forged.body.text).toContain('Only a workspace admin');
    const bad = await h.kpi('UADM', 'privacy forget ana');
    expect(shown(bad)).toContain('Say whose data to erase');

    const ask = await h.kpi('UADM', 'privacy forget <@UANA|ana>');
    expect(ask.body.text).toContain("Erase Ana's personal data?");
    const buttons = JSON.stringify((ask.body.blocks as unknown[]) ?? []);
    expect(buttons).toContain(ACTIONS.forgetAnonymise);
    expect(buttons).toContain(ACTIONS.forgetDelete);
    // Nothing changed yet.
    expect(await h.database.db.select().from(members).where(eq(members.userId, 'UANA'))).toHaveLength(1);
  });

  it('anonymises: the profile, goals and kudos go, the entries stay in team totals under a pseudonym, audited', async () => {
    const before = await totals();
    const done = await h.clickButton('UADM', ACTIONS.forgetAnonymise, 'UANA');
    expect(done.body.text).toContain('stay in team totals as "Former teammate"');
    expect(await totals()).toEqual(before);

    const left = await h.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, h.teamId), eq(activities.userId, 'UANA')));
    expect(left).toEqual([]);
    expect(await h.database.db.select().from(members).where(eq(members.userId, 'UANA'))).toEqual([]);
    expect(await h.database.db.select().from(kudos).where(eq(kudos.workspaceId, h.teamId))).toEqual([]);
    const [audit] = await h.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, h.teamId), eq(auditLog.action, 'privacy.forget')));
    expect(audit).toMatchObject({ actorId: 'UADM', details: { entries: 'anonymised', count: 2 } });
    expect(audit?.target).toMatch(/^anon-/);
    // Nothing stored anywhere names her any more.
    const dump = JSON.stringify(
      await queryRows(
        h.database.db,
        sql`select * from activities, members where activities.workspace_id = ${h.teamId}`,
      ),
    );
    expect(dump).not.toContain('UANA');
    expect(dump).not.toContain('Acme');

    const again = await h.clickButton('UADM', ACTIONS.forgetAnonymise, 'UANA');
    expect(again.body.text).toContain('Nothing is stored about');
    const board = await h.kpi('UBEN', 'board calls');
    expect(shown(board)).not.toContain('Ana');
  });

  it('deletes: with the entries, team totals drop by exactly theirs', async () => {
    const before = await totals();
    const done = await h.clickButton('UADM', ACTIONS.forgetDelete, 'UCAT');
    expect(done.body.text).toContain('and their 1 entries are erased');
    const after = await totals();
    expect(after).toEqual({
      quantity: (before?.quantity ?? 0) - 2,
      cents: before?.cents,
      people: (before?.people ?? 0) - 1,
    });
    const [audit] = await h.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.workspaceId, h.teamId), eq(auditLog.action, 'privacy.forget')))
      .orderBy(sql`${auditLog.id} desc`)
      .limit(1);
    expect(audit?.details).toEqual({ entries: 'deleted', count: 1 });
  });
});
