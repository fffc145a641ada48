import { signHubSpotV3 } from '../test/support/fake-hubspot.js';

/**
 * The load generator of the ingest benchmark, in its own process so that signing and sending do not
 * take the server's event loop: what is measured is the app, not the client sharing its CPU.
 */
interface Job {
  endpoint: string;
  clientSecret: string;
  bodies: string[];
  /** Closed loop: this many clients, each sending its next batch when the last is answered. */
  clients: number;
  /** Open loop instead: batches per second, sent on schedule whatever the answers (as CRMs do). */
  rate: number | null;
}

const { endpoint, clientSecret, bodies, clients, rate } = await new Promise<Job>((resolve) =>
  process.once('message', (m) => resolve(m as Job)),
);
const times: number[] = [];
let duplicates = 0;

async function deliver(body: string) {
  const headers = signHubSpotV3(body, { clientSecret, method: 'POST', url: endpoint, timestamp: Date.now() });
  const t = performance.now();
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const reply = (await res.json()) as { duplicates?: number };
  times.push(performance.now() - t);
  if (res.status !== 200) throw new Error(`HubSpot batch answered ${res.status}: ${JSON.stringify(reply)}`);
  duplicates += reply.duplicates ?? 0;
}

const started = performance.now();
if (rate === null) {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < bodies.length) await deliver(bodies[next++] as string);
    }),
  );
} else {
  const sends = bodies.map(
    (body, i) =>
      new Promise<void>((resolve, reject) => setTimeout(() => deliver(body).then(resolve, reject), (i * 1000) / rate)),
  );
  await Promise.all(sends);
}
process.send?.({ times, duplicates, seconds: (performance.now() - started) / 1000 }, () => process.exit(0));
