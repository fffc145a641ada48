import { startFakeHubSpot } from '../test/support/fake-hubspot.js';
import type { FakeHubSpotRecords, SearchRecord } from '../test/support/fake-hubspot-search.js';

/**
 * The backfill bench's HubSpot, in a process of its own so neither its records nor its work count
 * against the measured app. Its records are computed from their index when asked for: record `i`
 * of a type happens `i × step` after the window's start, so a search's slice is a range of
 * indexes, found by arithmetic, and a hundred thousand records never sit in memory.
 *
 * Started with `{ since, until, activitiesPerType, deals, ownerId }`; answers `{ baseUrl, accessToken }`,
 * then `{ calls, refused, refusedSearches }` (requests answered, 429s, and those of searches) when sent `'stats'`.
 */

interface Shape {
  since: number;
  until: number;
  activitiesPerType: number;
  deals: number;
  ownerId: string;
}

const TYPES = ['calls', 'meetings', 'emails', 'tasks'] as const;
/** Ids of each object type start here, so none collide across types. */
const FIRST_ID: Record<string, number> = {
  deals: 1,
  calls: 1_000_000,
  meetings: 2_000_000,
  emails: 3_000_000,
  tasks: 4_000_000,
};
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'closedwon', 'closedlost'];

function generated(shape: Shape): FakeHubSpotRecords {
  const countOf = (object: string) =>
    object === 'deals' ? shape.deals : (TYPES as readonly string[]).includes(object) ? shape.activitiesPerType : 0;
  const stepOf = (object: string) =>
    Math.max(1, Math.floor((shape.until - shape.since) / Math.max(1, countOf(object))));
  const timeOf = (object: string, i: number) => shape.since + i * stepOf(object);
  const iso = (t: number) => new Date(t).toISOString();

  function record(object: string, i: number): SearchRecord {
    const id = String((FIRST_ID[object] ?? 0) + i);
    const at = iso(timeOf(object, i));
    const owner = { hubspot_owner_id: shape.ownerId, hs_lastmodifieddate: at };
    if (object === 'deals') {
      const stage = STAGES[i % STAGES.length] ?? 'appointmentscheduled';
      return {
        id,
        properties: {
          ...owner,
          dealname: `Deal ${i}`,
          amount: String(500 + (i % 50) * 100),
          dealstage: stage,
          createdate: iso(timeOf(object, i) - 86_400_000),
          closedate: stage.startsWith('closed') ? at : null,
        },
      };
    }
    const byType: Record<string, Record<string, string | null>> = {
      calls: { hs_timestamp: at, hs_call_status: 'COMPLETED', hs_call_disposition: null, hs_call_title: null },
      meetings: {
        hs_timestamp: at,
        hs_meeting_start_time: at,
        hs_meeting_outcome: 'COMPLETED',
        hs_meeting_title: null,
      },
      emails: { hs_timestamp: at, hs_email_direction: 'EMAIL', hs_email_status: 'SENT', hs_email_subject: null },
      tasks: { hs_timestamp: at, hs_task_status: 'COMPLETED', hs_task_type: 'TODO', hs_task_completion_date: at },
    };
    return { id, properties: { ...owner, ...byType[object] } };
  }

  return {
    search(object, _property, range, offset, limit) {
      const n = countOf(object);
      const step = stepOf(object);
      const index = (t: number) => Math.min(n, Math.max(0, Math.ceil((t - shape.since) / step)));
      const lo = index(range.from);
      const hi = index(range.to);
      const results: SearchRecord[] = [];
      for (let i = lo + offset; i < Math.min(hi, lo + offset + limit); i++) results.push(record(object, i));
      return { total: hi - lo, results };
    },
    associated(from, id, to) {
      // Every activity is on a deal; none on a contact (the bench reads no leads).
      return to === 'deals' && from !== 'deals' ? [String(1 + (Number(id) % Math.max(1, shape.deals)))] : [];
    },
    record(object, id) {
      const i = Number(id) - (FIRST_ID[object] ?? 0);
      return Number.isInteger(i) && i >= 0 && i < countOf(object) ? record(object, i).properties : undefined;
    },
    stageHistory(dealId) {
      const i = Number(dealId) - 1;
      const current = record('deals', i).properties;
      return [
        { value: 'appointmentscheduled', timestamp: current.createdate ?? iso(shape.since) },
        {
          value: current.dealstage ?? 'appointmentscheduled',
          timestamp: current.hs_lastmodifieddate ?? iso(shape.since),
        },
      ];
    },
  };
}

process.once('message', async (message) => {
  const shape = message as Shape;
  const fake = await startFakeHubSpot({ records: generated(shape) });
  fake.addOwner({ id: shape.ownerId, email: 'bench-rep@acme.test', firstName: 'Bench', lastName: 'Rep' });
  // Kept short: the fake's log of every request is all it holds, and only its counts are asked for.
  process.on('message', (ask) => {
    if (ask !== 'stats') return;
    const calls = fake.calls.length;
    const refused = fake.calls.filter((c) => c.status === 429);
    const refusedSearches = refused.filter((c) => c.path.endsWith('/search')).length;
    process.send?.({ calls, refused: refused.length, refusedSearches });
  });
  process.send?.({ baseUrl: fake.baseUrl, accessToken: fake.accessToken });
});
