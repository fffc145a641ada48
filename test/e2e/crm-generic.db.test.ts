import { and, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activities, crmEvents, dealStageChanges, deals, leads } from '../../src/db/schema.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { genericJsonSchema } from '../../src/integrations/generic/format.js';
import { signStandardWebhook } from '../../src/integrations/generic/signature.js';
import { describeDb, TEST_DB } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';
import { ADMIN_URL } from '../support/test-env.js';
import { postChunked } from '../support/webhooks.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describeDb('CRM webhooks end to end: the generic format', () => {
  let h: Harness;
  let seq = 0;

  async function send(body: unknown, o: { secret?: string; timestamp?: number; id?: string; raw?: string } = {}) {
    const text = o.raw ?? JSON.stringify(body);
    const id = o.id ?? `msg_${++seq}`;
    const timestamp = o.timestamp ?? Math.floor(h.clock.now.getTime() / 1000);
    const res = await fetch(`${h.url}/webhooks/generic`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(o.secret ?? SECRET, id, timestamp, text),
      },
      body: text,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const dealEvent = (id: string, at: string, deal: Record<string, unknown>) => ({
    id,
    type: 'deal',
    occurred_at: at,
    deal,
  });

  async function wonEntries(dealId: string) {
    const [deal] = await h.database.db
      .select()
      .from(deals)
      .where(and(eq(deals.workspaceId, h.teamId), eq(deals.externalId, dealId)));
    if (!deal) return { deal, entries: [] };
    const entries = await h.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, h.teamId), eq(activities.dealId, deal.id)));
    return { deal, entries };
  }

  beforeAll(async () => {
    h = await startHarness({ crm: parseCrmConfig({ WEBHOOK_SECRET: SECRET }, []) });
    h.fake.addUser({
      id: 'UANA',
      teamId: h.teamId,
      name: 'ana',
      displayName: 'Ana',
      email: 'ana@acme.test',
      tz: 'UTC',
    });
    h.fake.addUser({
      id: 'UBOSS',
      teamId: h.teamId,
      name: 'boss',
      displayName: 'Boss',
      email: 'boss@acme.test',
      tz: 'UTC',
      isAdmin: true,
    });
  });
  afterAll(async () => h.close());

  it('turns a won deal into exactly one deal-won entry, however often it is sent', async () => {
    const batch = {
      events: [
        dealEvent('e1', '2026-11-16T10:00:00Z', {
          id: 'D1',
          name: 'Acme',
          amount: 12500.5,
          stage: 'proposal',
          status: 'open',
          owner_email: 'ana@acme.test',
        }),
        dealEvent('e2', '2026-11-17T10:00:00Z', {
          id: 'D1',
          stage: 'won',
          status: 'won',
          closed_at: '2026-11-17T10:00:00Z',
        }),
      ],
    };
    const first = await send(batch);
    expect(first).toEqual({ status: 200, body: { stored: 2, duplicates: 0, rejected: [] } });
    const again = await send(batch, { id: 'msg_retry' });
    expect(again.body).toEqual({ stored: 0, duplicates: 2, rejected: [] });
    await h.bot.crm.idle();
    const { deal, entries } = await wonEntries('D1');
    expect(deal).toMatchObject({ status: 'won', amountCents: 1_250_050, ownerUserId: 'UANA', name: 'Acme' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'deal_won', userId: 'UANA', amountCents: 1_250_050, source: 'generic' });
    expect(entries[0]?.occurredAt.toISOString()).toBe('2026-11-17T10:00:00.000Z');
    // The rep sees it on their board.
    h.clock.now = new Date('2026-11-18T12:00:00Z');
    const board = await h.kpi('UANA', 'board');
    expect(JSON.stringify(board.body)).toContain('Ana: *$12,501*');
  });

  it('applies events in the order they happened, whatever order they arrive in', async () => {
    await send({ events: [dealEvent('o3', '2026-11-17T12:00:00Z', { id: 'D2', stage: 'won', status: 'won' })] });
    await send({
      events: [
        dealEvent('o1', '2026-11-16T09:00:00Z', { id: 'D2', amount: 800, stage: 'new', owner_email: 'ana@acme.test' }),
      ],
    });
    await send({ events: [dealEvent('o2', '2026-11-16T15:00:00Z', { id: 'D2', stage: 'demo' })] });
    await h.bot.crm.idle();
    const { deal, entries } = await wonEntries('D2');
    expect(deal).toMatchObject({ status: 'won', amountCents: 80_000 });
    const stages = await h.database.db
      .select({ from: dealStageChanges.fromStage, to: dealStageChanges.toStage })
      .from(dealStageChanges)
      .where(and(eq(dealStageChanges.workspaceId, h.teamId), eq(dealStageChanges.dealId, deal?.id ?? -1)))
      .orderBy(dealStageChanges.changedAt);
    expect(stages).toEqual([
      { from: null, to: 'new' },
      { from: 'new', to: 'demo' },
      { from: 'demo', to: 'won' },
    ]);
    expect(entries.map((e) => [e.kind, e.quantity, e.amountCents])).toEqual([['deal_won', 1, 80_000]]);
  });

  it('reverses the entry when a won deal is corrected, so figures stay right', async () => {
    await send({ events: [dealEvent('c1', '2026-11-18T08:00:00Z', { id: 'D2', amount: 900 })] });
    await h.bot.crm.idle();
    const { entries } = await wonEntries('D2');
    const net = entries.reduce((sum, e) => sum + e.amountCents, 0);
    expect(net).toBe(90_000);
    expect(entries.filter((e) => e.reversesId === null && e.amountCents > 0)).toHaveLength(2);
  });

  it('keeps the events of an owner nobody can match, and counts them once an admin maps the owner', async () => {
    await send({
      events: [
        dealEvent('u1', '2026-11-17T09:00:00Z', {
          id: 'D3',
          amount: 5000,
          status: 'won',
          owner_id: 'crm-owner-7',
          owner_email: 'ghost@elsewhere.test',
        }),
      ],
    });
    await h.bot.crm.idle();
    expect((await wonEntries('D3')).entries).toHaveLength(0);
    const waiting = await h.database.db
      .select()
      .from(crmEvents)
      .where(and(eq(crmEvents.workspaceId, h.teamId), eq(crmEvents.status, 'waiting')));
    expect(waiting.map((w) => w.waitingFor)).toEqual(['owner crm-owner-7']);

    const status = JSON.stringify((await h.kpi('UBOSS', 'crm')).body);
    expect(status).toContain('crm-owner-7');
    expect(status).toContain('ghost@elsewhere.test');
    const refused = await h.kpi('UANA', 'crm map generic crm-owner-7 <@UANA|ana>');
    expect(refused.body.text).toContain('Only a workspace admin');
    const mapped = await h.kpi('UBOSS', 'crm map generic crm-owner-7 <@UANA|ana>');
    expect(mapped.body.text).toContain('crm-owner-7');
    await h.bot.crm.idle();
    const { entries } = await wonEntries('D3');
    expect(entries.map((e) => [e.userId, e.amountCents])).toEqual([['UANA', 500_000]]);
  });

  it('stores activities from the CRM once, credited to the rep by email', async () => {
    const batch = {
      events: [
        {
          id: 'a1',
          type: 'activity',
          occurred_at: '2026-11-17T11:00:00Z',
          rep: { email: 'ana@acme.test' },
          activity: 'call',
          count: 7,
        },
      ],
    };
    await send(batch);
    await send(batch);
    await h.bot.crm.idle();
    const rows = await h.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, h.teamId), eq(activities.kind, 'call')));
    expect(rows.map((r) => r.quantity)).toEqual([7]);
  });

  it("times a lead's first response from the first activity done for it, whatever order they arrive in", async () => {
    const lead = {
      id: 'lead-1',
      type: 'lead',
      occurred_at: '2026-11-17T10:00:00Z',
      lead: { id: 'L1', owner_email: 'ana@acme.test', qualified_at: '2026-11-17T12:00:00Z' },
    };
    const call = (id: string, at: string) => ({
      id,
      type: 'activity',
      occurred_at: at,
      rep: { email: 'ana@acme.test' },
      activity: 'call',
      lead_id: 'L1',
    });
    await send({ events: [lead] });
    await h.bot.crm.idle();
    await send({ events: [call('lc2', '2026-11-17T10:30:00Z')] });
    await send({ events: [call('lc1', '2026-11-17T10:20:00Z')] });
    await h.bot.crm.idle();
    const [row] = await h.database.db
      .select()
      .from(leads)
      .where(and(eq(leads.workspaceId, h.teamId), eq(leads.externalId, 'L1')));
    expect(row?.firstResponseAt?.toISOString()).toBe('2026-11-17T10:20:00.000Z');
    expect(row?.qualifiedAt?.toISOString()).toBe('2026-11-17T12:00:00.000Z');
    expect(row?.ownerUserId).toBe('UANA');
    // Both calls count as touchpoints of the lead, and as Ana's calls.
    const linked = await h.database.db
      .select()
      .from(activities)
      .where(and(eq(activities.workspaceId, h.teamId), eq(activities.leadId, row?.id ?? -1)));
    expect(linked.map((a) => a.quantity)).toEqual([1, 1]);
    const explained = JSON.stringify((await h.kpi('UANA', 'explain lead response time')).body);
    expect(explained).toContain('20 min');
  });

  describe('bad requests', () => {
    it('refuses a wrong signature and a stale timestamp with 401, storing nothing', async () => {
      const before = await h.database.db.select({ n: sql<number>`count(*)::int` }).from(crmEvents);
      const batch = { events: [dealEvent('x1', '2026-11-17T10:00:00Z', { id: 'DX' })] };
      expect((await send(batch, { secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
      const stale = await send(batch, { timestamp: Math.floor(h.clock.now.getTime() / 1000) - 301 });
      expect(stale.status).toBe(401);
      expect(String(stale.body.error)).toContain('5 minutes');
      expect(await h.database.db.select({ n: sql<number>`count(*)::int` }).from(crmEvents)).toEqual(before);
    });

    it('answers malformed JSON with 400 and a reason', async () => {
      const res = await send(null, { raw: '{"events": [' });
      expect(res.status).toBe(400);
      expect(String(res.body.error)).toContain('not valid JSON');
    });

    it('stores the good events of a batch and reports the bad one', async () => {
      const res = await send({
        events: [
          dealEvent('b1', '2026-11-17T10:00:00Z', { id: 'DB1' }),
          { id: 'b2', type: 'deal', occurred_at: 'yesterday', deal: { id: 'DB2' } },
          dealEvent('b3', '2026-11-17T10:00:00Z', { id: 'DB3' }),
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.stored).toBe(2);
      expect(res.body.rejected).toEqual([{ index: 1, reason: expect.stringContaining('occurred_at') }]);
    });

    it('refuses a body over 1 MB with 413', async () => {
      const res = await send(null, { raw: JSON.stringify({ events: [{ pad: 'x'.repeat(1024 * 1024) }] }) });
      expect(res.status).toBe(413);
    });

    it('answers a chunked body over 1 MB (no Content-Length) with 413, not a connection reset', async () => {
      const answer = await postChunked(h, '/webhooks/generic', 2 * 1024 * 1024);
      expect(answer).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', sent: 2 * 1024 * 1024, error: null });
    });

    it('stops reading a chunked body that does not end, instead of taking it all in', async () => {
      const answer = await postChunked(h, '/webhooks/generic', 256 * 1024 * 1024);
      expect(answer.sent).toBeLessThan(64 * 1024 * 1024);
    });

    it('answers 404 for a CRM that is not configured, never accepting its data', async () => {
      const res = await fetch(`${h.url}/webhooks/pipedrive`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
    });

    it('publishes the JSON Schema of the format', async () => {
      const res = await fetch(`${h.url}/webhooks/generic/schema.json`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(genericJsonSchema())));
    });
  });

  it.skipIf(TEST_DB !== 'postgres')(
    'answers 503 when the connection drops mid-batch; the retry stores everything once',
    async () => {
      const [{ db } = { db: '' }] = (await h.database.db.execute(sql`select current_database() as db`)) as unknown as {
        db: string;
      }[];
      const url = new URL(ADMIN_URL);
      url.pathname = `/${db}`;
      const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const batch = {
        events: Array.from({ length: 50 }, (_, i) =>
          dealEvent(`drop-${i}`, '2026-11-17T10:00:00Z', { id: `DD${i}`, amount: 100 }),
        ),
      };
      try {
        // Nothing else may be waiting on the inbox: only the batch's own connection gets killed.
        await h.bot.crm.idle();
        // Hold the inbox so the batch's insert waits, then kill the connection it waits on. (The
        // waiting statement may not show in pg_stat_activity yet: postgres.js is still parsing it.)
        let pending: ReturnType<typeof send> | undefined;
        await admin.begin(async (tx) => {
          await tx`lock table crm_events in access exclusive mode`;
          pending = send(batch, { id: 'drop-1' });
          let pids: number[] = [];
          for (let i = 0; i < 200 && pids.length === 0; i++) {
            const rows = await tx`select pid from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`;
            pids = rows.map((r) => r.pid as number);
            if (pids.length === 0) await new Promise((r) => setTimeout(r, 50));
          }
          expect(pids.length).toBeGreaterThan(0);
          for (const pid of pids) await tx`select pg_terminate_backend(${pid})`;
        });
        // The answer is awaited only after the lock is released, so nothing can wait on itself.
        const request = await (pending as ReturnType<typeof send>);
        expect(request.status).toBe(503);
        const stored = () =>
          h.database.db.select({ n: sql<number>`count(*)::int` }).from(crmEvents).where(sql`event_id like 'drop-%'`);
        expect(await stored()).toEqual([{ n: 0 }]);
        const retry = await send(batch, { id: 'drop-1' });
        expect(retry).toEqual({ status: 200, body: { stored: 50, duplicates: 0, rejected: [] } });
        expect(await stored()).toEqual([{ n: 50 }]);
        expect((await send(batch, { id: 'drop-1' })).body).toMatchObject({ stored: 0, duplicates: 50 });
      } finally {
        await admin.end();
      }
    },
  );
});
