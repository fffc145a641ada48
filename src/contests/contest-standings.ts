import type { webApi } from '@slack/bolt';
import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { creditedSql, getSettings, type WorkspaceSettings } from '../game/settings.js';
import { activeGoals } from '../goals/goals.repository.js';
import { ACTIVITY_KINDS } from '../kpi/activity-kinds.js';
import { getKpi, type KpiDefinition, meetsMinSample } from '../kpi/catalogue.js';
import { inputsOf } from '../kpi/inputs.js';
import { type FactsByUser, loadFactsByUser } from '../kpi/kpi.queries.js';
import { previousWindow, type TimeWindow } from '../kpi/windows.js';
import type { Logger } from '../lib/logger.js';
import { resolveMember } from '../members/member-sync.js';
import { boardMembers } from '../members/members.repository.js';
import type { Contest } from './contest.js';
import {
  type ContestRules,
  type Entrant,
  fillGoals,
  goalForWindow,
  rankContest,
  type ScoreMode,
  type Standing,
  scorecardScore,
} from './scoring.js';

/**
 * A contest's standings from the stored log: the same catalogue maths as every board, over the
 * contest window, with the workspace's quality gates applied to activity credit. One grouped query
 * per metric whatever the number of participants.
 */

export interface ContestStandings {
  standings: Standing[];
  rules: ContestRules;
  /** One line on how the scores were worked out, for posts and `/kpi contest`. */
  method: string;
  /** The metric (single-metric contests), for formatting values and gaps. */
  def: KpiDefinition | null;
}

export interface ParticipantDeps {
  db: Database;
  logger: Logger;
  /** The workspace's Slack client, to read a channel's members; null when the bot is not installed. */
  client: webApi.WebClient | null;
}

/** Named participants, or the channel's members now (bots and deleted people are dropped later). */
export async function participantIds(deps: ParticipantDeps, contest: Contest): Promise<string[]> {
  if (contest.participants !== null) return contest.participants;
  if (!deps.client) return [];
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.client.conversations.members({ channel: contest.channelId, limit: 1000, cursor });
    ids.push(...(page.members ?? []));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return ids;
}

/** Participants the bot has never seen get their Slack profile (name, bot flag), so posts name them. */
async function syncUnknown(deps: ParticipantDeps, workspaceId: string, ids: readonly string[], now: Date) {
  const known = await boardMembers(deps.db, workspaceId);
  const client = deps.client;
  const unknown = ids.filter((id) => !known.has(id));
  if (!client || unknown.length === 0) return known;
  for (const id of unknown) await resolveMember({ db: deps.db, client, logger: deps.logger }, workspaceId, id, now);
  return boardMembers(deps.db, workspaceId);
}

/** The contest window up to `at` (never past its end), as the KPI queries take it. */
export function contestWindow(contest: Contest, at: Date): TimeWindow {
  const end = new Date(Math.max(contest.startsAt.getTime(), Math.min(at.getTime(), contest.endsAt.getTime())));
  const day = (d: Date) => DateTime.fromJSDate(d, { zone: contest.timezone }).toISODate() ?? '';
  return {
    spec: {
      kind: 'range',
      from: day(contest.startsAt),
      to: day(new Date(Math.max(end.getTime() - 1, contest.startsAt.getTime()))),
    },
    start: contest.startsAt,
    end,
    timezone: contest.timezone,
    label: contest.name,
  };
}

async function factsFor(
  db: Database,
  contest: Contest,
  window: TimeWindow,
  def: KpiDefinition,
  settings: WorkspaceSettings,
): Promise<FactsByUser> {
  return loadFactsByUser(
    db,
    {
      workspaceId: contest.workspaceId,
      userId: null,
      window,
      previous: previousWindow(window),
      quotaPeriod: null,
      credit: creditedSql(settings),
    },
    inputsOf(def),
  );
}

function valueIn(facts: FactsByUser, def: KpiDefinition, userId: string): number | null {
  const current = facts.get(userId)?.current;
  if (!current || !meetsMinSample(def, current)) return null;
  const result = def.compute(current);
  return result.status === 'ok' ? result.value : null;
}

/** Each participant's own goal per metric, scaled to the contest window. */
async function ownGoals(
  db: Database,
  contest: Contest,
  ids: readonly string[],
  metrics: readonly string[],
  settings: WorkspaceSettings,
) {
  const goals = await activeGoals(db, contest.workspaceId, { userIds: ids });
  const byUser = new Map<string, Map<string, number>>();
  for (const id of ids) {
    const mine = new Map<string, number>();
    for (const metric of metrics) {
      const target = goalForWindow(
        goals.filter((g) => g.userId === id && g.metric === metric),
        { start: contest.startsAt, end: contest.endsAt },
        contest.timezone,
        settings.holidays,
      );
      if (target !== null) mine.set(metric, target);
    }
    byUser.set(id, mine);
  }
  return byUser;
}

export async function contestStandings(deps: ParticipantDeps, contest: Contest, at: Date): Promise<ContestStandings> {
  const { db } = deps;
  const settings = await getSettings(db, contest.workspaceId);
  const ids = [...new Set(await participantIds(deps, contest))];
  const people = await syncUnknown(deps, contest.workspaceId, ids, at);
  const eligible = ids.filter((id) => {
    const m = people.get(id);
    return !m?.isBot && !m?.isDeleted;
  });
  const window = contestWindow(contest, at);
  const metrics = contest.scorecard?.map((w) => w.metric) ?? (contest.metric ? [contest.metric] : []);
  const defs = metrics.map(getKpi);
  const facts = new Map(
    await Promise.all(defs.map(async (def) => [def.key, await factsFor(db, contest, window, def, settings)] as const)),
  );
  const goals = contest.ranking === 'goal_percent' ? await ownGoals(db, contest, eligible, metrics, settings) : null;
  const entrant = (userId: string, value: number, goal: number | null): Entrant => {
    const member = people.get(userId);
    return { userId, name: member?.displayName ?? userId, public: !member?.publicOptOut, value, goal };
  };

  let mode: ScoreMode;
  let entrants: Entrant[];
  let def: KpiDefinition | null = null;
  let goalNote = '';
  if (contest.scorecard) {
    const weights = contest.scorecard;
    mode = 'scorecard';
    entrants = eligible.map((id) => {
      const valueOf = (metric: string) => {
        const f = facts.get(metric);
        return f ? valueIn(f, getKpi(metric), id) : null;
      };
      return entrant(id, scorecardScore(weights, valueOf, goals?.get(id)), null);
    });
  } else {
    def = defs[0] ?? null;
    const metricFacts = def ? facts.get(def.key) : undefined;
    const values = new Map(eligible.map((id) => [id, def && metricFacts ? (valueIn(metricFacts, def, id) ?? 0) : 0]));
    if (goals && def) {
      const filled = fillGoals(new Map(eligible.map((id) => [id, goals.get(id)?.get(def?.key ?? '') ?? null])));
      mode = filled.mode;
      entrants = eligible.map((id) => entrant(id, values.get(id) ?? 0, filled.goals.get(id) ?? null));
      const withoutGoal = eligible.filter((id) => !goals.get(id)?.has(def?.key ?? '')).length;
      if (filled.mode === 'raw') goalNote = ' Nobody has a goal for it, so raw totals rank.';
      else if (withoutGoal > 0 && filled.typical !== null)
        goalNote = ` ${withoutGoal === 1 ? 'One rep has' : `${withoutGoal} reps have`} no goal and ${withoutGoal === 1 ? 'is' : 'are'} measured against the median goal.`;
    } else {
      mode = 'raw';
      entrants = eligible.map((id) => entrant(id, values.get(id) ?? 0, null));
    }
  }
  const rules: ContestRules = { mode, prizes: contest.prizes, minScore: contest.minScore };
  return {
    standings: rankContest(entrants, rules),
    rules,
    method: methodLine(contest, mode, defs, settings) + goalNote,
    def,
  };
}

/** How the scores were worked out, in one line a rep can check. */
export function methodLine(
  contest: Pick<Contest, 'ranking' | 'minScore' | 'scorecard'>,
  mode: ScoreMode,
  defs: readonly KpiDefinition[],
  settings: WorkspaceSettings,
): string {
  const names = defs.map((d) => d.label.toLowerCase()).join(', ');
  const how =
    mode === 'scorecard'
      ? `Scorecard of ${names}: each metric's share of its target${contest.ranking === 'goal_percent' ? ' (your own goal where you have one)' : ''}, capped at 150%, weighted, out of 100.`
      : mode === 'goal_percent'
        ? `Ranked by percent of each rep's own ${names} goal, scaled to the contest's working days.`
        : `Ranked by total ${names}.`;
  const gates = Object.entries(settings.qualityGates)
    .filter(([kind]) => defs.some((d) => inputsOf(d).kinds.includes(kind as keyof typeof ACTIVITY_KINDS)))
    .map(
      ([kind, gate]) =>
        `${ACTIVITY_KINDS[kind as keyof typeof ACTIVITY_KINDS].many} count only with an outcome note of ${gate?.minNoteChars ?? 1}+ characters`,
    );
  const gateText = gates.length > 0 ? ` Quality gates: ${gates.join('; ')}.` : '';
  return `${how} Ties share a place; nobody at zero${contest.minScore ? ' or below the minimum score' : ''} wins.${gateText}`;
}
