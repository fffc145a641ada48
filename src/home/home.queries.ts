import { and, asc, eq } from 'drizzle-orm';
import { liveSubscriptions } from '../boards/board-subscriptions.repository.js';
import type { ContestLine } from '../contests/contest-lines.js';
import { contestLinesFor } from '../contests/contest-lines.js';
import type { Database } from '../db/client.js';
import { members } from '../db/schema.js';
import { loadGameProfiles } from '../game/game.queries.js';
import type { GameProfile } from '../game/profile.js';
import type { WorkspaceSettings } from '../game/settings.js';
import { type GoalView, goalViews } from '../goals/goal-status.js';
import type { Backfills } from '../integrations/backfill/contract.js';
import { progressLine } from '../integrations/backfill/progress.js';
import { BACKFILL_SOURCES } from '../integrations/backfill/window.js';
import type { CrmSource } from '../integrations/crm-event.js';
import { type CrmGrantLine, crmGrantLines } from '../integrations/crm-grants.js';
import { unmappedOwners } from '../integrations/owners.js';
import { getKpi, type KpiDefinition, type KpiResult } from '../kpi/catalogue.js';
import { inputsOf, type KpiInputs } from '../kpi/inputs.js';
import { loadFactsByUser } from '../kpi/kpi.queries.js';
import { windowPair } from '../kpi/scope.js';
import { nothingBefore } from '../kpi/windows.js';
import type { Logger } from '../lib/logger.js';
import type { Member } from '../members/members.repository.js';
import { isAdmin, isManager } from '../members/roles.js';
import type { SlackDirectory } from '../members/slack-directory.js';
import { buildScorecard, type Scorecard } from '../scorecard/scorecard.js';

/**
 * What the App Home shows one person, section by section. Each section is a loader of its own that
 * costs one round of queries whatever the size of the team (no query per person or per goal), and
 * all sections load at once, so opening the Home tab costs about one round trip.
 */

export interface HomeViewer {
  member: Member;
  /** To read a contest channel's members; null when the bot is not installed. */
  client: SlackDirectory | null;
  logger: Logger;
  timezone: string;
  currency: string;
  settings: WorkspaceSettings;
  now: Date;
  /** The CRMs an admin can connect by OAuth on this server (none in one-workspace mode). */
  crmOAuth?: readonly CrmSource[];
  /** History backfills, where this server runs them; `fromEnvironment`: CRMs with API credentials in the environment. */
  crmBackfill?: { backfills: Pick<Backfills, 'latest'>; fromEnvironment: readonly CrmSource[] } | null;
}

export interface TeamRow {
  userId: string;
  name: string;
  /** This week's figures, in the order of `TEAM_KPIS`. */
  figures: { def: KpiDefinition; result: KpiResult }[];
  goalsBehind: number;
  goals: number;
}

export interface TeamSection {
  kind: 'team';
  /** A manager sees their own reps; an admin sees the workspace. */
  scope: 'reports' | 'workspace';
  rows: TeamRow[];
}

/** A manager's view of the workspace's settings, with buttons to change them. */
export interface SettingsSection {
  kind: 'settings';
  settings: WorkspaceSettings;
  /** Channels with a live scheduled board, and how many boards each. */
  boards: { channelId: string; count: number }[];
  /** CRM owners whose deals cannot be credited until they are matched to a Slack user. */
  unmappedOwners: number;
  /** Admins only (null for other managers): the CRMs connected by OAuth, and those that can be. */
  crm: CrmHome | null;
}

export interface CrmHome {
  connections: CrmGrantLine[];
  connectable: readonly CrmSource[];
  /** The CRMs whose history can be read now (an API to read it with), and each CRM's latest backfill as the admin reads it. */
  backfillable: readonly CrmSource[];
  backfills: readonly { source: CrmSource; line: string }[];
}

export type HomeSection =
  | { kind: 'scorecard'; card: Scorecard }
  | { kind: 'goals'; goals: GoalView[] }
  | { kind: 'contests'; lines: ContestLine[] }
  | { kind: 'game'; profile: GameProfile }
  | TeamSection
  | SettingsSection;

export interface SectionLoader {
  name: HomeSection['kind'];
  /** Null: nothing to show this person (e.g. the team overview for a rep). */
  load(db: Database, viewer: HomeViewer): Promise<HomeSection | null>;
}

export const scorecardSection: SectionLoader = {
  name: 'scorecard',
  load: async (db, { member, timezone, currency, now }) => ({
    kind: 'scorecard',
    card: await buildScorecard(
      db,
      { workspaceId: member.workspaceId, userId: member.userId },
      windowPair({ kind: 'week' }, now, timezone),
      currency,
    ),
  }),
};

export const goalsSection: SectionLoader = {
  name: 'goals',
  load: async (db, { member, timezone, settings, now }) => {
    const views = await goalViews(db, { workspaceId: member.workspaceId, now, holidays: settings.holidays }, [
      { userId: member.userId, timezone },
    ]);
    return { kind: 'goals', goals: views.get(member.userId) ?? [] };
  },
};

/** The figures a manager scans first for each rep: outcome, then the activity that leads to it. */
export const TEAM_KPIS = ['revenue', 'meetings', 'calls'] as const;

export const teamSection: SectionLoader = {
  name: 'team',
  load: async (db, viewer) => {
    const { member, timezone, now, settings } = viewer;
    if (!isManager(member)) return null;
    const scope = isAdmin(member) ? 'workspace' : 'reports';
    const metrics = TEAM_KPIS.map(getKpi);
    const inputs = mergeInputs(metrics);
    const pair = windowPair({ kind: 'week' }, now, timezone);
    // The rows show this week alone: the week before is read only for a figure that compares with it.
    const previous = inputs.previous ? pair.previous : nothingBefore(pair.window);
    const people = await teamMembers(db, member, scope);
    // A manager's figures are read for their reps alone, not for a workspace of thousands.
    const among = scope === 'reports' ? people.map((p) => p.userId) : undefined;
    // The week's figures and the goals are apart: both are read at once.
    const [facts, goals] = await Promise.all([
      loadFactsByUser(db, { workspaceId: member.workspaceId, userId: null, among, ...pair, previous }, inputs),
      goalViews(
        db,
        { workspaceId: member.workspaceId, now, holidays: settings.holidays },
        people.map((p) => ({ userId: p.userId, timezone: p.timezone ?? timezone })),
      ),
    ]);
    const rows = people.map((p) => {
      const current = facts.get(p.userId)?.current;
      const mine = goals.get(p.userId) ?? [];
      return {
        userId: p.userId,
        name: p.displayName,
        // No entries this week means zero of each: every team figure is a count or a sum.
        figures: metrics.map((def) => ({
          def,
          result: current ? def.compute(current) : ({ status: 'ok', value: 0 } as const),
        })),
        goalsBehind: mine.filter((g) => g.progress.status === 'behind' || g.progress.status === 'missed').length,
        goals: mine.length,
      };
    });
    return { kind: 'team', scope, rows };
  },
};

/** Points, level, streak and badges, from the same bulk loader as every other view of the game. */
export const gameSection: SectionLoader = {
  name: 'game',
  load: async (db, { member, timezone, settings, now }) => {
    const profiles = await loadGameProfiles(db, { workspaceId: member.workspaceId, now, settings }, [
      { userId: member.userId, timezone },
    ]);
    const profile = profiles.get(member.userId);
    return profile ? { kind: 'game', profile } : null;
  },
};

/** Contests the viewer takes part in or can join, with their place and the next prize; none: no section. */
export const contestsSection: SectionLoader = {
  name: 'contests',
  load: async (db, { member, client, logger, currency, now }) => {
    const lines = await contestLinesFor(
      { db, logger, client },
      { workspaceId: member.workspaceId, userId: member.userId, now },
      currency,
    );
    return lines.length > 0 ? { kind: 'contests', lines } : null;
  },
};

/**
 * Managers only: the settings they can change, and the boards and CRM owners that need them; for
 * admins, the CRM grants too. Two queries, three for an admin.
 */
export const settingsSection: SectionLoader = {
  name: 'settings',
  load: async (db, { member, settings, now, crmOAuth = [], crmBackfill = null }) => {
    if (!isManager(member)) return null;
    const admin = isAdmin(member);
    const [subscriptions, owners, grants, backfills] = await Promise.all([
      liveSubscriptions(db, member.workspaceId, null),
      unmappedOwners(db, member.workspaceId),
      admin ? crmGrantLines(db, member.workspaceId) : [],
      admin && crmBackfill ? crmBackfill.backfills.latest(member.workspaceId) : [],
    ]);
    const readable = new Set([
      ...(crmBackfill?.fromEnvironment ?? []),
      ...grants.filter((g) => !g.refused).map((g) => g.source),
    ]);
    const backfillable = crmBackfill ? BACKFILL_SOURCES.filter((s) => readable.has(s)) : [];
    const perChannel = new Map<string, number>();
    for (const s of subscriptions) perChannel.set(s.channelId, (perChannel.get(s.channelId) ?? 0) + 1);
    return {
      kind: 'settings',
      settings,
      boards: [...perChannel].map(([channelId, count]) => ({ channelId, count })),
      unmappedOwners: owners.length,
      crm: admin
        ? {
            connections: grants,
            connectable: crmOAuth,
            backfillable,
            backfills: backfills.map((run) => ({ source: run.source, line: progressLine(run, now) })),
          }
        : null,
    };
  },
};

/** The Home tab's sections, in the order shown. */
export const HOME_SECTIONS: readonly SectionLoader[] = [
  scorecardSection,
  goalsSection,
  contestsSection,
  gameSection,
  teamSection,
  settingsSection,
];

export async function loadHome(
  db: Database,
  viewer: HomeViewer,
  sections: readonly SectionLoader[] = HOME_SECTIONS,
): Promise<HomeSection[]> {
  const loaded = await Promise.all(sections.map((s) => s.load(db, viewer)));
  return loaded.filter((s): s is HomeSection => s !== null);
}

/** A manager's reps (their `manager_id`), or for an admin everyone; bots and deleted users aside. */
async function teamMembers(db: Database, viewer: Member, scope: TeamSection['scope']): Promise<Member[]> {
  const people = await db
    .select()
    .from(members)
    .where(
      and(
        eq(members.workspaceId, viewer.workspaceId),
        eq(members.isBot, false),
        eq(members.isDeleted, false),
        scope === 'reports' ? eq(members.managerId, viewer.userId) : undefined,
      ),
    )
    .orderBy(asc(members.displayName));
  return people;
}

function mergeInputs(metrics: readonly KpiDefinition[]): KpiInputs {
  const inputs = metrics.map(inputsOf);
  return {
    kinds: [...new Set(inputs.flatMap((i) => i.kinds))],
    deals: inputs.some((i) => i.deals),
    leads: inputs.some((i) => i.leads),
    quota: inputs.some((i) => i.quota !== false),
    previous: inputs.some((i) => i.previous !== false),
  };
}
