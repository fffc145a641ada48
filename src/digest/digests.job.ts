import { type DueManager, dueDigests, loadRecentFacts, loadSignals } from '../coaching/nudge.queries.js';
import { chooseNudgePrompt } from '../coaching/nudge-rules.js';
import { byWorkspace, liveGoals, remainingQuota } from '../coaching/nudges.job.js';
import type { Database } from '../db/client.js';
import { enqueuePosts, type NewPost } from '../delivery/outbox.repository.js';
import { parseSettings } from '../game/settings.js';
import { goalViews } from '../goals/goal-status.js';
import type { JobDefinition, JobDeps, JobOptions, JobReport } from '../jobs/job.js';
import { digestMessage } from '../slack/blocks/digest.blocks.js';
import { digestAudience, summarizeTeam } from './digest.js';
import { workspacePeople } from './digest.queries.js';

/**
 * Weekly manager digests: at the workspace's digest weekday and time in each manager's own zone, one
 * private DM per manager about their own reps, keyed `digest:<manager>:<ISO week>` so it is decided
 * once a week. Never posted to a channel: the target is always the manager's user id.
 */
export const digestsJob: JobDefinition = {
  name: 'digests',
  description: "Decide each manager's weekly team digest DM at the workspace's digest time in their zone.",
  cron: '* * * * *',
  timezone: 'UTC',
  run: (deps, now, options) => decideDigests(deps, now, options),
};

export async function decideDigests(
  deps: Pick<JobDeps, 'db' | 'logger'>,
  now: Date,
  options: JobOptions = {},
): Promise<JobReport> {
  const due = await dueDigests(deps.db, now, options.workspaceId);
  const report: JobReport = { enqueued: 0, failed: 0 };
  for (const managers of byWorkspace(due).values()) {
    try {
      const posts = await decideWorkspace(deps.db, now, managers);
      report.enqueued = (report.enqueued ?? 0) + (await enqueuePosts(deps.db, posts)).length;
    } catch (error) {
      report.failed = (report.failed ?? 0) + managers.length;
      deps.logger.error(
        { err: error, workspaceId: managers[0]?.workspaceId, job: 'digests' },
        'deciding digests failed',
      );
    }
  }
  return report;
}

async function decideWorkspace(db: Database, now: Date, managers: readonly DueManager[]): Promise<NewPost[]> {
  const first = managers[0];
  if (!first) return [];
  const { workspaceId, currency } = first;
  const settings = parseSettings(first.settings);
  const people = await workspacePeople(db, workspaceId);
  const audiences = managers.map((m) => ({ manager: m, ...digestAudience(m, people) }));
  const covered = [...new Map(audiences.flatMap((a) => a.reps).map((p) => [p.userId, p])).values()];
  const [views, signalsOf, facts] = await Promise.all([
    goalViews(db, { workspaceId, now, holidays: settings.holidays }, covered),
    loadSignals(db, workspaceId, now),
    loadRecentFacts(db, workspaceId, now),
  ]);
  const repOf = new Map(
    covered.map((p) => {
      const goals = liveGoals(views.get(p.userId) ?? [], now);
      const pair = facts.get(p.userId) ?? null;
      const prompt = chooseNudgePrompt({
        signals: signalsOf(p.userId),
        facts: pair,
        remainingQuota: remainingQuota(goals),
        hasGoals: goals.length > 0,
        currency,
        suppressed: new Set(),
      });
      return [p.userId, { userId: p.userId, displayName: p.displayName, goals, prompt, facts: pair }];
    }),
  );
  return audiences.map(({ manager, scope, reps }) => {
    const summary = summarizeTeam(reps.flatMap((r) => repOf.get(r.userId) ?? []));
    return {
      workspaceId,
      key: `digest:${manager.userId}:${manager.isoWeek}`,
      kind: 'digest' as const,
      target: manager.userId,
      payload: digestMessage({ weekLabel: manager.isoWeek, scope, summary, currency }),
    };
  });
}
