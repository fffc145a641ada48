import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { outbox } from '../../src/db/schema.js';
import { getSettings, saveSettings } from '../../src/game/settings.js';
import type { CrmEvent } from '../../src/integrations/crm-event.js';
import { storeEvents } from '../../src/integrations/inbox.repository.js';
import { mapOwner } from '../../src/integrations/owners.js';
import { ensureWorkspace } from '../../src/members/members.repository.js';
import { describeDb } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * Issue #11 §3, "leave the past ready to use": a team connects today, 90 days of HubSpot history
 * arrive as backfilled events (the shapes webhooks produce, `backfilled: true`), the app's own CRM
 * runner applies them, and the same hour streaks, badges, the board's most improved, goal
 * suggestions and pace all come from that history. And nothing of it was announced.
 */

// Wednesday 18 Nov 2026, 15:00 UTC: the day the team connects.
const NOW = new Date('2026-11-18T15:00:00Z');
const SINCE = DateTime.fromJSDate(NOW, { zone: 'UTC' }).minus({ days: 90 }).startOf('day');
/** A lower daily activity goal than the default ten keeps the history to a few hundred records. */
const DAILY_GOAL = 3;

const shown = (reply: RecordedResponse) => JSON.stringify(reply.body);

/** Working days (Monday to Friday, no holidays set) from the window's start to today, as ISO dates. */
function workingDays(): string[] {
  const days: string[] = [];
  for (let d = SINCE; d <= DateTime.fromJSDate(NOW, { zone: 'UTC' }); d = d.plus({ days: 1 })) {
    if (d.weekday <= 5) days.push(d.toISODate() ?? '');
  }
  return days;
}

/** A call as HubSpot's engagement API reads it, turned into the backfill's event (contract's id convention). */
function call(id: string, owner: string, at: Date): CrmEvent {
  const modified = at.toISOString();
  return {
    type: 'activity.upsert',
    eventId: `backfill:calls:${id}:${modified}`,
    occurredAt: at,
    activityId: id,
    fields: { type: 'call', done: true, doneAt: at, ownerId: owner },
    backfilled: true,
  };
}

describeDb('90 days of backfilled history, ready to use at once', () => {
  let h: Harness;
  const days = workingDays();
  const thisWeek = days.filter((d) => d >= '2026-11-16');
  const lastWeek = days.filter((d) => d >= '2026-11-09' && d < '2026-11-16');

  beforeAll(async () => {
    h = await startHarness({ now: NOW });
    h.addUser('UANA', { name: 'Ana', tz: 'UTC' });
    h.addUser('UBEN', { name: 'Ben', tz: 'UTC' });
    const db = h.database.db;
    await ensureWorkspace(db, h.teamId);
    const settings = await getSettings(db, h.teamId);
    await saveSettings(db, h.teamId, {
      ...settings,
      dailyActivityGoal: DAILY_GOAL,
      recognition: { ...settings.recognition, channelId: 'CWINS' },
    });
    await mapOwner(db, { workspaceId: h.teamId, source: 'hubspot' }, 'hs-ana', 'UANA');
    await mapOwner(db, { workspaceId: h.teamId, source: 'hubspot' }, 'hs-ben', 'UBEN');

    const events: CrmEvent[] = [];
    // Ana: three calls every working day of the window, today's this morning.
    for (const day of days) {
      for (const hour of ['09', '10', '11'])
        events.push(call(`ana-${day}-${hour}`, 'hs-ana', new Date(`${day}T${hour}:00:00Z`)));
    }
    // Ben: one call a day last week, four a day this week.
    for (const day of lastWeek) events.push(call(`ben-${day}`, 'hs-ben', new Date(`${day}T10:00:00Z`)));
    for (const day of thisWeek) {
      for (const hour of ['09', '10', '11', '12'])
        events.push(call(`ben-${day}-${hour}`, 'hs-ben', new Date(`${day}T${hour}:00:00Z`)));
    }
    // Ana won a deal a month ago, and Ben one this morning: history both, announced neither.
    for (const [dealId, owner, closed] of [
      ['d-ana', 'hs-ana', '2026-10-19T14:00:00Z'],
      ['d-ben', 'hs-ben', '2026-11-18T14:00:00Z'],
    ] as const) {
      events.push({
        type: 'deal.upsert',
        eventId: `backfill:deals:${dealId}:${closed}`,
        occurredAt: new Date(closed),
        dealId,
        fields: { name: dealId, amountCents: 800_000, stage: 'closedwon', ownerId: owner, closedAt: new Date(closed) },
        backfilled: true,
      });
    }
    await storeEvents(db, h.teamId, 'hubspot', events);
    // The app's own runner applies them, as after a page the engine stored.
    h.bot.crm.kick(h.teamId);
    await h.bot.crm.idle();
  });
  afterAll(async () => h.close());

  it('announced nothing', async () => {
    expect(await h.database.db.select().from(outbox).where(eq(outbox.workspaceId, h.teamId))).toEqual([]);
  });

  it("shows Ana's streak over the whole window and the badges her history earned", async () => {
    const me = shown(await h.kpi('UANA', 'me'));
    expect(me).toContain(`*Streak:* ${days.length} working days (best ${days.length}) · today 3/3`);
    expect(me).toContain(':fire: 10-day streak');
    expect(me).toContain(':tada: First deal (19 Oct 2026)');
  });

  it("puts Ben on the board's most improved, against last week from the backfill", async () => {
    const board = shown(await h.kpi('UBEN', 'board calls'));
    // Monday to Wednesday 15:00 against the same stretch last week: Ben's 12 calls against his 3.
    expect(board).toContain(
      '*Most improved* vs last week to the same point (Mon 9 Nov 00:00 to Wed 11 Nov 15:00): Ben (+9)',
    );
  });

  it('suggests a goal from the backfilled weeks, and paces this week with them', async () => {
    const suggestion = shown(await h.kpi('UANA', 'goal calls'));
    expect(suggestion).toContain('15: your 75th-percentile week over your last 8 complete weeks');
    const goal = shown(await h.kpi('UANA', 'goal calls 20'));
    expect(goal).toContain('9 of 20 (45%)');
  });
});
