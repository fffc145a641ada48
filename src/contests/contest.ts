import { z } from 'zod';
import type { contests } from '../db/schema.js';
import { type ScorecardWeights, scorecardSchema } from '../kpi/weighted-score.js';

/**
 * A contest as stored: the JSON columns (`prizes`, `participants`, `scorecard`, `result`) are read
 * through these schemas, so a row written by an older version still reads, and nothing untyped
 * leaks past the repository.
 */

/** When the daily standings post goes out, in the contest's timezone. */
export const STANDINGS_TIME = { hour: 9, minute: 0 };

export const MAX_PRIZE_CHARS = 80;
const prize = z.string().trim().min(1).max(MAX_PRIZE_CHARS);

export const prizesSchema = z.discriminatedUnion('kind', [
  /** 1st, 2nd, 3rd: ties share a place and its prize. */
  z.object({ kind: z.literal('top'), places: z.array(prize).min(1).max(3) }),
  /** Everyone at or above `score` wins `prize`. */
  z.object({ kind: z.literal('threshold'), score: z.number().positive(), prize }),
]);
export type Prizes = z.infer<typeof prizesSchema>;

export const participantsSchema = z
  .array(z.string().regex(/^[UW][A-Z0-9]+$/))
  .min(1)
  .max(500);

export const standingSchema = z.object({
  userId: z.string(),
  name: z.string(),
  public: z.boolean(),
  value: z.number(),
  goal: z.number().nullable(),
  score: z.number(),
  rank: z.number().int(),
  prize: z.string().nullable(),
});

/** Frozen when the contest ends: the official standings and how they were worked out. */
export const resultSchema = z.object({
  standings: z.array(standingSchema),
  method: z.string(),
  endedAt: z.string(),
});
export type ContestResult = z.infer<typeof resultSchema>;

export type ContestRow = typeof contests.$inferSelect;
export type ContestStatus = ContestRow['status'];

export interface Contest extends Omit<ContestRow, 'prizes' | 'participants' | 'scorecard' | 'result'> {
  prizes: Prizes;
  /** Named people, or null for the channel's members. */
  participants: string[] | null;
  scorecard: ScorecardWeights | null;
  result: ContestResult | null;
}

export function readContest(row: ContestRow): Contest {
  const scorecard = row.scorecard === null ? null : scorecardSchema.safeParse(row.scorecard);
  const participants = row.participants === null ? null : participantsSchema.safeParse(row.participants);
  const result = row.result === null ? null : resultSchema.safeParse(row.result);
  return {
    ...row,
    prizes: prizesSchema.parse(row.prizes),
    participants: participants?.success ? participants.data : null,
    scorecard: scorecard?.success ? scorecard.data : null,
    result: result?.success ? result.data : null,
  };
}

/** What the modal produces once validated: everything needed to store a contest. */
export interface ContestDraft {
  name: string;
  metric: string | null;
  scorecard: ScorecardWeights | null;
  ranking: 'goal_percent' | 'raw';
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  channelId: string;
  participants: string[] | null;
  prizes: Prizes;
  minScore: number | null;
}
