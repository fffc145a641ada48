import type { Database } from '../src/db/client.js';
import { parseSettings } from '../src/game/settings.js';
import { getKpi } from '../src/kpi/catalogue.js';
import { buildLeaderboard } from '../src/kpi/leaderboard.js';
import { windowPair } from '../src/kpi/scope.js';
import { buildScorecard } from '../src/scorecard/scorecard.js';
import { readActorRows } from '../src/slack/actor.js';

/**
 * The measured commands, each with its bare work: the same reads and the same figures the command
 * computes (`buildScorecard`, `buildLeaderboard`), called directly on the database, without Slack's
 * part of a request (the HTTP request and its signature, Bolt, the blocks, the reply).
 */

export interface BareSubject {
  workspaceId: string;
  userId: string;
}

export interface Operation {
  name: string;
  /** What the rep types after `/kpi`. */
  text: string;
  /** The command's reads and figures, run directly on the database. */
  bare(db: Database, subject: BareSubject, now: Date): Promise<unknown>;
}

/**
 * Who asks, as every command starts (one round trip, see `resolveActor`): the zone their window is
 * in, the currency, the settings, and what the scorecard does not read again.
 */
async function actorOf(db: Database, subject: BareSubject) {
  const rows = await readActorRows(db, subject.workspaceId, subject.userId);
  if (!rows?.member) throw new Error(`bench: no member ${subject.userId}`);
  const { workspace, member, known } = rows;
  const timezone = member.timezone ?? workspace.defaultTimezone;
  return { timezone, currency: workspace.currency, settings: parseSettings(workspace.settings), known };
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: '/kpi me',
    text: 'me',
    // The rep's figures this week and the week before, their rank, goals and game.
    bare: async (db, subject, now) => {
      const { timezone, currency, settings, known } = await actorOf(db, subject);
      return buildScorecard(db, subject, windowPair({ kind: 'week' }, now, timezone), currency, {
        now,
        timezone,
        settings,
        known,
      });
    },
  },
  {
    name: '/kpi board',
    text: 'board',
    // Everyone's revenue this week and last, the top ten and the most improved named, the rep's place.
    bare: async (db, subject, now) => {
      const { timezone } = await actorOf(db, subject);
      const scope = { workspaceId: subject.workspaceId, ...windowPair({ kind: 'week' }, now, timezone) };
      return buildLeaderboard(db, scope, getKpi('revenue'), subject.userId);
    },
  },
];
