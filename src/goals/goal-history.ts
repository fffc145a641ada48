import { sql } from 'drizzle-orm';
import { DateTime, IANAZone } from 'luxon';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import type { KpiDefinition } from '../kpi/catalogue.js';
import { inputsOf } from '../kpi/inputs.js';
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
  const zone = IANAZone.isValidZone(q.timezone) ? q.timezone : 'UTC';
  const current = DateTime.fromJSDate(q.now, { zone }).startOf(q.base);
  const from = current.minus({ [`${q.base}s`]: HISTORY_PERIODS[q.base] });
  const kinds = inputsOf(q.def).kinds;
  if (kinds.length === 0) return [];
  const value = q.def.unit === 'currency' ? sql`a.amount_cents` : sql`a.quantity`;
  const [rows, firsts] = await Promise.all([
    queryRows<{ period: string; value: number }>(
      db,
      sql`
        select to_char(date_trunc(${q.base}, a.occurred_at at time zone ${zone}), 'YYYY-MM-DD') as period,
               sum(${value})::float8 as value
        from activities a
        where a.workspace_id = ${q.workspaceId} and a.user_id = ${q.userId}
          and a.kind in (${sql.join(
            kinds.map((k) => sql`${k}`),
            sql`, `,
          )})
          and a.occurred_at >= ${from.toJSDate().toISOString()}::timestamptz
          and a.occurred_at < ${current.toJSDate().toISOString()}::timestamptz
        group by 1`,
    ),
    queryRows<{ first: Date | string | null }>(
      db,
      sql`select min(occurred_at) as first from activities where workspace_id = ${q.workspaceId} and user_id = ${q.userId}`,
    ),
  ]);
  const first = firsts[0]?.first;
  if (!first) return [];
  const firstPeriod = DateTime.fromJSDate(new Date(first), { zone }).startOf(q.base);
  const byPeriod = new Map(rows.map((r) => [r.period, r.value]));
  const history: number[] = [];
  for (let p = from; p < current; p = p.plus({ [`${q.base}s`]: 1 })) {
    if (p < firstPeriod) continue;
    history.push(byPeriod.get(p.toISODate() ?? '') ?? 0);
  }
  return history;
}
