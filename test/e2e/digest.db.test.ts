import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseHandle } from '../../src/db/client.js';
import { activities, goals, leads, members, outbox, workspaces } from '../../src/db/schema.js';
import { decideDigests } from '../../src/digest/digests.job.js';
import { createLogger } from '../../src/lib/logger.js';
import { NO_REPS_TEXT } from '../../src/slack/blocks/digest.blocks.js';
import { describeDb, newWorkspaceId, openTestDatabase } from '../support/db.js';
import { validateBlocks } from '../support/fake-slack.js';

// Monday 23 November 2026, 08:00 in New York (the default digest time), ISO week 48.
const MONDAY_0800_NY = new Date('2026-11-23T13:00:00Z');
// The main workspace has its digest on Wednesdays at 08:00, when the week's pace says something.
const WEDNESDAY_0800_NY = new Date('2026-11-25T13:00:00Z');

describeDb('digests job: a private weekly DM to each manager about their own reps', () => {
  let database: DatabaseHandle;
  const deps = () => ({ db: database.db, logger: createLogger('silent') });
  let ws: string;
  let other: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    const db = database.db;
    ws = newWorkspaceId();
    other = newWorkspaceId();
    await db
      .insert(workspaces)
      .values([{ id: ws, settings: { digest: { dayOfWeek: 3, timeOfDay: '08:00' } } }, { id: other }]);
    const person = (workspaceId: string, userId: string, fields: Partial<typeof members.$inferInsert> = {}) => ({
      workspaceId,
      userId,
      displayName: userId.slice(1),
      timezone: 'America/New_York',
      ...fields,
    });
    await db
      .insert(members)
      .values([
        person(ws, 'UMAYA', { role: 'manager' }),
        person(ws, 'UAVA', { managerId: 'UMAYA' }),
        person(ws, 'UBRUNO', { managerId: 'UMAYA' }),
        person(ws, 'UNOAH', { role: 'manager' }),
        person(ws, 'UCLEO', { managerId: 'UNOAH' }),
        person(ws, 'UOWEN', { role: 'manager' }),
        person(ws, 'UADA', { isSlackAdmin: true }),
        person(ws, 'UBOTTY', { isBot: true, managerId: 'UMAYA' }),
        person(other, 'UXAVI', { role: 'manager' }),
        person(other, 'UZED', { managerId: 'UMAYA' }),
      ]);
    const goal = (userId: string, target: number) => ({
      workspaceId: ws,
      userId,
      metric: 'calls',
      target,
      period: 'week' as const,
      setBy: 'UMAYA',
    });
    await db.insert(goals).values([goal('UAVA', 10), goal('UBRUNO', 50)]);
    const calls = (userId: string, quantity: number, at: string, workspaceId = ws) => ({
      workspaceId,
      userId,
      kind: 'call',
      quantity,
      occurredAt: new Date(at),
      source: 'slack',
      idempotencyKey: `${userId}-${at}`,
    });
    await db
      .insert(activities)
      .values([
        calls('UAVA', 12, '2026-11-23T12:00:00Z'),
        calls('UBRUNO', 2, '2026-11-23T12:30:00Z'),
        calls('UAVA', 5, '2026-11-12T15:00:00Z'),
        calls('UZED', 400, '2026-11-23T12:00:00Z', other),
      ]);
    await db.insert(leads).values({
      workspaceId: ws,
      source: 'hubspot',
      externalId: 'L1',
      ownerUserId: 'UBRUNO',
      createdAt: new Date('2026-11-22T20:00:00Z'),
    });
  });
  afterAll(async () => database.close());

  async function digests(workspaceId: string) {
    return database.db.select().from(outbox).where(eq(outbox.workspaceId, workspaceId)).orderBy(outbox.key);
  }
  const shownTo = async (userId: string) =>
    JSON.stringify((await digests(ws)).find((d) => d.target === userId)?.payload ?? null);

  it('decides each manager’s digest once, at the digest time in their zone, as a DM', async () => {
    expect(await decideDigests(deps(), new Date('2026-11-25T12:59:00Z'), { workspaceId: ws })).toMatchObject({
      enqueued: 0,
    });
    expect(await decideDigests(deps(), WEDNESDAY_0800_NY, { workspaceId: ws })).toMatchObject({ enqueued: 4 });
    const decided = await digests(ws);
    expect(decided.map((d) => [d.key, d.kind, d.target])).toEqual([
      ['digest:UADA:2026-W48', 'digest', 'UADA'],
      ['digest:UMAYA:2026-W48', 'digest', 'UMAYA'],
      ['digest:UNOAH:2026-W48', 'digest', 'UNOAH'],
      ['digest:UOWEN:2026-W48', 'digest', 'UOWEN'],
    ]);
    for (const d of decided) {
      expect(validateBlocks((d.payload as { blocks: unknown }).blocks, '/blocks', 50)).toEqual([]);
    }
    expect(await decideDigests(deps(), new Date('2026-11-25T18:00:00Z'), { workspaceId: ws })).toMatchObject({
      enqueued: 0,
    });
    expect(await decideDigests(deps(), new Date('2026-11-26T13:00:00Z'), { workspaceId: ws })).toMatchObject({
      enqueued: 0,
    });
    expect(await digests(ws)).toHaveLength(4);
  });

  it('tells a manager only about their own reps: ahead, behind pace, what moved, 1:1 topics', async () => {
    const maya = await shownTo('UMAYA');
    expect(maya).toContain('*Ahead or on pace*\\n• AVA: Calls 120% of 10');
    expect(maya).toContain('*Behind pace*\\n• BRUNO: Calls 4% of 50, needs 16 a working day');
    expect(maya).toContain('*Calls*: 5 → 14');
    expect(maya).toContain('• BRUNO: leads waiting over an hour for a first reply');
    expect(maya).toContain('• AVA: what went well: their biggest improvement');
    for (const stranger of ['CLEO', 'ZED', 'BOTTY', 'XAVI']) expect(maya).not.toContain(stranger);
    const noah = await shownTo('UNOAH');
    expect(noah).toContain('CLEO');
    expect(noah).not.toContain('AVA');
  });

  it('gives an admin with no reps the whole workspace, and a manager with none a note on how to add them', async () => {
    const ada = await shownTo('UADA');
    for (const name of ['AVA', 'BRUNO', 'CLEO']) expect(ada).toContain(name);
    expect(ada).not.toContain('ZED');
    expect(ada).toContain('everyone in the workspace');
    const owen = (await digests(ws)).find((d) => d.target === 'UOWEN')?.payload as { text: string };
    expect(owen.text).toBe(NO_REPS_TEXT);
    expect(owen.text).toContain('/kpi team add @rep');
  });

  it('follows the workspace’s digest day and time in the manager’s own zone', async () => {
    const tokyo = newWorkspaceId();
    await database.db
      .insert(workspaces)
      .values({ id: tokyo, settings: { digest: { dayOfWeek: 5, timeOfDay: '7:30' } } });
    await database.db.insert(members).values([
      { workspaceId: tokyo, userId: 'UKEN', displayName: 'Ken', timezone: 'Asia/Tokyo', role: 'manager' },
      { workspaceId: tokyo, userId: 'UYUI', displayName: 'Yui', timezone: 'Asia/Tokyo', managerId: 'UKEN' },
    ]);
    // Monday's default time decides nothing here; Friday 07:30 in Tokyo is Thursday 22:30 UTC.
    expect(await decideDigests(deps(), MONDAY_0800_NY, { workspaceId: tokyo })).toMatchObject({ enqueued: 0 });
    expect(await decideDigests(deps(), new Date('2026-11-26T22:29:00Z'), { workspaceId: tokyo })).toMatchObject({
      enqueued: 0,
    });
    expect(await decideDigests(deps(), new Date('2026-11-26T22:30:00Z'), { workspaceId: tokyo })).toMatchObject({
      enqueued: 1,
    });
    expect((await digests(tokyo)).map((d) => d.key)).toEqual(['digest:UKEN:2026-W48']);
  });

  it('still goes out later in the week when the bot was down at digest time, never twice', async () => {
    const late = newWorkspaceId();
    await database.db.insert(workspaces).values({ id: late });
    await database.db.insert(members).values({
      workspaceId: late,
      userId: 'ULIA',
      displayName: 'Lia',
      timezone: 'Europe/Berlin',
      role: 'manager',
    });
    // Monday 07:59 in Berlin: not yet. Down from then until Wednesday: this week's digest. Thursday: nothing more.
    expect(await decideDigests(deps(), new Date('2026-11-23T06:59:00Z'), { workspaceId: late })).toMatchObject({
      enqueued: 0,
    });
    expect(await decideDigests(deps(), new Date('2026-11-25T12:00:00Z'), { workspaceId: late })).toMatchObject({
      enqueued: 1,
    });
    expect(await decideDigests(deps(), new Date('2026-11-26T12:00:00Z'), { workspaceId: late })).toMatchObject({
      enqueued: 0,
    });
    expect((await digests(late)).map((d) => d.key)).toEqual(['digest:ULIA:2026-W48']);
  });

  it('never includes another workspace’s people, even one pointing at a manager id of this one', async () => {
    await decideDigests(deps(), MONDAY_0800_NY, { workspaceId: other });
    const xavi = JSON.stringify(await digests(other));
    expect(xavi).not.toContain('AVA');
    expect(xavi).not.toContain('BRUNO');
    expect((await digests(other)).map((d) => d.target)).toEqual(['UXAVI']);
  });
});
