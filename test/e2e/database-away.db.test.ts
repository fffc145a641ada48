import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { parseCrmConfig } from '../../src/integrations/crm-config.js';
import { signStandardWebhook } from '../../src/integrations/generic/signature.js';
import { HEALTH_DEADLINE_MS } from '../../src/ops/health.js';
import { databaseUrl } from '../delivery/delivery-support.js';
import { describeDb, openTestDatabase, TEST_DB } from '../support/db.js';
import { type Harness, startHarness } from '../support/harness.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/**
 * The app while PostgreSQL is away, reached through a proxy the test turns off: it answers 503
 * within seconds (never hangs), and serves normally within seconds of the database coming back.
 */

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
// A 503 comes within the health check's deadline, with room for a loaded machine.
const PROMPT_MS = HEALTH_DEADLINE_MS + 2_000;

let template: DatabaseHandle;
let proxied: DatabaseHandle;
let proxy: TcpProxy;
let h: Harness;

async function timed(path: string, init?: RequestInit): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${h.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

function sendBatch(eventId: string) {
  const text = JSON.stringify({
    events: [{ id: eventId, type: 'deal', occurred_at: '2026-11-17T10:00:00Z', deal: { id: eventId, stage: 'open' } }],
  });
  const timestamp = Math.floor(h.clock.now.getTime() / 1000);
  return timed('/webhooks/generic', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(SECRET, eventId, timestamp, text),
    },
    body: text,
  });
}

// Only PostgreSQL is reached over a network that can fail.
describeDb.skipIf(TEST_DB === 'pglite')('the app while the database is away', () => {
  beforeAll(async () => {
    template = await openTestDatabase();
    const url = new URL(await databaseUrl(template.db));
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    proxied = await openDatabase({ driver: 'postgres', url: url.toString() }, { migrate: false });
    h = await startHarness({ database: proxied, crm: parseCrmConfig({ WEBHOOK_SECRET: SECRET }, []) });
  });
  afterAll(async () => {
    await h?.close();
    await proxied?.close();
    await proxy?.close();
    await template?.close();
  });

  it('answers 503 promptly while the database refuses or ignores connections, and recovers', async () => {
    h.addUser('UANA', { name: 'Ana' });
    expect((await timed('/healthz')).status).toBe(200);

    await proxy.mode('refuse');
    const refused = await timed('/healthz');
    expect(refused.status).toBe(503);
    expect(refused.ms).toBeLessThan(PROMPT_MS);
    const batch = await sendBatch('away-1');
    expect(batch.status).toBe(503);
    expect(batch.ms).toBeLessThan(10_000);
    // A per-connection address looks its connection up first: that too is a 503, not a 500.
    expect((await timed('/webhooks/generic/c1', { method: 'POST', body: '{}' })).status).toBe(503);

    await proxy.mode('blackhole');
    const ignored = await timed('/healthz');
    expect(ignored.status).toBe(503);
    expect(ignored.ms).toBeLessThan(PROMPT_MS);

    await proxy.mode('forward');
    const back = performance.now();
    while ((await timed('/healthz')).status !== 200) expect(performance.now() - back).toBeLessThan(10_000);
    expect((await sendBatch('away-2')).status).toBe(200);
    expect(JSON.stringify((await h.kpi('UANA', 'me')).body)).toContain('Revenue');
  }, 60_000);
});
