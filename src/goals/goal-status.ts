import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { getKpi, type KpiDefinition } from '../kpi/catalogue.js';
import type { KpiFacts } from '../kpi/facts.js';
import { inputsOf } from '../kpi/inputs.js';
import { type FactsByUser, type FactsPair, loadFactsByUser } from '../kpi/kpi.queries.js';
import { nothingBefore, previousWindow, resolveWindow, type TimeWindow } from '../kpi/windows.js';
import { activeGoals, type Goal } from './goals.repository.js';
import { type GoalProgress, progressOn, workingDaysOf } from './progress.js';

/**
 * Goals with where each person stands: the goal's whole window (this week Monday to Monday, this
 * month, or its dates), the value so far from the same catalogue maths as every board, and the pace.
 */
export interface GoalView {
  goal: Goal;
  def: KpiDefinition;
  /** The goal's full window; `end` is exclusive and may be in the future. */
  window: { start: Date; end: Date; label: string; timezone: string };
  value: number;
  progress: GoalProgress;
}

export interface Person {
  userId: string;
  timezone: string;
}

const PERIOD_KIND = { week: 'week', month: 'month', quarter: 'quarter', year: 'year' } as const;

/** The window a goal covers at `now` in `timezone`: the current period, or the goal's own dates. */
export function goalWindow(goal: Goal, now: Date, timezone: string): GoalView['window'] & { toDate: TimeWindow } {
  if (goal.period === 'custom') {
    const start = DateTime.fromISO(goal.startsOn ?? '', { zone: timezone }).startOf('day');
    const end = DateTime.fromISO(goal.endsOn ?? '', { zone: timezone })
      .startOf('day')
      .plus({ days: 1 });
    const toDate = resolveWindow(
      { kind: 'range', from: goal.startsOn ?? '', to: goal.endsOn ?? '' },
      now < start.toJSDate() ? start.toJSDate() : now,
      timezone,
    );
    return { start: start.toJSDate(), end: end.toJSDate(), label: toDate.label, timezone: toDate.timezone, toDate };
  }
  const toDate = resolveWindow({ kind: PERIOD_KIND[goal.period] }, now, timezone);
  const start = DateTime.fromJSDate(toDate.start, { zone: toDate.timezone });
  const end = start.plus({ [`${goal.period}s`]: 1 }).toJSDate();
  return { start: toDate.start, end, label: toDate.label, timezone: toDate.timezone, toDate };
}

/** One person's figures over a window, already read (both windows, as `loadFacts` reads them). */
export interface KnownFacts {
  userId: string;
  window: TimeWindow;
  facts: FactsPair;
}

/**
 * The figures a goal group would read, when they are already known: the same person, over exactly
 * the same window. Only what `loadFactsByUser` gives a goal is kept (no customers, spend or quota),
 * so a goal's value is the same whichever way it was read.
 */
function readAlready(known: KnownFacts | undefined, window: TimeWindow, items: readonly Goal[]): FactsByUser | null {
  if (!known || items.some((g) => g.userId !== known.userId)) return null;
  if (known.window.start.getTime() !== window.start.getTime() || known.window.end.getTime() !== window.end.getTime())
    return null;
  const forGoal = (f: KpiFacts): KpiFacts => ({ ...f, customers: null, spendCents: null, quotaCents: null });
  return new Map([[known.userId, { current: forGoal(known.facts.current), previous: forGoal(known.facts.previous) }]]);
}

/**
 * Each person's live goals with progress, in as few queries as there are distinct (metric, window)
 * pairs, whatever the number of people: a thousand reps' nudges cost a handful of round trips.
 */
export async function goalViews(
  db: Database,
  ctx: { workspaceId: string; now: Date; holidays?: readonly string[] },
  people: readonly Person[],
  /** These people's live goals, when the caller has read them (see `goalHistory`). */
  live?: readonly Goal[],
  /** Figures the caller has read for a window (a scorecard's), reused for goals over exactly it. */
  known?: KnownFacts,
): Promise<Map<string, GoalView[]>> {
  const result = new Map<string, GoalView[]>(people.map((p) => [p.userId, []]));
  const zoneOf = new Map(people.map((p) => [p.userId, p.timezone]));
  const goals = live ?? (await activeGoals(db, ctx.workspaceId, { userIds: people.map((p) => p.userId) }));
  const groups = new Map<string, { def: KpiDefinition; window: ReturnType<typeof goalWindow>; items: Goal[] }>();
  const windows = new Map<string, ReturnType<typeof goalWindow>>();
  for (const goal of goals) {
    // Goals were read for these people only, so each one's zone is known.
    const zone = goal.userId === null ? undefined : zoneOf.get(goal.userId);
    if (goal.userId === null || zone === undefined) continue;
    // Reps share a handful of (period, zone) pairs: each window is worked out once, not once per goal.
    const windowKey = `${goal.period}|${goal.startsOn ?? ''}|${goal.endsOn ?? ''}|${zone}`;
    const window = windows.get(windowKey) ?? goalWindow(goal, ctx.now, zone);
    windows.set(windowKey, window);
    const key = `${goal.metric}|${window.toDate.start.toISOString()}|${window.toDate.end.toISOString()}`;
    const group = groups.get(key) ?? { def: getKpi(goal.metric), window, items: [] };
    group.items.push(goal);
    groups.set(key, group);
  }
  await Promise.all(
    [...groups.values()].map(async ({ def, window, items }) => {
      const only = items.length === 1 ? (items[0]?.userId ?? null) : null;
      const inputs = inputsOf(def);
      const facts =
        readAlready(known, window.toDate, items) ??
        (await loadFactsByUser(
          db,
          {
            workspaceId: ctx.workspaceId,
            userId: only,
            // These people's facts, not the whole workspace's: a manager's Home reads 50 reps of 5,000.
            among: items.flatMap((goal) => (goal.userId === null ? [] : [goal.userId])),
            window: window.toDate,
            // A goal's value is its window's; the one before is read only for a figure that compares with it.
            previous: inputs.previous ? previousWindow(window.toDate) : nothingBefore(window.toDate),
            quotaPeriod: null,
          },
          inputs,
        ));
      const days = workingDaysOf({
        start: window.start,
        end: window.end,
        now: ctx.now,
        timezone: window.timezone,
        holidays: ctx.holidays,
      });
      for (const goal of items) {
        const userId = goal.userId ?? '';
        const pair = facts.get(userId);
        const computed = pair ? def.compute(pair.current) : null;
        const value = computed?.status === 'ok' ? computed.value : 0;
        const progress = progressOn(value, goal.target, days);
        const { toDate: _, ...shown } = window;
        result.get(userId)?.push({ goal, def, window: shown, value, progress });
      }
    }),
  );
  return result;
}
