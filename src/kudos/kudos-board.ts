import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { kudos, reactions } from '../db/schema.js';
import { rankCompetition } from '../kpi/ranking.js';
import type { TimeWindow } from '../kpi/windows.js';
import { boardMembers } from '../members/members.repository.js';

/**
 * The kudos board: kudos received plus teammates' reactions counted on recognition and kudos posts,
 * in a window. Ranked like every board (1, 2, 2, 4; ties listed by name); people who opted out, bots
 * and people at zero are not on the public list. Built once for `/kpi board kudos` and the App Home.
 */

export interface KudosTally {
  userId: string;
  name: string;
  kudos: number;
  reactions: number;
  total: number;
}

export interface KudosBoard {
  entries: (KudosTally & { rank: number })[];
  /** The viewer's own tally, shown only to them (also when they are hidden from the public list). */
  viewer: KudosTally | null;
}

export async function buildKudosBoard(
  db: Database,
  scope: { workspaceId: string; window: TimeWindow },
  viewerId: string | null,
  limit = 10,
): Promise<KudosBoard> {
  const { workspaceId, window } = scope;
  const from = window.start.toISOString();
  const to = window.end.toISOString();
  const [rows, people] = await Promise.all([
    queryRows<{ user_id: string; kudos: number; reactions: number }>(
      db,
      sql`select user_id, sum(k)::int as kudos, sum(r)::int as reactions from (
            select ${kudos.receiverId} as user_id, 1 as k, 0 as r from ${kudos}
             where ${kudos.workspaceId} = ${workspaceId}
               and ${kudos.givenAt} >= ${from}::timestamptz and ${kudos.givenAt} < ${to}::timestamptz
            union all
            select ${reactions.subjectUserId}, 0, 1 from ${reactions}
             where ${reactions.workspaceId} = ${workspaceId}
               and ${reactions.reactedAt} >= ${from}::timestamptz and ${reactions.reactedAt} < ${to}::timestamptz
          ) t group by user_id`,
    ),
    boardMembers(db, workspaceId),
  ]);
  const tallies = rows.map((r) => ({
    userId: r.user_id,
    name: people.get(r.user_id)?.displayName ?? r.user_id,
    kudos: r.kudos,
    reactions: r.reactions,
    total: r.kudos + r.reactions,
  }));
  const publicRows = tallies.filter((t) => {
    const member = people.get(t.userId);
    return t.total > 0 && !member?.publicOptOut && !member?.isBot && !member?.isDeleted;
  });
  const ranked = rankCompetition(publicRows, {
    value: (t) => t.total,
    direction: 'higher_is_better',
    name: (t) => t.name,
  })
    .filter(({ rank }) => rank <= limit)
    .map(({ row, rank }) => ({ ...row, rank }));
  return { entries: ranked, viewer: tallies.find((t) => t.userId === viewerId) ?? null };
}
