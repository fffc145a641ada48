import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { activityRows, firstEntryBucket } from '../db/activity-summary.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import type { KpiDefinition } from '../kpi/catalogue.js';
import { inputsOf } from '../kpi/inputs.js';
import { zoneOrUtc } from '../lib/zone.js';
import { HISTORY_PERIODS } from './suggest.js';

/**
 * A rep's value of a goal metric in each of their recent complete periods (weeks, months or
 * quarters, in their own zone), oldest first, in one grouped query (and one for their first entry). Goal metrics are sums of their
 * activity kinds (see goal-metrics.ts): quantity for counts, amount for money. Periods before the
 * rep's first entry of any kind are left out, so a new hire is not judged on weeks before they started.
 */
export async function periodHistory(
  db: Database,
  q: {
    workspaceId: string;
    userId: string;
    def: KpiDefinition;
    base: keyof typeof HISTORY_PERIODS;
    now: Date;
    timezone: string;
  },
): Promise<number[]> {
  const zone = zoneOrUtc(q.timezone);
  const current = DateTime.fromJSDate(q.now, { zone }).startOf(q.base);
  const from = current.minus({ [`${q.base}s`]: HISTORY_PERIODS[q.base] });
  const kinds = inputsOf(q.def).kinds;
  if (kinds.length === 0) return [];
  const value = q.def.unit === 'currency' ? sql`a.amount_cents` : sql`a.quantity`;
  const [rows, first] = await Promise.all([
    queryRows<{ period: string; value: number }>(
      db,
      sql`
        select to_char(date_trunc(${q.base}, a.occurred_at at time zone ${zone}), 'YYYY-MM-DD') as period,
               sum(${value})::float8 as value
        from ${activityRows({
          workspaceId: q.workspaceId,
          userIds: [q.userId],
          kinds,
          from: from.toJSDate(),
          to: current.toJSDate(),
        })} a
        group by 1`,
    ),
    // A quarter-hour lies within one period in any zone, so the first entry's is as good as its instant.
    firstEntryBucket(db, q.workspaceId, q.userId),
  ]);
  if (!first) return [];
  const firstPeriod = DateTime.fromJSDate(first, { zone }).startOf(q.base);
  const byPeriod = new Map(rows.map((r) => [r.period, r.value]));
  const history: number[] = [];
  for (let p = from; p < current; p = p.plus({ [`${q.base}s`]: 1 })) {
    if (p < firstPeriod) continue;
    history.push(byPeriod.get(p.toISODate() ?? '') ?? 0);
  }
  return history;
}
