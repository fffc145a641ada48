import { sql } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { queryRows } from '../../src/db/rows.js';
import type { ActivityFields, CrmEvent } from '../../src/integrations/crm-event.js';
import { objectsToApply, storeEvents } from '../../src/integrations/inbox.repository.js';
import { mapOwner } from '../../src/integrations/owners.js';
import { applyObject, applyPending } from '../../src/integrations/processor.js';
import { describeDb, newWorkspaceId } from '../support/db.js';
import { seedMember, useTestDatabase } from '../support/handler.js';
import { offlineProcessor } from '../support/processor.js';

/**
 * Activity records are applied in batches (one transaction, one insert for the batch's new entries).
 * The log a batch writes must be the one that applying each record alone writes: same entries, same
 * keys, same reversals, the same events waiting; applying again writes nothing; and a batch that
 * fails part-way writes nothing and leaves every event pending.
 */

const NOW = new Date('2026-11-18T15:00:00Z');
const at = (minutes: number) => new Date(NOW.getTime() - 24 * 3_600_000 + minutes * 60_000);

describeDb('activity records applied in batches', () => {
  const t = useTestDatabase();
  const deps = () => offlineProcessor(t.db, NOW);

  async function workspace() {
    const workspaceId = newWorkspaceId();
    for (const user of ['UANA', 'UBEN']) await seedMember(t.db, workspaceId, user, 'rep', NOW);
    await mapOwner(t.db, { workspaceId, source: 'hubspot' }, 'owner-ana', 'UANA');
    await mapOwner(t.db, { workspaceId, source: 'hubspot' }, 'owner-ben', 'UBEN');
    await storeEvents(t.db, workspaceId, 'hubspot', [
      {
        type: 'deal.upsert',
        eventId: 'deal-d1',
        occurredAt: at(0),
        dealId: 'd1',
        fields: { name: 'Acme', stage: 'appointmentscheduled', ownerId: 'owner-ana' },
      },
      { type: 'lead.create', eventId: 'lead-l1', occurredAt: at(1), leadId: 'l1', ownerId: 'owner-ben' },
    ]);
    return workspaceId;
  }

  const upsert = (id: string, minute: number, fields: Partial<ActivityFields> = {}): CrmEvent => ({
    type: 'activity.upsert',
    eventId: `${id}@${minute}`,
    occurredAt: at(minute),
    activityId: id,
    fields: {
      type: 'call',
      outcome: 'connected',
      done: true,
      doneAt: at(minute),
      ownerId: 'owner-ana',
      ownerEmail: null,
      dealId: null,
      leadId: null,
      subject: `about ${id}`,
      ...fields,
    },
  });

  /** Thirty records: calls, meetings, emails and tasks, some on the deal or the lead, edited, deleted, or waiting. */
  function firstEvents(): CrmEvent[] {
    const events: CrmEvent[] = [];
    for (let i = 0; i < 30; i++) {
      const type = ['call', 'meeting', 'email', 'task'][i % 4] ?? 'call';
      const outcome = {
        call: i % 3 === 0 ? 'connected' : 'no_answer',
        meeting: 'completed',
        email: 'sent',
        task: null,
      };
      events.push(
        upsert(`c${i}`, 10 + i, {
          type,
          outcome: outcome[type as keyof typeof outcome],
          ownerId: i % 2 === 0 ? 'owner-ana' : 'owner-ben',
          dealId: i % 5 === 0 ? 'd1' : i % 7 === 0 ? 'd-unknown' : null,
          leadId: i % 6 === 0 ? 'l1' : null,
        }),
      );
    }
    events.push(upsert('c5', 50, { outcome: 'no_answer', type: 'call' })); // edited before it was ever applied
    events.push({ type: 'activity.delete', eventId: 'c6@del', occurredAt: at(51), activityId: 'c6' });
    events.push(upsert('c-zed', 52, { ownerId: 'owner-zed' })); // an owner nobody mapped: waits
    events.push(upsert('c-open', 53, { type: 'task', done: false })); // not done: counts nothing
    return events;
  }

  /** Edits, a deletion, a reassignment and new records, after the first ones were applied. */
  function secondEvents(): CrmEvent[] {
    return [
      upsert('c0', 60, { outcome: 'no_answer' }),
      { type: 'activity.delete', eventId: 'c1@del', occurredAt: at(61), activityId: 'c1' },
      upsert('c3', 62, { ownerId: 'owner-ana', outcome: 'no_answer' }),
      upsert('c6', 63), // restored after its deletion
      ...Array.from({ length: 10 }, (_, i) => upsert(`n${i}`, 70 + i, { leadId: 'l1' })),
    ];
  }

  /** The batched way: what the processor does with a backlog. */
  async function applyBatched(workspaceId: string) {
    while ((await applyPending(deps(), workspaceId)).applied > 0);
  }

  /** Every object alone, oldest first. */
  async function applyOneByOne(workspaceId: string) {
    for (const object of await objectsToApply(t.db, workspaceId, 1000)) await applyObject(deps(), object);
  }

  /**
   * The workspace's log with our ids replaced by what they stand for (inbox ids by event ids, row ids
   * by the entry they point to), so two workspaces' logs compare.
   */
  async function log(workspaceId: string) {
    const events = new Map(
      (
        await queryRows<{ id: number; event_id: string }>(
          t.db,
          sql`select id::int, event_id from crm_events where workspace_id = ${workspaceId}`,
        )
      ).map((e) => [e.id, e.event_id]),
    );
    const entries = await queryRows<{
      id: number;
      idempotency_key: string;
      reverses_id: number | null;
      kind: string;
      user_id: string;
      quantity: number;
      occurred_at: string;
      note: string | null;
      external_id: string | null;
      deal: string | null;
      lead: string | null;
    }>(
      t.db,
      sql`select a.id::int, a.idempotency_key, a.reverses_id::int, a.kind, a.user_id, a.quantity, a.occurred_at::text,
            a.note, a.external_id, d.external_id as deal, l.external_id as lead
          from activities a left join deals d on d.id = a.deal_id left join leads l on l.id = a.lead_id
          where a.workspace_id = ${workspaceId}`,
    );
    const byId = new Map(entries.map((e) => [e.id, e]));
    const keyOf = (id: number | null): string => {
      const entry = id === null ? undefined : byId.get(id);
      if (!entry) return `missing ${id}`;
      if (entry.reverses_id !== null) return `undo:${keyOf(entry.reverses_id)}`;
      return entry.idempotency_key.replace(
        /:(\d+)\.(\d+):/,
        (_, generation, replaces) =>
          `:${events.get(Number(generation))}.${replaces === '0' ? '0' : keyOf(Number(replaces))}:`,
      );
    };
    return entries
      .map(({ id, idempotency_key, reverses_id, ...entry }) => ({ key: keyOf(id), ...entry }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async function inbox(workspaceId: string) {
    return queryRows(
      t.db,
      sql`select event_id, status, waiting_for from crm_events where workspace_id = ${workspaceId} order by event_id`,
    );
  }

  async function firstResponse(workspaceId: string) {
    return queryRows(t.db, sql`select first_response_at::text from leads where workspace_id = ${workspaceId}`);
  }

  async function expectSummaryAddsUp(workspaceId: string) {
    const read = (from: string) =>
      queryRows(
        t.db,
        sql`select user_id, bucket::text, kind, note_chars, entries, quantity::float8 as quantity
            from ${sql.raw(from)} where workspace_id = ${workspaceId} and entries <> 0 order by 1, 2, 3, 4`,
      );
    expect(await read('activity_summary')).toEqual(await read('activity_summary_from_log'));
  }

  let batched: string;
  let alone: string;
  beforeEach(async () => {
    batched = await workspace();
    alone = await workspace();
    for (const workspaceId of [batched, alone]) await storeEvents(t.db, workspaceId, 'hubspot', firstEvents());
  });

  it('writes the log, the waits and the first responses that applying each record alone writes', async () => {
    await applyBatched(batched);
    await applyOneByOne(alone);
    const written = await log(batched);
    expect(written).toEqual(await log(alone));
    expect(await inbox(batched)).toEqual(await inbox(alone));
    expect(await firstResponse(batched)).toEqual(await firstResponse(alone));
    // What the records say: connected calls two entries, c5 as edited, c6 deleted, the open task nothing.
    expect(written.filter((e) => e.external_id === 'c0').map((e) => e.kind)).toEqual(['call', 'conversation']);
    expect(written.filter((e) => e.external_id === 'c5').map((e) => e.kind)).toEqual(['call']);
    expect(written.filter((e) => ['c6', 'c-open', 'c-zed'].includes(e.external_id ?? ''))).toEqual([]);
    expect(written.find((e) => e.external_id === 'c10')).toMatchObject({ deal: 'd1', lead: null, note: 'about c10' });
    expect(written.find((e) => e.external_id === 'c14')).toMatchObject({ deal: null });
    expect((await inbox(batched)).filter((e) => e.status === 'waiting')).toEqual([
      { event_id: 'c-zed@52', status: 'waiting', waiting_for: 'owner owner-zed' },
    ]);
    await expectSummaryAddsUp(batched);
  });

  it('corrects with the same reversing rows as one by one when records are edited, deleted and restored', async () => {
    await applyBatched(batched);
    await applyOneByOne(alone);
    for (const workspaceId of [batched, alone]) await storeEvents(t.db, workspaceId, 'hubspot', secondEvents());
    await applyBatched(batched);
    await applyOneByOne(alone);
    const written = await log(batched);
    expect(written).toEqual(await log(alone));
    // A reversal names no record: it stands against the entry its key names.
    const standing = (id: string) =>
      written.filter((e) => e.external_id === id && !written.some((u) => u.key === `undo:${e.key}`));
    expect(standing('c0').map((e) => e.kind)).toEqual(['call']);
    expect(standing('c1')).toEqual([]);
    expect(standing('c3').map((e) => e.user_id)).toEqual(['UANA']);
    expect(standing('c6').map((e) => e.kind)).toEqual(['call', 'conversation']);
    // c0's call and conversation, c1's meeting, c3's follow-up (now Ana's call); c6 had nothing standing.
    expect(written.filter((e) => e.key.startsWith('undo:'))).toHaveLength(4);
    await expectSummaryAddsUp(batched);
  });

  it('writes nothing more when every event is applied again', async () => {
    await applyBatched(batched);
    const once = await log(batched);
    await t.db.execute(sql`update crm_events set status = 'pending' where workspace_id = ${batched}`);
    await applyBatched(batched);
    expect(await log(batched)).toEqual(once);
    await expectSummaryAddsUp(batched);
  });

  it('writes nothing and leaves every event pending when the batch fails part-way, then lands once', async () => {
    // Marking the events is the batch's last statement: failing it proves the entries before it roll back.
    await t.db.execute(
      sql.raw(`create function fail_${batched}() returns trigger language plpgsql as $$
      begin raise exception 'the database went away'; end $$`),
    );
    await t.db.execute(
      sql.raw(`create trigger fail_${batched} before update on crm_events for each row
        when (new.workspace_id = '${batched}' and new.object_key like 'crm-activity:%')
        execute function fail_${batched}()`),
    );
    await expect(applyPending(deps(), batched)).rejects.toThrow();
    expect(await log(batched)).toEqual([]);
    const records = (await inbox(batched)).filter((e) => String(e.event_id).startsWith('c'));
    expect(new Set(records.map((e) => e.status))).toEqual(new Set(['pending']));
    await t.db.execute(sql.raw(`drop trigger fail_${batched} on crm_events`));
    await applyBatched(batched);
    await applyOneByOne(alone);
    expect(await log(batched)).toEqual(await log(alone));
    await expectSummaryAddsUp(batched);
  });
});
