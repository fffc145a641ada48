import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities } from '../../src/db/schema.js';
import { describeDb } from '../support/db.js';
import type { RecordedResponse } from '../support/fake-slack.js';
import { type Harness, startHarness } from '../support/harness.js';

const text = (reply: RecordedResponse) => JSON.stringify(reply.body);

/**
 * Wednesday 18 Nov 2026, 10:00 in New York. "This week" there runs from Mon 16 Nov 00:00 EST
 * (05:00Z); last week from Mon 9 Nov 05:00Z to the same Wednesday time.
 */
const NOW = new Date('2026-11-18T15:00:00Z');
const THIS_WEEK = new Date('2026-11-17T15:00:00Z');
const LAST_WEEK = new Date('2026-11-10T15:00:00Z');

describeDb('/kpi me and /kpi board end to end', () => {
  let h: Harness;

  async function logAt(at: Date, userId: string, entry: string) {
    h.clock.now = at;
    const reply = await h.kpi(userId, `log ${entry}`);
    expect(reply.body.text).toMatch(/^Logged/);
  }

  beforeAll(async () => {
    h = await startHarness({ now: NOW });
    h.addUser('UANA', { name: 'Ana' });
    h.addUser('UBEN', { name: 'Ben', tz: 'Europe/London' });
    h.addUser('UCAT', { name: 'Cat' });
    h.addUser('UDAN', { name: 'Dan' });
    h.addUser('UEVE', { name: 'Eve' });
    h.addUser('UFAY', { name: 'Fay' });
    // Revenue this week: Ana $10,000; Ben and Cat $5,000 each (a tie); Dan $1,000.
    await logAt(LAST_WEEK, 'UANA', 'deal won $2k');
    await logAt(THIS_WEEK, 'UANA', 'deal won 2 $10k');
    await logAt(THIS_WEEK, 'UANA', 'deal lost 1');
    await logAt(THIS_WEEK, 'UANA', 'calls 40');
    await logAt(THIS_WEEK, 'UANA', 'conversations 10');
    await logAt(LAST_WEEK, 'UBEN', 'deal won $6k');
    await logAt(THIS_WEEK, 'UBEN', 'deal won $5,000');
    await logAt(THIS_WEEK, 'UCAT', 'deal won $5k');
    await logAt(THIS_WEEK, 'UDAN', 'deal won 1,000');
    // Eve only made calls: nothing on a revenue board, where she would be last.
    await logAt(THIS_WEEK, 'UEVE', 'calls 30');
    // Fay won only last week: at $0 this week she has no place, even privately, rather than last.
    await logAt(LAST_WEEK, 'UFAY', 'deal won $3k');
    await logAt(THIS_WEEK, 'UFAY', 'calls 5');
    // Another workspace with the same user ids and far bigger numbers must never show up here.
    await h.database.db.insert(activities).values({
      workspaceId: 'TOTHERTEAM',
      userId: 'UDAN',
      kind: 'deal_won',
      quantity: 1,
      amountCents: 999_999_900,
      occurredAt: THIS_WEEK,
      source: 'slack',
      idempotencyKey: 'other-team',
    });
    h.clock.now = NOW;
  });
  afterAll(async () => h.close());

  describe('the board', () => {
    it('ranks with standard competition ranking (1, 2, 2, 4), ties listed by name', async () => {
      const reply = await h.kpi('UANA', 'board');
      const board = text(reply);
      const order = ['Ana: *$10,000*', 'Ben: *$5,000*', 'Cat: *$5,000*', '4. Dan: *$1,000*'].map((s) =>
        board.indexOf(s),
      );
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(board).toContain(':first_place_medal: Ana');
      expect(board).toContain(':second_place_medal: Ben');
      expect(board).toContain(':second_place_medal: Cat');
      expect(board).not.toContain(':third_place_medal:');
      expect(board).not.toContain('$9,999,999');
    });

    it('names people in plain text, never with mentions that ping them', async () => {
      const board = text(await h.kpi('UBEN', 'board'));
      expect(board).not.toMatch(/<[@!]/);
    });

    it('celebrates the most improved against the previous window', async () => {
      const board = text(await h.kpi('UANA', 'board'));
      // Ana: $2,000 → $10,000 (+$8,000); Dan: $0 → $1,000; Ben went down ($6,000 → $5,000).
      expect(board).toMatch(/Most improved.*Ana \(\+\$8,000\)/);
      expect(board).not.toMatch(/Most improved[^"]*Ben/);
    });

    it('ranks a ratio only with enough data, and says so', async () => {
      const board = text(await h.kpi('UANA', 'board win rate'));
      // Ana closed 3 deals (2 won, 1 lost): 67%. Everyone else with an entry closed fewer than 3.
      expect(board).toContain('Ana: *67%*');
      expect(board).toContain('4 not ranked yet');
    });

    it('leaves out people who opted out, without giving away their place', async () => {
      expect((await h.kpi('UCAT', 'privacy hide')).body.text).toContain('hidden');
      const board = text(await h.kpi('UANA', 'board'));
      expect(board).not.toContain('Cat');
      expect(board).toContain('3. Dan');
      const own = text(await h.kpi('UCAT', 'board'));
      expect(own).toContain('Your place: #2 of 4');
      expect((await h.kpi('UCAT', 'privacy show')).body.text).toContain('appear on public boards');
      expect(text(await h.kpi('UANA', 'board'))).toContain('Cat');
    });

    it('answers an unknown metric with the way to list them', async () => {
      const reply = await h.kpi('UANA', 'board happiness');
      expect(reply.body.text).toContain('happiness');
      expect(reply.body.text).toContain('/kpi explain');
    });

    it('leaves people at zero off a board of sums, and tells them their place privately', async () => {
      const board = text(await h.kpi('UANA', 'board'));
      expect(board).not.toContain('Eve');
      const own = text(await h.kpi('UEVE', 'board'));
      expect(own).not.toContain('Eve:');
      expect(own).toContain('You are not on this board yet');
      expect(text(await h.kpi('UANA', 'board calls'))).toContain('Eve: *30*');
    });

    it('gives nobody a place at zero, even someone who won last week', async () => {
      const own = text(await h.kpi('UFAY', 'board'));
      expect(own).toContain('You are not on this board yet');
      expect(own).not.toContain('Your place');
      const card = text(await h.kpi('UFAY', 'me'));
      expect(card).toContain('No revenue yet in this window, so no rank');
      expect(card).not.toMatch(/#\d+ of \d+/);
    });
  });

  describe('the scorecard', () => {
    it('shows the key KPIs with their change, the private rank and a coaching line', async () => {
      const reply = await h.kpi('UANA', 'me');
      expect(reply.body.response_type).toBe('ephemeral');
      const card = text(reply);
      expect(card).toContain('*Revenue*\\n$10,000 (▲');
      expect(card).toContain('*Deals won*\\n2');
      expect(card).toContain('*Win rate*\\n67%');
      expect(card).toContain('*Average deal size*\\n$5,000');
      expect(card).toContain('*Calls*\\n40');
      expect(card).toContain('#1 of 4');
      expect(card).toContain(':bulb:');
      expect(card).toContain('America/New_York');
    });

    it('computes the window in the rep’s own timezone', async () => {
      const reply = await h.kpi('UBEN', 'me');
      expect(text(reply)).toContain('Europe/London');
      expect(text(reply)).toContain('$5,000');
    });

    it('shows any past window, computed from the log', async () => {
      const card = text(await h.kpi('UANA', 'me last week'));
      expect(card).toContain('*Revenue*\\n$2,000');
    });

    it('refuses a window in the future', async () => {
      const reply = await h.kpi('UANA', 'me 2027-01-01 to 2027-01-31');
      expect(reply.body.text).toMatch(/hasn.t started|future/i);
    });

    it('shows quota attainment against the newest revenue goal of the window’s period only', async () => {
      expect(text(await h.kpi('UANA', 'me'))).not.toContain('Quota attainment');
      for (const goal of ['revenue $40k', 'revenue $20k', 'revenue $100k month']) {
        expect((await h.kpi('UANA', `goal ${goal}`)).body.text).not.toMatch(/sorry|can.t|cannot/i);
      }
      // $10,000 this week against the week's $20k goal, which replaced the $40k one.
      const week = text(await h.kpi('UANA', 'me'));
      expect(week).toContain('*Quota attainment*\\n50%');
      // This month so far: $12,000 against the month's $100k goal.
      const month = text(await h.kpi('UANA', 'me this month'));
      expect(month).toContain('*Quota attainment*\\n12%');
      // Each goal's progress is the same whether it is the card's own window (taken from the card's
      // figures) or another one (read for the goal).
      for (const card of [week, month]) {
        expect(card).toContain('$10,000 of $20,000 (50%)');
        expect(card).toContain('$12,000 of $100,000 (12%)');
      }
      // Ben has no goal: his card has no quota line.
      expect(text(await h.kpi('UBEN', 'me'))).not.toContain('Quota attainment');
    });
  });

  describe('explain', () => {
    it('gives the formula, the window and timezone, what was counted', async () => {
      const reply = await h.kpi('UANA', 'explain win rate');
      const shown = text(reply);
      expect(shown).toContain('Formula');
      expect(shown).toContain('America/New_York');
      expect(shown).toContain('2 deals won ($10,000)');
      expect(shown).toContain('Your figure: *67%*');
    });

    it('cites the industry benchmark where the field has one', async () => {
      const shown = text(await h.kpi('UANA', 'explain reach rate'));
      expect(shown).toContain('Industry benchmark');
      expect(shown).toContain('35');
      expect(shown).toContain('HubSpot Sales Blog');
    });

    it('names the study a benchmark comes from, and the notes in the repository that record it', async () => {
      const shown = text(await h.kpi('UANA', 'explain lead response time'));
      expect(shown).toContain('The Short Life of Online Sales Leads');
      expect(shown).toContain('Harvard Business Review, March 2011');
      expect(shown).toContain('docs/kpi-field-notes.md');
    });

    it('says what data is missing instead of showing zero', async () => {
      const shown = text(await h.kpi('UANA', 'explain cac'));
      expect(shown).toContain('not available');
      expect(shown).toMatch(/spend/i);
    });
  });
});
