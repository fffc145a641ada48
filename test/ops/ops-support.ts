import { enqueuePosts } from '../../src/delivery/outbox.repository.js';
import type { Harness } from '../support/harness.js';

/** The app's `/metrics` text (Prometheus exposition format). */
export async function scrape(h: Harness, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${h.url}/metrics`, { headers });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

/** The value of one series (exact label set), or undefined when the scrape has no such series. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = (match[2] ?? '').split(',').filter(Boolean).sort().join(',');
    if (got === wanted) return Number(match[3]);
  }
  return undefined;
}

/** A post to a channel, in the outbox, due at `notBefore` (default: the harness's now). */
export async function enqueueBoardPost(h: Harness, key: string, channel: string, notBefore = h.clock.now) {
  h.fake.addChannel({ id: channel, teamId: h.teamId, members: ['UBOT'] });
  await enqueuePosts(h.database.db, [
    { workspaceId: h.teamId, key, kind: 'board', target: channel, payload: { text: key }, notBefore },
  ]);
}
