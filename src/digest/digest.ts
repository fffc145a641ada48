import { RULE_TOPICS } from '../coaching/nudge-rules.js';
import { paceIsMeaningful } from '../coaching/pace.js';
import type { GoalView } from '../goals/goal-status.js';
import { formatChange, formatKpiValue, KPIS, type KpiDefinition } from '../kpi/catalogue.js';
import type { CoachingTip } from '../kpi/coaching.js';
import { type ActivityTotals, activityFacts, type KpiFacts } from '../kpi/facts.js';
import type { FactsPair } from '../kpi/kpi.queries.js';

/**
 * A manager's weekly digest, pure: who is ahead and who is behind pace on their goals, which KPI of
 * the team moved most week over week, and one 1:1 topic per rep from the same rules as the nudges.
 */

export interface DigestRep {
  userId: string;
  displayName: string;
  goals: readonly GoalView[];
  prompt: CoachingTip | null;
  /** The rep's last seven days and the seven before; null when nothing was logged in either. */
  facts: FactsPair | null;
}

export interface RepStanding {
  name: string;
  /** The goal that says most: the furthest behind for those behind, the furthest ahead otherwise. */
  goal: GoalView;
}

export interface KpiMove {
  def: KpiDefinition;
  from: number;
  to: number;
  improved: boolean;
}

export interface DigestSummary {
  repCount: number;
  ahead: RepStanding[];
  behind: RepStanding[];
  withoutGoals: string[];
  moved: KpiMove | null;
  topics: { name: string; topic: string }[];
}

const AHEAD = new Set(['met', 'on_track']);

export function summarizeTeam(reps: readonly DigestRep[]): DigestSummary {
  const ahead: RepStanding[] = [];
  const behind: RepStanding[] = [];
  const withoutGoals: string[] = [];
  for (const rep of reps) {
    const byFraction = rep.goals
      .filter((g) => paceIsMeaningful(g.progress))
      .sort((a, b) => a.progress.fraction - b.progress.fraction);
    const lagging = byFraction.find((g) => g.progress.status === 'behind');
    const leading = byFraction.filter((g) => AHEAD.has(g.progress.status)).at(-1);
    if (lagging) behind.push({ name: rep.displayName, goal: lagging });
    else if (leading) ahead.push({ name: rep.displayName, goal: leading });
    else if (rep.goals.length === 0) withoutGoals.push(rep.displayName);
  }
  ahead.sort((a, b) => b.goal.progress.fraction - a.goal.progress.fraction);
  behind.sort((a, b) => a.goal.progress.fraction - b.goal.progress.fraction);
  const topics = reps.flatMap((rep) => {
    const topic = rep.prompt ? RULE_TOPICS[rep.prompt.rule] : undefined;
    return topic ? [{ name: rep.displayName, topic }] : [];
  });
  return { repCount: reps.length, ahead, behind, withoutGoals, moved: biggestMove(reps), topics };
}

function sumActivities(list: readonly ActivityTotals[]): ActivityTotals {
  const total: ActivityTotals = {};
  for (const totals of list) {
    for (const [kind, t] of Object.entries(totals) as [keyof ActivityTotals, ActivityTotals[keyof ActivityTotals]][]) {
      if (!t) continue;
      const sum = total[kind] ?? { quantity: 0, amountCents: 0 };
      const withoutAmount = (sum.withoutAmount ?? 0) + (t.withoutAmount ?? 0);
      total[kind] = {
        quantity: sum.quantity + t.quantity,
        amountCents: sum.amountCents + t.amountCents,
        ...(withoutAmount === 0 ? {} : { withoutAmount }),
      };
    }
  }
  return total;
}

function teamFacts(activities: ActivityTotals, repCount: number): KpiFacts {
  return activityFacts(activities, { repCount });
}

/**
 * The team's KPI with the largest relative change over the week before, among board KPIs the team's
 * logged activity can compute in both weeks with enough data (the catalogue's minimum samples).
 */
export function biggestMove(reps: readonly DigestRep[]): KpiMove | null {
  const pairs = reps.flatMap((r) => (r.facts ? [r.facts] : []));
  if (pairs.length === 0) return null;
  const current = teamFacts(sumActivities(pairs.map((p) => p.current.activities)), reps.length);
  const previous = teamFacts(sumActivities(pairs.map((p) => p.previous.activities)), reps.length);
  let best: (KpiMove & { change: number }) | null = null;
  for (const def of KPIS.filter((k) => k.boardable)) {
    const now = def.compute(current);
    const before = def.compute(previous);
    if (now.status !== 'ok' || before.status !== 'ok' || before.value === 0 || now.value === before.value) continue;
    const enough =
      !def.minSample ||
      (def.minSample.count(current) >= def.minSample.min && def.minSample.count(previous) >= def.minSample.min);
    if (!enough) continue;
    const change = Math.abs(now.value - before.value) / Math.abs(before.value);
    if (!best || change > best.change) {
      const improved = def.direction === 'higher_is_better' ? now.value > before.value : now.value < before.value;
      best = { def, from: before.value, to: now.value, improved, change };
    }
  }
  if (!best) return null;
  const { change: _, ...move } = best;
  return move;
}

export function describeMove(move: KpiMove, currency: string): string {
  const from = formatKpiValue(move.def, move.from, currency);
  const to = formatKpiValue(move.def, move.to, currency);
  return `*${move.def.label}*: ${from} → ${to} (${formatChange(move.def, move.to, move.from)})`;
}

export type DigestScope = 'team' | 'workspace' | 'none';

/**
 * Whom a manager's digest covers: their own reps; an admin with none assigned sees the whole
 * workspace (but themself); a manager with none gets a note on how to assign reps.
 */
export function digestAudience<T extends { userId: string; managerId: string | null }>(
  manager: { userId: string; isAdmin: boolean },
  people: readonly T[],
): { scope: DigestScope; reps: T[] } {
  const own = people.filter((p) => p.managerId === manager.userId && p.userId !== manager.userId);
  if (own.length > 0) return { scope: 'team', reps: own };
  if (manager.isAdmin) return { scope: 'workspace', reps: people.filter((p) => p.userId !== manager.userId) };
  return { scope: 'none', reps: [] };
}
