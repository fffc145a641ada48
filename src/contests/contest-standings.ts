import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { getSettings, type WorkspaceSettings } from '../game/settings.js';
import { activeGoals } from '../goals/goals.repository.js';
import { ACTIVITY_KINDS, isActivityKind } from '../kpi/activity-kinds.js';
import { getKpi, type KpiDefinition, meetsMinSample } from '../kpi/catalogue.js';
import { inputsOf } from '../kpi/inputs.js';
import { type FactsByUser, loadFactsByUser } from '../kpi/kpi.queries.js';
import { previousWindow, type TimeWindow } from '../kpi/windows.js';
import type { Logger } from '../lib/logger.js';
import { resolveMember } from '../members/member-sync.js';
import { boardMembers } from '../members/members.repository.js';
import type { SlackDirectory } from '../members/slack-directory.js';
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
  client: SlackDirectory | null;
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
      credit: settings.qualityGates,
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

/** Single-metric contests: each participant's goal (their own, else the median), and a note saying so. */
function goalsFor(
  ids: readonly string[],
  own: ReadonlyMap<string, ReadonlyMap<string, number>> | null,
  metric: string,
): { mode: 'goal_percent' | 'raw'; goals: Map<string, number | null>; note: string } {
  if (!own) return { mode: 'raw', goals: new Map(), note: '' };
  const filled = fillGoals(new Map(ids.map((id) => [id, own.get(id)?.get(metric) ?? null])));
  const without = ids.filter((id) => !own.get(id)?.has(metric)).length;
  const note =
    filled.mode === 'raw'
      ? ' Nobody has a goal for it, so raw totals rank.'
      : without === 0
        ? ''
        : ` ${without === 1 ? 'One rep has' : `${without} reps have`} no goal and ${without === 1 ? 'is' : 'are'} measured against the median goal.`;
  return { mode: filled.mode, goals: filled.goals, note };
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
    const metric = def;
    const metricFacts = metric ? facts.get(metric.key) : undefined;
    const filled = goalsFor(eligible, goals, metric?.key ?? '');
    mode = filled.mode;
    goalNote = filled.note;
    entrants = eligible.map((id) => {
      const value = metric && metricFacts ? (valueIn(metricFacts, metric, id) ?? 0) : 0;
      return entrant(id, value, filled.goals.get(id) ?? null);
    });
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
  const read = new Set(defs.flatMap((d) => inputsOf(d).kinds));
  const gates = Object.entries(settings.qualityGates).flatMap(([kind, gate]) =>
    isActivityKind(kind) && read.has(kind)
      ? [`${ACTIVITY_KINDS[kind].many} count only with an outcome note of ${gate?.minNoteChars ?? 1}+ characters`]
      : [],
  );
  const gateText = gates.length > 0 ? ` Quality gates: ${gates.join('; ')}.` : '';
  return `${how} Ties share a place; nobody at zero${contest.minScore ? ' or below the minimum score' : ''} wins.${gateText}`;
}
