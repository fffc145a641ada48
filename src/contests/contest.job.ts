import { DateTime } from 'luxon';
import type { Database } from '../db/client.js';
import { enqueuePosts, isDecided } from '../delivery/outbox.repository.js';
import { getSettings } from '../game/settings.js';
import { isWorkingDay } from '../goals/progress.js';
import type { JobDefinition, JobDeps, JobOptions, JobReport } from '../jobs/job.js';
import { getKpi } from '../kpi/catalogue.js';
import { workspaceCurrency } from '../members/members.repository.js';
import { resultPost, standingsPost, startPost } from '../slack/blocks/contest.blocks.js';
import { type Contest, STANDINGS_TIME } from './contest.js';
import { type ContestStandings, contestStandings, methodLine } from './contest-standings.js';
import { forEachDue, liveContests, setStatus } from './contests.repository.js';
import { publicTop, winners } from './scoring.js';

/**
 * The contest lifecycle, run every minute: start scheduled contests (status `live` and the start
 * post in one transaction), post standings once per working day at 09:00 in the contest's zone,
 * and end contests (result frozen, status `ended`, result post in one transaction). Every post is
 * keyed (`contest:<id>:start`, `…:standings:<local date>`, `…:result`), so a second run, or a
 * second replica, decides nothing new.
 */

export const startKey = (id: number) => `contest:${id}:start`;
export const standingsKey = (id: number, day: string) => `contest:${id}:standings:${day}`;
export const resultKey = (id: number) => `contest:${id}:result`;

async function standingsFor(deps: JobDeps, contest: Contest, at: Date): Promise<ContestStandings> {
  const client = await deps.slackFor(contest.workspaceId);
  return contestStandings({ db: deps.db, logger: deps.logger, client }, contest, at);
}

async function startDue(deps: JobDeps, now: Date, options: JobOptions): Promise<number> {
  return forEachDue(deps.db, { status: 'scheduled', column: 'starts_at', now, ...options }, async (tx, contest) => {
    const settings = await getSettings(tx, contest.workspaceId);
    const defs = (contest.scorecard?.map((w) => w.metric) ?? (contest.metric ? [contest.metric] : [])).map(getKpi);
    const mode = contest.scorecard ? 'scorecard' : contest.ranking;
    const payload = startPost(
      contest,
      methodLine(contest, mode, defs, settings),
      await workspaceCurrency(tx, contest.workspaceId),
    );
    await setStatus(tx, contest.id, 'live');
    await enqueuePosts(tx, [
      {
        workspaceId: contest.workspaceId,
        key: startKey(contest.id),
        kind: 'contest',
        target: contest.channelId,
        payload,
        ref: { type: 'contest', id: contest.id },
      },
    ]);
  });
}

/**
 * Ends contests whose window has closed. The standings are worked out first (they read Slack for a
 * channel's members), then frozen with the status change and the result post in one transaction
 * that holds the row; a replica that lost the race finds it ended and does nothing.
 */
async function endDue(deps: JobDeps, now: Date, options: JobOptions): Promise<number> {
  const due = (await liveContests(deps.db, options.workspaceId)).filter((c) => c.endsAt <= now);
  const computed = new Map<number, ContestStandings>();
  for (const contest of due) computed.set(contest.id, await standingsFor(deps, contest, contest.endsAt));
  return forEachDue(deps.db, { status: 'live', column: 'ends_at', now, ...options }, async (tx, contest) => {
    const final = computed.get(contest.id) ?? (await standingsFor({ ...deps, db: tx }, contest, contest.endsAt));
    const currency = await workspaceCurrency(tx, contest.workspaceId);
    const won = winners(final.standings);
    await setStatus(tx, contest.id, 'ended', {
      standings: final.standings,
      method: final.method,
      endedAt: now.toISOString(),
    });
    await enqueuePosts(tx, [
      {
        workspaceId: contest.workspaceId,
        key: resultKey(contest.id),
        kind: 'contest',
        target: contest.channelId,
        payload: resultPost(contest, won, final.rules.mode, final.method, currency),
        ref: { type: 'contest', id: contest.id },
      },
    ]);
  });
}

/** The local day whose 09:00 standings are due at `now`, or null (weekend, holiday, too early, outside the contest). */
export function standingsDay(
  contest: Pick<Contest, 'startsAt' | 'endsAt' | 'timezone'>,
  now: Date,
  holidays: readonly string[],
): string | null {
  const local = DateTime.fromJSDate(now, { zone: contest.timezone });
  const due = local.set({ ...STANDINGS_TIME, second: 0, millisecond: 0 });
  if (local < due || !isWorkingDay(local.startOf('day'), new Set(holidays))) return null;
  // Not on the day it starts (the start post has just gone out), and only while it runs.
  const startDay = DateTime.fromJSDate(contest.startsAt, { zone: contest.timezone }).toISODate();
  if (local.toISODate() === startDay || due.toJSDate() <= contest.startsAt || due.toJSDate() >= contest.endsAt)
    return null;
  return local.toISODate();
}

async function postStandings(
  deps: JobDeps,
  now: Date,
  options: JobOptions,
): Promise<{ posted: number; skipped: number }> {
  let posted = 0;
  let skipped = 0;
  for (const contest of await liveContests(deps.db, options.workspaceId)) {
    const settings = await getSettings(deps.db, contest.workspaceId);
    const day = standingsDay(contest, now, settings.holidays);
    if (day === null || (await isDecided(deps.db, contest.workspaceId, standingsKey(contest.id, day)))) continue;
    const current = await standingsFor(deps, contest, now);
    const top = publicTop(current.standings);
    const label = DateTime.fromISO(day).setLocale('en-US').toFormat('ccc d LLL');
    const currency = await workspaceCurrency(deps.db, contest.workspaceId);
    const decided = await deps.db.transaction(async (tx) => {
      // Decided only while the contest is still live (it may have ended or been cancelled meanwhile).
      const live = await liveContests(tx, contest.workspaceId);
      if (!live.some((c) => c.id === contest.id)) return [];
      return enqueuePosts(tx, [
        {
          workspaceId: contest.workspaceId,
          key: standingsKey(contest.id, day),
          kind: 'contest',
          target: contest.channelId,
          payload: standingsPost(contest, top, current.rules.mode, current.method, currency, label),
          ref: { type: 'contest', id: contest.id },
          // Nothing to show yet (nobody has scored): decided, and nothing is posted.
          skipped: top.length === 0,
        },
      ]);
    });
    if (decided.length > 0) {
      if (top.length === 0) skipped++;
      else posted++;
    }
  }
  return { posted, skipped };
}

export async function runContests(deps: JobDeps, now: Date, options: JobOptions = {}): Promise<JobReport> {
  const started = await startDue(deps, now, options);
  const ended = await endDue(deps, now, options);
  const standings = await postStandings(deps, now, options);
  return { started, ended, standings: standings.posted, standingsSkipped: standings.skipped };
}

export const contestsJob: JobDefinition = {
  name: 'contests',
  description: 'Starts and ends contests and posts their daily standings (every minute)',
  cron: '* * * * *',
  timezone: 'UTC',
  run: runContests,
};
