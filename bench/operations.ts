import type { Database } from '../src/db/client.js';
import { loadGameProfiles } from '../src/game/game.queries.js';
import { getSettings } from '../src/game/settings.js';
import { goalViews } from '../src/goals/goal-status.js';
import { getKpi } from '../src/kpi/catalogue.js';
import { inputsOf } from '../src/kpi/inputs.js';
import { loadFacts, loadFactsByUser } from '../src/kpi/kpi.queries.js';

/** The measured commands, each with the bare queries that produce its reply's figures. */

export type FactsScope = Parameters<typeof loadFacts>[1];

/** Both commands rank by revenue, and read only what revenue reads (see src/kpi/inputs.ts). */
const REVENUE_INPUTS = inputsOf(getKpi('revenue'));

export interface Operation {
  name: string;
  /** What the rep types after `/kpi`. */
  text: string;
  /** The queries that produce the reply's figures, run directly on the database. */
  bare(db: Database, scope: FactsScope, now: Date): Promise<unknown>;
}

export const OPERATIONS: readonly Operation[] = [
  {
    name: '/kpi me',
    text: 'me',
    // The rep's own figures, everyone's revenue for the rep's rank, and the rep's goals and game
    // (points, streak, badges: their whole history), as `buildScorecard` loads them.
    bare: (db, scope, now) =>
      Promise.all([
        loadFacts(db, scope),
        loadFactsByUser(db, { ...scope, userId: null }, REVENUE_INPUTS),
        getSettings(db, scope.workspaceId).then((settings) => {
          const person = [{ userId: scope.userId ?? '', timezone: scope.window.timezone }];
          const ctx = { workspaceId: scope.workspaceId, now, holidays: settings.holidays, settings };
          return Promise.all([goalViews(db, ctx, person), loadGameProfiles(db, ctx, person)]);
        }),
      ]),
  },
  {
    name: '/kpi board',
    text: 'board',
    bare: (db, scope) => loadFactsByUser(db, { ...scope, userId: null }, REVENUE_INPUTS),
  },
];
