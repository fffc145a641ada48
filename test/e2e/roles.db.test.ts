import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditLog, members } from '../../src/db/schema.js';
import { describeDb } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

function shown(reply: RecordedResponse): string {
  return JSON.stringify(reply.body);
}

describeDb('/kpi role, team and audit end to end', () => {
  let h: Harness;

  const member = async (userId: string) =>
    (
      await h.database.db
        .select()
        .from(members)
        .where(and(eq(members.workspaceId, h.teamId), eq(members.userId, userId)))
    )[0];
  const audit = () =>
    h.database.db.select().from(auditLog).where(eq(auditLog.workspaceId, h.teamId)).orderBy(auditLog.id);

  beforeAll(async () => {
    h = await startHarness();
    h.addUser('UADMIN', { name: 'Ada', isAdmin: true });
    h.addUser('UMGR', { name: 'Max' });
    h.addUser('UMGR2', { name: 'Mia' });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben' });
  });
  afterAll(async () => h.close());

  it('a rep cannot change roles or read the audit log; nothing changes', async () => {
    const reply = await h.kpi('UANA', 'role <@UANA|ana> admin');
    expect(reply.body.text).toBe('Only a workspace admin can change who is a manager or an admin.');
    expect((await member('UANA'))?.role).toBe('rep');
    expect((await h.kpi('UANA', 'audit')).body.text).toBe('Only a workspace admin can read the audit log.');
    expect((await h.kpi('UANA', 'team add <@UBEN|ben>')).body.text).toMatch(/^Only a manager can add people to a team/);
    expect((await member('UBEN'))?.managerId ?? null).toBeNull();
    expect(await audit()).toEqual([]);
  });

  it('a Slack admin makes managers; each change is audited once, a repeat changes nothing', async () => {
    const reply = await h.kpi('UADMIN', 'role <@UMGR|max> manager');
    expect(reply.body.text).toBe('Done: Max is now a manager (was rep). Kept in the audit log.');
    await h.kpi('UADMIN', 'role <@UMGR2|mia> manager');
    expect((await h.kpi('UADMIN', 'role <@UMGR|max> manager')).body.text).toBe('Max is already a manager.');
    expect((await member('UMGR'))?.role).toBe('manager');
    expect(await audit()).toMatchObject([
      { actorId: 'UADMIN', action: 'role.change', target: 'UMGR', details: { from: 'rep', to: 'manager' } },
      { actorId: 'UADMIN', action: 'role.change', target: 'UMGR2' },
    ]);
  });

  it('a manager builds their team, cannot take another manager’s rep, and removes their own', async () => {
    expect((await h.kpi('UMGR', 'team add <@UANA|ana>')).body.text).toContain('Ana added to your team');
    expect((await member('UANA'))?.managerId).toBe('UMGR');
    const steal = await h.kpi('UMGR2', 'team add <@UANA|ana>');
    expect(steal.body.text).toContain("Ana is on <@UMGR>'s team; an admin can move them");
    expect((await member('UANA'))?.managerId).toBe('UMGR');
    const removeOther = await h.kpi('UMGR2', 'team remove <@UANA|ana>');
    expect(removeOther.body.text).toContain('an admin can move them');
    expect((await member('UANA'))?.managerId).toBe('UMGR');
    expect(shown(await h.kpi('UMGR', 'team'))).toContain('• Ana');
    expect((await h.kpi('UANA', 'team')).body.text).toContain('Your manager: <@UMGR>');
    expect((await h.kpi('UMGR', 'team add <@UBEN|ben> to <@UMGR2|mia>')).body.text).toBe(
      'Only a workspace admin can add reps to someone else’s team.',
    );
    expect((await member('UBEN'))?.managerId ?? null).toBeNull();
    expect((await h.kpi('UMGR', 'team remove <@UANA|ana>')).body.text).toContain('Ana taken off their team');
    expect((await member('UANA'))?.managerId).toBeNull();
  });

  it('an admin puts reps on another manager’s team; the audit log lists every change', async () => {
    const reply = await h.kpi('UADMIN', 'team add <@UANA|ana> <@UBEN|ben> to <@UMGR2|mia>');
    expect(reply.body.text).toContain("Ana, Ben added to <@UMGR2>'s team");
    expect((await member('UBEN'))?.managerId).toBe('UMGR2');
    const notManager = await h.kpi('UADMIN', 'team add <@UANA|ana> to <@UBEN|ben>');
    expect(notManager.body.text).toContain("Ben isn't a manager yet");
    const log = shown(await h.kpi('UADMIN', 'audit'));
    for (const line of ['*role.change* <@UMGR>', '*team.add* <@UANA>', '*team.remove* <@UANA>', '*team.add* <@UBEN>']) {
      expect(log).toContain(line);
    }
    expect((await audit()).map((a) => a.action)).toEqual([
      'role.change',
      'role.change',
      'team.add',
      'team.remove',
      'team.add',
      'team.add',
    ]);
  });
});
