import { DateTime } from 'luxon';
import { findKpi, KPIS, type KpiDefinition } from '../kpi/catalogue.js';
import { scorecardSchema } from '../kpi/weighted-score.js';
import { parseAmount } from '../lib/amount.js';
import { zoneOrUtc } from '../lib/zone.js';
import { type ContestDraft, MAX_PRIZE_CHARS, type Prizes } from './contest.js';

/**
 * The "new contest" modal's fields and the server-side reading of a submission, pure: Slack's
 * `view.state.values` in, a `ContestDraft` or friendly errors keyed by block id out (what
 * `ack({ response_action: 'errors' })` shows under each field).
 */

export const FIELDS = {
  name: 'contest_name',
  metric: 'contest_metric',
  scorecard: 'contest_scorecard',
  period: 'contest_period',
  startDate: 'contest_start',
  endDate: 'contest_end',
  people: 'contest_people',
  ranking: 'contest_ranking',
  prize1: 'contest_prize_1',
  prize2: 'contest_prize_2',
  prize3: 'contest_prize_3',
  thresholdScore: 'contest_threshold_score',
  thresholdPrize: 'contest_threshold_prize',
  minScore: 'contest_min_score',
  channel: 'contest_channel',
} as const;

export const MAX_NAME_CHARS = 80;
export const MAX_CONTEST_DAYS = 366;

/** Metrics a contest can rank: on the boards, and more is better (nobody races to a slower response). */
export const CONTEST_METRICS: readonly KpiDefinition[] = KPIS.filter(
  (k) => k.boardable && k.direction === 'higher_is_better',
);

export const PERIODS = ['week', 'month', 'quarter', 'dates'] as const;
export type ContestPeriod = (typeof PERIODS)[number];

/** What the modal carries between opening and submission. */
export interface ContestModalMetadata {
  /** The idempotency key of the submission: the opening command's trigger id. */
  key: string;
  timezone: string;
}

export function readMetadata(text: string): ContestModalMetadata | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { key, timezone } = parsed as Record<string, unknown>;
    if (typeof key !== 'string' || key === '' || typeof timezone !== 'string') return null;
    return { key, timezone: zoneOrUtc(timezone) };
  } catch {
    return null;
  }
}

/** One input's state as Slack sends it; only the fields our elements use. */
export interface InputState {
  type?: string;
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_date?: string | null;
  selected_users?: string[] | null;
  selected_conversation?: string | null;
  selected_channel?: string | null;
}

export type StateValues = Record<string, Record<string, InputState | undefined> | undefined>;

export type FormResult = { ok: true; draft: ContestDraft } | { ok: false; errors: Record<string, string> };

function input(values: StateValues, block: string): InputState | undefined {
  // Each input's element has its block's id as action id (unique in the view, as the fake Slack demands).
  return values[block]?.[block];
}

function text(values: StateValues, block: string): string {
  return (input(values, block)?.value ?? '').trim();
}

/** `demos 2 10`, `revenue 1 $20k`: metric, weight, target for the window; one metric per line. */
export function parseScorecardLines(
  raw: string,
): { ok: true; weights: { metric: string; weight: number; target: number }[] } | { ok: false; error: string } {
  const lines = raw
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const weights: { metric: string; weight: number; target: number }[] = [];
  for (const line of lines) {
    const words = line.split(/\s+/);
    if (words.length < 3)
      return { ok: false, error: `“${line}”: write a metric, its weight and its target, e.g. demos 2 10.` };
    const targetText = words.at(-1) ?? '';
    const weight = Number(words.at(-2));
    const def = findKpi(words.slice(0, -2).join(' '));
    if (!def || !CONTEST_METRICS.includes(def))
      return { ok: false, error: `“${words.slice(0, -2).join(' ')}” isn't a metric a contest can rank.` };
    if (!Number.isFinite(weight) || weight <= 0)
      return { ok: false, error: `The weight of ${def.label.toLowerCase()} must be a positive number.` };
    const target = def.unit === 'currency' ? parseAmount(targetText) : null;
    const value = target ? (target.ok ? target.cents : Number.NaN) : Number(targetText);
    if (!Number.isFinite(value) || value <= 0)
      return { ok: false, error: `The target of ${def.label.toLowerCase()} must be a positive number.` };
    weights.push({ metric: def.key, weight, target: def.unit === 'percent' && value > 1 ? value / 100 : value });
  }
  const parsed = scorecardSchema.safeParse(weights);
  if (!parsed.success)
    return { ok: false, error: 'A scorecard has 1 to 8 metrics, each with a positive weight and target.' };
  if (new Set(weights.map((w) => w.metric)).size !== weights.length)
    return { ok: false, error: 'Each metric may appear once.' };
  return { ok: true, weights: parsed.data };
}

function dayStart(iso: string, zone: string): DateTime {
  return DateTime.fromISO(iso, { zone }).startOf('day');
}

/** The contest window: whole local days, or the current week/month/quarter (from today if it has begun). */
function readWindow(
  values: StateValues,
  now: Date,
  zone: string,
  errors: Record<string, string>,
): { start: Date; end: Date } | null {
  const period = (input(values, FIELDS.period)?.selected_option?.value ?? 'dates') as ContestPeriod;
  const from = input(values, FIELDS.startDate)?.selected_date ?? null;
  const to = input(values, FIELDS.endDate)?.selected_date ?? null;
  const local = DateTime.fromJSDate(now, { zone });
  if (period !== 'dates' && (from || to)) {
    errors[FIELDS.period] = 'You picked dates: choose “The dates below” here, or clear the dates.';
    return null;
  }
  if (period !== 'dates') {
    const start = local.startOf(period);
    return {
      start: DateTime.max(start, local.startOf('minute')).toJSDate(),
      end: start.plus({ [`${period}s`]: 1 }).toJSDate(),
    };
  }
  if (!from) errors[FIELDS.startDate] = 'Pick the first day of the contest.';
  if (!to) errors[FIELDS.endDate] = 'Pick the last day of the contest.';
  if (!from || !to) return null;
  const start = dayStart(from, zone);
  const end = dayStart(to, zone).plus({ days: 1 });
  if (end <= start) {
    errors[FIELDS.endDate] = 'The contest ends before it starts: pick a last day on or after the first.';
    return null;
  }
  if (end <= local) {
    errors[FIELDS.endDate] = 'That contest would already be over: pick a last day from today on.';
    return null;
  }
  if (end.diff(start, 'days').days > MAX_CONTEST_DAYS) {
    errors[FIELDS.endDate] = `A contest can last at most ${MAX_CONTEST_DAYS} days.`;
    return null;
  }
  // A contest starting today starts now: nothing before the announcement counts.
  return { start: DateTime.max(start, local.startOf('minute')).toJSDate(), end: end.toJSDate() };
}

function readNumber(values: StateValues, block: string, errors: Record<string, string>, what: string): number | null {
  const raw = text(values, block);
  if (raw === '') return null;
  const n = Number(raw.replace(/[,%]/g, ''));
  if (!Number.isFinite(n) || n <= 0) {
    errors[block] = `${what} must be a number above zero.`;
    return null;
  }
  return n;
}

function readPrizes(values: StateValues, errors: Record<string, string>): Prizes | null {
  const threshold = readNumber(values, FIELDS.thresholdScore, errors, 'The threshold');
  const thresholdPrize = text(values, FIELDS.thresholdPrize);
  const places = [FIELDS.prize1, FIELDS.prize2, FIELDS.prize3].map((b) => text(values, b));
  for (const [block, value] of [
    [FIELDS.thresholdPrize, thresholdPrize],
    ...[FIELDS.prize1, FIELDS.prize2, FIELDS.prize3].map((b, i) => [b, places[i] ?? ''] as const),
  ] as const) {
    if (value.length > MAX_PRIZE_CHARS) errors[block] = `Keep a prize to ${MAX_PRIZE_CHARS} characters.`;
  }
  if (threshold !== null || thresholdPrize !== '') {
    if (places.some(Boolean)) {
      errors[FIELDS.thresholdScore] = 'Choose one kind of prize: places (1st, 2nd, 3rd) or a threshold, not both.';
      return null;
    }
    if (threshold === null) errors[FIELDS.thresholdScore] ??= 'Say which score wins the threshold prize.';
    if (thresholdPrize === '') errors[FIELDS.thresholdPrize] = 'Say what everyone above the threshold wins.';
    return threshold !== null && thresholdPrize !== ''
      ? { kind: 'threshold', score: threshold, prize: thresholdPrize }
      : null;
  }
  const given = places.filter(Boolean);
  if (given.length === 0) {
    errors[FIELDS.prize1] = 'Name a prize for 1st place, or set a threshold prize.';
    return null;
  }
  if (places.findIndex((p) => p === '') !== -1 && places.findIndex((p) => p === '') < places.findLastIndex(Boolean)) {
    errors[FIELDS.prize2] = 'Fill the places in order: a 3rd prize needs a 2nd.';
    return null;
  }
  return { kind: 'top', places: given };
}

/**
 * Reads a submitted modal. Errors name the field and say how to fix it; when there are any,
 * nothing is stored.
 */
export function readContestForm(values: StateValues, ctx: { now: Date; timezone: string }): FormResult {
  const errors: Record<string, string> = {};
  const name = text(values, FIELDS.name);
  if (name === '') errors[FIELDS.name] = 'Give the contest a name.';
  else if ([...name].length > MAX_NAME_CHARS) errors[FIELDS.name] = `Keep the name to ${MAX_NAME_CHARS} characters.`;

  const metricKey = input(values, FIELDS.metric)?.selected_option?.value ?? null;
  const metric = metricKey ? CONTEST_METRICS.find((m) => m.key === metricKey) : undefined;
  const scorecardText = text(values, FIELDS.scorecard);
  let scorecard: ContestDraft['scorecard'] = null;
  if (metricKey && !metric) errors[FIELDS.metric] = 'Pick a metric from the list.';
  if (scorecardText !== '') {
    if (metricKey) errors[FIELDS.scorecard] = 'Choose one metric or a scorecard, not both.';
    const read = parseScorecardLines(scorecardText);
    if (read.ok) scorecard = read.weights;
    else errors[FIELDS.scorecard] = read.error;
  } else if (!metricKey) {
    errors[FIELDS.metric] = 'Pick the metric the contest ranks, or write a scorecard below.';
  }

  const window = readWindow(values, ctx.now, ctx.timezone, errors);
  const prizes = readPrizes(values, errors);
  const minScore = readNumber(values, FIELDS.minScore, errors, 'The minimum score');
  const people = input(values, FIELDS.people)?.selected_users ?? [];
  const channel = input(values, FIELDS.channel)?.selected_conversation ?? null;
  if (!channel) errors[FIELDS.channel] = 'Pick the channel the contest posts in.';
  if (people.length > 500) errors[FIELDS.people] = 'A contest can name at most 500 people; use a channel instead.';
  const ranking = input(values, FIELDS.ranking)?.selected_option?.value === 'raw' ? 'raw' : 'goal_percent';

  if (Object.keys(errors).length > 0 || !window || !prizes || !channel) return { ok: false, errors };
  // Money metrics: the minimum and the threshold are typed in whole units when ranking raw values.
  const toUnits = (n: number | null) =>
    n !== null && ranking === 'raw' && metric?.unit === 'currency' ? Math.round(n * 100) : n;
  const prizesInUnits: Prizes =
    prizes.kind === 'threshold' ? { ...prizes, score: toUnits(prizes.score) ?? prizes.score } : prizes;
  return {
    ok: true,
    draft: {
      name,
      metric: scorecard ? null : (metric?.key ?? null),
      scorecard,
      ranking,
      startsAt: window.start,
      endsAt: window.end,
      timezone: ctx.timezone,
      channelId: channel,
      // Named people, else the members of the channel it posts in.
      participants: people.length > 0 ? [...new Set(people)] : null,
      prizes: prizesInUnits,
      minScore: minScore === null ? null : Math.round(toUnits(minScore) ?? minScore),
    },
  };
}
