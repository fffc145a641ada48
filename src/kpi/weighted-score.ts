import { z } from 'zod';
import { findKpi, type KpiDefinition } from './catalogue.js';

/**
 * A weighted scorecard (as in Ambition's scorecards): several metrics, each with a weight and a
 * target for the window, combined into one score out of 100. Each metric contributes its share of
 * target, capped so one runaway metric cannot hide the rest; a lower-is-better metric (response
 * time) scores target ÷ value. Pure: values in, score out.
 */

/** Above this share of target a metric stops adding: 150% of target is the most it can count. */
export const SHARE_CAP = 1.5;

export const scorecardSchema = z
  .array(
    z.object({
      metric: z.string().refine((m) => findKpi(m) !== undefined, 'a metric of the catalogue'),
      weight: z.number().positive().max(100),
      /** The value that scores full marks for this metric over the window, in the metric's unit. */
      target: z.number().positive(),
    }),
  )
  .min(1)
  .max(8);

export type ScorecardWeights = z.infer<typeof scorecardSchema>;

export interface ScorePart {
  def: KpiDefinition;
  weight: number;
  target: number;
  value: number | null;
  /** Share of target reached, capped at `SHARE_CAP`; 0 when there is no value. */
  share: number;
  /** Points this metric adds to the score out of 100. */
  points: number;
}

export function weightedScore(
  weights: ScorecardWeights,
  valueOf: (metric: string) => number | null,
): { score: number; parts: ScorePart[] } {
  const totalWeight = weights.reduce((sum, w) => sum + w.weight, 0);
  const parts = weights.map((w) => {
    const def = findKpi(w.metric);
    if (!def) throw new Error(`unknown metric in a scorecard: ${w.metric}`);
    const value = valueOf(def.key);
    const raw =
      value === null
        ? 0
        : def.direction === 'lower_is_better'
          ? value > 0
            ? w.target / value
            : SHARE_CAP
          : value / w.target;
    const share = Math.max(0, Math.min(SHARE_CAP, raw));
    return { def, weight: w.weight, target: w.target, value, share, points: (100 * share * w.weight) / totalWeight };
  });
  return { score: parts.reduce((sum, p) => sum + p.points, 0), parts };
}
