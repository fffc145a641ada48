import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { enqueuePosts, type NewPost } from '../delivery/outbox.repository.js';
import { parseSettings } from '../game/settings.js';
import { type GoalView, goalViews } from '../goals/goal-status.js';
import type { JobDefinition, JobDeps, JobOptions, JobReport } from '../jobs/job.js';
import { nudgeMessage } from '../slack/blocks/nudge.blocks.js';
import { type DueMember, dueNudges, loadRecentFacts, loadSignals, unhelpfulRules } from './nudge.queries.js';
import { chooseNudgePrompt, quietSince } from './nudge-rules.js';

/**
 * Daily DM nudges. Every minute it finds the members whose nudge time has come today in their own
 * zone (working days only) and decides each one's nudge once, keyed `nudge:<user>:<local date>`:
 * a DM into the outbox, or a `skipped` row when there is nothing useful to say, so the day is
 * decided and not looked at again. The deliverer sends what is pending.
 */
export const nudgesJob: JobDefinition = {
  name: 'nudges',
  description: "Decide each rep's daily DM nudge once their local nudge time has come (working days only).",
  cron: '* * * * *',
  timezone: 'UTC',
  run: (deps, now, options) => decideNudges(deps, now, options),
};

/**
 * Posts stored per statement: each carries ten parameters, and PostgreSQL takes at most 65,535 a
 * statement, so a workspace of 7,000 reps decided in one insert would fail every minute.
 */
const POSTS_PER_INSERT = 1_000;

export function nudgeKey(userId: string, localDate: string): string {
  return `nudge:${userId}:${localDate}`;
}

export async function decideNudges(
  deps: Pick<JobDeps, 'db' | 'logger'>,
  now: Date,
  options: JobOptions = {},
): Promise<JobReport> {
  const due = await dueNudges(deps.db, now, options.workspaceId);
  const report: JobReport = { enqueued: 0, skipped: 0, failed: 0 };
  for (const people of byWorkspace(due).values()) {
    let stored = 0;
    try {
      const posts = await decideWorkspace(deps.db, now, people);
      for (let first = 0; first < posts.length; first += POSTS_PER_INSERT) {
        const slice = posts.slice(first, first + POSTS_PER_INSERT);
        const fresh = new Set(await enqueuePosts(deps.db, slice));
        stored += slice.length;
        for (const post of slice) {
          if (!fresh.has(post.key)) continue;
          if (post.skipped) report.skipped = (report.skipped ?? 0) + 1;
          else report.enqueued = (report.enqueued ?? 0) + 1;
        }
      }
    } catch (error) {
      // One workspace's failure must not hold back the others; its members not yet stored are due
      // again next minute (a stored post's key keeps it from being decided twice).
      report.failed = (report.failed ?? 0) + people.length - stored;
      deps.logger.error({ err: error, workspaceId: people[0]?.workspaceId, job: 'nudges' }, 'deciding nudges failed');
    }
  }
  return report;
}

export function byWorkspace<T extends { workspaceId: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(row.workspaceId);
    if (group) group.push(row);
    else groups.set(row.workspaceId, [row]);
  }
  return groups;
}

/** Goals whose window is running now: a finished custom goal has nothing left to nudge about. */
export function liveGoals(views: readonly GoalView[], now: Date): GoalView[] {
  return views.filter((v) => v.window.start <= now && now < v.window.end);
}

/** What is left of the rep's running revenue goal, for the pipeline coverage rule. */
export function remainingQuota(views: readonly GoalView[]): { cents: number; label: string } | null {
  const revenue = views.find((v) => v.def.key === 'revenue' && v.progress.remaining > 0);
  return revenue ? { cents: revenue.progress.remaining, label: revenue.window.label } : null;
}

/** One workspace's due members, in a handful of queries whatever their number. */
async function decideWorkspace(db: Database, now: Date, people: readonly DueMember[]): Promise<NewPost[]> {
  const first = people[0];
  if (!first) return [];
  const { workspaceId, currency } = first;
  const settings = parseSettings(first.settings);
  const [views, signalsOf, facts, unhelpful] = await Promise.all([
    goalViews(
      db,
      { workspaceId, now, holidays: settings.holidays },
      people.map((p) => ({ userId: p.userId, timezone: p.timezone })),
    ),
    loadSignals(db, workspaceId, now),
    loadRecentFacts(db, workspaceId, now),
    unhelpfulRules(db, workspaceId, quietSince(now)),
  ]);
  // Reps share a few zones and dates: each label is formatted once, not once per rep.
  const labels = new Map<string, string>();
  const dayLabelOf = (localDate: string, zone: string) => {
    const key = `${localDate}|${zone}`;
    const label = labels.get(key) ?? DateTime.fromISO(localDate, { zone }).toFormat('cccc, LLLL d');
    labels.set(key, label);
    return label;
  };
  return people.map((person) => {
    const key = nudgeKey(person.userId, person.localDate);
    const goals = liveGoals(views.get(person.userId) ?? [], now);
    const prompt = chooseNudgePrompt({
      signals: signalsOf(person.userId),
      facts: facts.get(person.userId) ?? null,
      remainingQuota: remainingQuota(goals),
      hasGoals: goals.length > 0,
      currency,
      suppressed: unhelpful.get(person.userId) ?? new Set(),
    });
    const base = { workspaceId, key, kind: 'nudge' as const, target: person.userId };
    if (goals.length === 0 && prompt === null) {
      return { ...base, skipped: true, payload: { text: 'Nothing useful to say today: no goals and no prompt.' } };
    }
    const dayLabel = dayLabelOf(person.localDate, person.timezone);
    return { ...base, payload: nudgeMessage({ nudgeKey: key, dayLabel, goals, prompt, currency }) };
  });
}
