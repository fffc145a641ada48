import { afterAll, beforeAll, expect, it } from 'vitest';
import { createContest } from '../../src/contests/contests.repository.js';
import { activityRows } from '../support/activity-rows.js';
import { describeDb } from '../support/db.js';
import { isCallTo, type RecordedCall, type RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';
import { directMessage } from '../support/interaction-payloads.js';

/** Wednesday 18 November 2026, 10:00 in New York (EST, UTC−5). */
const WED = new Date('2026-11-18T15:00:00Z');

function shown(reply: RecordedResponse): string {
  return JSON.stringify(reply.body);
}

describeDb('/kpi log for an earlier day, end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ now: WED });
    for (const name of ['Ana', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay']) h.addUser(`U${name.toUpperCase()}`, { name });
  });
  afterAll(async () => h.close());

  const rowsOf = (userId: string) => activityRows(h.database.db, h.teamId, userId);

  it('stores the entry at midday of the named day, says which day, and stores a retry once', async () => {
    const reply = await h.kpi('UANA', 'log calls 12 yesterday', { triggerId: 'back-1' });
    expect(reply.body.text).toBe('Logged 12 calls for yesterday.');
    const again = await h.kpi('UANA', 'log calls 12 yesterday', { triggerId: 'back-1' });
    expect(again.body.text).toBe('Already logged: 12 calls for yesterday.');
    const monday = await h.kpi('UANA', 'log meeting with Acme on monday');
    expect(monday.body.text).toBe('Logged 1 meeting for Mon 16 Nov.');
    expect(shown(monday)).toContain('Note: with Acme');

    const rows = (await rowsOf('UANA')).sort((a, b) => a.id - b.id);
    // Midday in New York (UTC−5) of Tuesday and of Monday.
    expect(rows.map((r) => [r.kind, r.quantity, r.occurredAt.toISOString()])).toEqual([
      ['call', 12, '2026-11-17T17:00:00.000Z'],
      ['meeting', 1, '2026-11-16T17:00:00.000Z'],
    ]);
  });

  it('reads a day at the end of a DM to the app, as /kpi log does', async () => {
    // https://docs.slack.dev/reference/events/message.im/
    const channel = h.fake.dmChannelOf('UFAY');
    const event = directMessage({
      teamId: h.teamId,
      userId: 'UFAY',
      channel,
      text: '12 calls yesterday',
      ts: '1763478000.000200',
    });
    expect(await h.event(event)).toBe(200);
    const reply = await h.fake.waitFor(
      (e): e is RecordedCall => isCallTo('chat.postMessage')(e) && String(e.args.text).startsWith('Logged'),
      10_000,
    );
    expect(reply.args.text).toBe('Logged 12 calls for yesterday.');
    expect((await rowsOf('UFAY')).map((r) => r.occurredAt.toISOString())).toEqual(['2026-11-17T17:00:00.000Z']);
  });

  it('refuses a day more than a week back or still to come, and stores nothing', async () => {
    const old = await h.kpi('UBEN', 'log calls 5 nov 10');
    expect(old.body.text).toContain('You can log up to 7 days back (as far as Wed 11 Nov)');
    const future = await h.kpi('UBEN', 'log calls 5 2026-11-19');
    expect(future.body.text).toContain("That day hasn't happened yet");
    expect(await rowsOf('UBEN')).toEqual([]);
  });

  it('counts on the board for the day it happened, not the day it was typed', async () => {
    await h.kpi('UCAT', 'log demos 4 yesterday');
    expect(shown(await h.kpi('UCAT', 'board demos yesterday'))).toContain('Cat');
    expect(shown(await h.kpi('UCAT', 'board demos today'))).not.toContain('Cat');
  });

  it('builds a streak from backdated days', async () => {
    await h.kpi('UDAN', 'log calls 10 on monday');
    await h.kpi('UDAN', 'log calls 10 yesterday');
    expect(shown(await h.kpi('UDAN', 'me'))).toContain('*Streak:* 2 working days (best 2) · today 0/10');
  });

  it("counts toward this week's goal only what happened this week", async () => {
    expect((await h.kpi('UEVE', 'goal calls 20')).body.text).toContain('Goal set');
    await h.kpi('UEVE', 'log calls 15 on friday'); // Fri 13 Nov: last week
    await h.kpi('UEVE', 'log calls 5 yesterday');
    expect(shown(await h.kpi('UEVE', 'me'))).toContain('5 of 20 (25%)');
  });

  it('scores a contest by the day each entry happened: before the start counts for nothing', async () => {
    const { contest } = await createContest(h.database.db, {
      workspaceId: h.teamId,
      actorId: 'UANA',
      key: 'backdating',
      now: new Date('2026-11-13T17:00:00Z'),
      draft: {
        name: 'Dial-a-thon',
        metric: 'calls',
        scorecard: null,
        ranking: 'raw',
        startsAt: new Date('2026-11-17T05:00:00Z'), // Tue 17 Nov, 00:00 in New York
        endsAt: new Date('2026-11-21T05:00:00Z'),
        timezone: 'America/New_York',
        channelId: 'CSALES',
        participants: ['UDAN', 'UEVE'],
        prizes: { kind: 'top', places: ['A gift card'] },
        minScore: null,
      },
    });
    expect(await h.bot.runJob('contests', new Date('2026-11-17T05:01:00Z'))).toMatchObject({ started: 1 });
    // Dan's Monday calls came before the start; his and Eve's Tuesday calls count.
    const dan = shown(await h.kpi('UDAN', 'contest'));
    expect(dan).toContain('Dial-a-thon');
    expect(dan).toContain('You: #1 of 2, *10*');
    // Eve's Friday calls came before it too: typed during the contest, they would tie her with Dan.
    expect(shown(await h.kpi('UEVE', 'contest'))).toContain('You: #2 of 2, *5*');
    expect(contest.status).toBe('scheduled');
  });
});
