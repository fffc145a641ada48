import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { basicAuth, pipedriveCrm } from '../support/crm-harness.js';
import { describeDb } from '../support/db.js';
import { type Json, OWNER_ID, startFakePipedrive, v2ActivityRecord, v2Event } from '../support/fake-pipedrive.js';
import { type Harness, startHarness } from '../support/harness.js';
import { addRep, postWebhook } from '../support/webhooks.js';

const authorization = basicAuth();
const LOAD_OWNER = 4242;
/** Other activities per second while measuring: far above a real team's (50 reps logging one a minute is under 1/s). */
const LOAD_RATE = 25;
const PROBES = 10;
/** The target is 2 s; the assertion is generous so a busy CI machine does not fail it. */
const GENEROUS_BOUND_MS = 10_000;

/**
 * Webhook → visible in `/kpi me`: a done call sent as Pipedrive sends it (v2 `activity.create`), then
 * `/kpi me` asked every 100 ms until its Calls figure has grown. Measured while another rep's
 * activities keep arriving at 25 a second, so the processor is busy. Prints the figures; asserts a
 * generous bound.
 */
describeDb('CRM activity latency: webhook to /kpi me, under load', () => {
  let h: Harness;
  let pipedrive: Awaited<ReturnType<typeof startFakePipedrive>>;
  let nextId = 70_000;

  const callDone = (ownerId: number, minute: number): Json => {
    const id = ++nextId;
    const at = new Date(Date.UTC(2026, 10, 18, 9, minute % 60)).toISOString();
    return v2Event({
      action: 'create',
      entity: 'activity',
      entityId: id,
      data: v2ActivityRecord({
        id,
        type: 'call',
        done: true,
        owner_id: ownerId,
        marked_as_done_time: at,
        deal_id: null,
      }),
      previous: null,
      meta: { timestamp: at },
    });
  };
  const send = (body: Json) =>
    postWebhook(h, '/webhooks/pipedrive', JSON.stringify(body), { 'content-type': 'application/json', authorization });

  /** The Calls figure of the rep's scorecard this week. */
  async function callsShown(userId: string): Promise<number> {
    const text = JSON.stringify((await h.kpi(userId, 'me')).body);
    const match = /\*Calls\*\\n(\d+)/.exec(text);
    return match ? Number(match[1]) : 0;
  }

  beforeAll(async () => {
    pipedrive = await startFakePipedrive();
    h = await startHarness({ crm: pipedriveCrm(pipedrive) });
    addRep(h, 'UANA', 'ana@acme.test', 'Ana');
    addRep(h, 'UBO', 'bo@acme.test', 'Bo');
    pipedrive.addUser({ id: OWNER_ID, email: 'ana@acme.test', name: 'Ana Lopez' });
    pipedrive.addUser({ id: LOAD_OWNER, email: 'bo@acme.test', name: 'Bo Chen' });
  });
  afterAll(async () => {
    await h?.close();
    await pipedrive?.close();
  });

  it('shows a call in /kpi me well within the bound while other activities keep arriving', async () => {
    // Owners matched and caches warm, as in a running installation.
    await send(callDone(OWNER_ID, 0));
    await send(callDone(LOAD_OWNER, 0));
    await h.bot.crm.idle();
    let shown = await callsShown('UANA');
    expect(shown).toBe(1);

    let sent = 0;
    let loadRunning = true;
    const inFlight: Promise<unknown>[] = [];
    const load = (async () => {
      while (loadRunning) {
        sent++;
        inFlight.push(
          send(callDone(LOAD_OWNER, sent)).then((answer) => {
            if (answer.status !== 200) throw new Error(`load webhook answered ${answer.status}`);
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 1000 / LOAD_RATE));
      }
    })();

    const latencies: number[] = [];
    for (let probe = 1; probe <= PROBES; probe++) {
      const started = performance.now();
      const answer = await send(callDone(OWNER_ID, probe));
      expect(answer.status).toBe(200);
      // Asked every 100 ms, as impatiently as a person might: a tighter loop would only load the database.
      while ((await callsShown('UANA')) < shown + 1) {
        if (performance.now() - started > GENEROUS_BOUND_MS) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      latencies.push(performance.now() - started);
      shown++;
    }
    loadRunning = false;
    await load;
    await Promise.all(inFlight);
    await h.bot.crm.idle();
    expect(await callsShown('UBO')).toBe(sent + 1);

    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const max = sorted.at(-1) ?? 0;
    console.info(
      `webhook → /kpi me: p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms over ${PROBES} probes ` +
        `while ${sent} other activities arrived at ${LOAD_RATE}/s`,
    );
    expect(max).toBeLessThan(GENEROUS_BOUND_MS);
    expect(await callsShown('UANA')).toBe(PROBES + 1);
  }, 120_000);
});
