import type { types } from '@slack/bolt';
import type { Contest } from '../../contests/contest.js';
import {
  CONTEST_METRICS,
  type ContestModalMetadata,
  FIELDS,
  MAX_NAME_CHARS,
  PERIODS,
} from '../../contests/contest-form.js';
import { type ContestLine, valueText } from '../../contests/contest-lines.js';
import { contestDates, type NextPrize, type ScoreMode, type Standing } from '../../contests/scoring.js';
import type { OutboxPayload } from '../../delivery/outbox.repository.js';
import { formatKpiValue, getKpi, type KpiDefinition } from '../../kpi/catalogue.js';
import { VIEWS } from '../ids.js';
import { type Block, context, escapeMrkdwn, header, type SlackMessage, section, truncate } from './message.js';

/** Contest modal, posts and replies: pure Block Kit builders. */

export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
export const option = (text: string, value: string) => ({ text: plain(truncate(text, 75)), value });

export function inputBlock(
  blockId: string,
  label: string,
  element: Record<string, unknown>,
  opts: { optional?: boolean; hint?: string } = {},
): Block {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    optional: opts.optional ?? false,
    element: { action_id: blockId, ...element },
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
  } as Block;
}

const PERIOD_LABELS: Record<(typeof PERIODS)[number], string> = {
  week: 'This week',
  month: 'This month',
  quarter: 'This quarter',
  dates: 'The dates below',
};

/** The "new contest" modal: everything a manager sets, with the defaults that are fair. */
export function contestModal(meta: ContestModalMetadata, channelId: string): types.ModalView {
  const textInput = (placeholder: string, extra: Record<string, unknown> = {}) => ({
    type: 'plain_text_input',
    placeholder: plain(placeholder),
    ...extra,
  });
  const rankingOptions = [
    option("Percent of each rep's own goal (fair across territories)", 'goal_percent'),
    option('Raw value', 'raw'),
  ];
  return {
    type: 'modal',
    callback_id: VIEWS.contestNew,
    private_metadata: JSON.stringify(meta),
    title: plain('New contest'),
    submit: plain('Start contest'),
    close: plain('Cancel'),
    blocks: [
      inputBlock(FIELDS.name, 'Name', textInput('Q4 demo dash', { max_length: MAX_NAME_CHARS })),
      inputBlock(
        FIELDS.metric,
        'Metric',
        {
          type: 'static_select',
          placeholder: plain('Pick a metric'),
          options: CONTEST_METRICS.map((m) => option(m.label, m.key)),
        },
        { optional: true },
      ),
      inputBlock(
        FIELDS.scorecard,
        'Or a weighted scorecard',
        textInput('demos 2 10\nmeetings 1 15', { multiline: true }),
        {
          optional: true,
          hint: 'One metric per line: metric, weight, target for the whole contest (e.g. "revenue 1 $20k"). Leave the metric empty.',
        },
      ),
      inputBlock(FIELDS.period, 'When', {
        type: 'static_select',
        initial_option: option(PERIOD_LABELS.week, 'week'),
        options: PERIODS.map((p) => option(PERIOD_LABELS[p], p)),
      }),
      inputBlock(FIELDS.startDate, 'First day', { type: 'datepicker' }, { optional: true }),
      inputBlock(FIELDS.endDate, 'Last day', { type: 'datepicker' }, { optional: true }),
      inputBlock(
        FIELDS.people,
        'Participants',
        { type: 'multi_users_select', placeholder: plain('Everyone in the channel') },
        { optional: true, hint: 'Leave empty for everyone in the contest channel.' },
      ),
      inputBlock(FIELDS.ranking, 'Rank by', {
        type: 'radio_buttons',
        initial_option: rankingOptions[0],
        options: rankingOptions,
      }),
      inputBlock(FIELDS.prize1, '1st prize', textInput('A $100 gift card', { max_length: 80 }), { optional: true }),
      inputBlock(FIELDS.prize2, '2nd prize', textInput('Lunch on the team', { max_length: 80 }), { optional: true }),
      inputBlock(FIELDS.prize3, '3rd prize', textInput('First pick of leads', { max_length: 80 }), { optional: true }),
      inputBlock(FIELDS.thresholdScore, 'Or: everyone reaching this score wins', textInput('100'), {
        optional: true,
        hint: 'A percent of goal (100 = goal met), a total when ranking raw values, or points out of 100 for a scorecard.',
      }),
      inputBlock(FIELDS.thresholdPrize, 'Threshold prize', textInput('The Q4 bonus', { max_length: 80 }), {
        optional: true,
      }),
      inputBlock(FIELDS.minScore, 'Minimum score to win', textInput('50'), {
        optional: true,
        hint: 'Same unit as the threshold. Nobody at zero ever wins.',
      }),
      inputBlock(FIELDS.channel, 'Post in', {
        type: 'conversations_select',
        // A command typed in a DM has no channel to offer: the manager picks one.
        ...(channelId.startsWith('D') ? {} : { initial_conversation: channelId }),
        filter: { include: ['public', 'private'], exclude_bot_users: true },
      }),
    ],
  } as types.ModalView;
}

/** What the modal turns into once the contest is stored. */
export function contestCreatedView(contest: Contest, currency: string, repeated: boolean): types.ModalView {
  return {
    type: 'modal',
    callback_id: VIEWS.contestNew,
    title: plain('Contest scheduled'),
    close: plain('Done'),
    blocks: [
      section(
        `${repeated ? 'This contest was already saved: ' : ''}*${escapeMrkdwn(contest.name)}* (#${contest.id}) runs ${contestDates(contest.startsAt, contest.endsAt, contest.timezone)} and posts in <#${contest.channelId}>.`,
      ),
      section(prizeText(contest, currency)),
      context(`\`/kpi contest\` shows your contests; \`/kpi contest cancel ${contest.id}\` calls it off.`),
    ],
  };
}

function modeOf(contest: Pick<Contest, 'scorecard' | 'ranking'>): ScoreMode {
  return contest.scorecard ? 'scorecard' : contest.ranking;
}

function metricName(contest: Pick<Contest, 'metric' | 'scorecard'>): string {
  if (contest.scorecard) return contest.scorecard.map((w) => getKpi(w.metric).label.toLowerCase()).join(', ');
  return contest.metric ? getKpi(contest.metric).label.toLowerCase() : 'nothing';
}

/** A score as people read it: "87% of goal", "$12,000", "72 pts". */
export function scoreText(mode: ScoreMode, def: KpiDefinition | null, score: number, currency: string): string {
  if (mode === 'goal_percent') return `${Math.round(score)}% of goal`;
  if (mode === 'scorecard') return `${Math.round(score)} pts`;
  return def ? formatKpiValue(def, score, currency) : String(Math.round(score));
}

function defOf(contest: Pick<Contest, 'metric'>): KpiDefinition | null {
  return contest.metric ? getKpi(contest.metric) : null;
}

const MEDALS = [':first_place_medal:', ':second_place_medal:', ':third_place_medal:'];
const ORDINALS = ['1st', '2nd', '3rd'];

export function prizeText(
  contest: Pick<Contest, 'prizes' | 'minScore' | 'metric' | 'scorecard' | 'ranking'>,
  currency: string,
): string {
  const mode = modeOf(contest);
  const def = defOf(contest);
  const { prizes } = contest;
  const main =
    prizes.kind === 'top'
      ? prizes.places.map((p, i) => `${MEDALS[i]} ${ORDINALS[i]}: ${escapeMrkdwn(p)}`).join('   ')
      : `:trophy: Everyone reaching *${scoreText(mode, def, prizes.score, currency)}* wins ${escapeMrkdwn(prizes.prize)}`;
  const min = contest.minScore ? `\nMinimum to win: ${scoreText(mode, def, contest.minScore, currency)}.` : '';
  return `${main}${min}`;
}

function who(contest: Contest): string {
  return contest.participants
    ? `${contest.participants.length} named ${contest.participants.length === 1 ? 'rep' : 'reps'}`
    : `everyone in <#${contest.channelId}>`;
}

/** The start post: what, when, who, the prize and how scoring works. */
export function startPost(contest: Contest, method: string, currency: string): OutboxPayload {
  const dates = contestDates(contest.startsAt, contest.endsAt, contest.timezone);
  const text = `The contest ${escapeMrkdwn(contest.name)} starts now: ${metricName(contest)}, ${dates}.`;
  return {
    text,
    blocks: [
      header(`:checkered_flag: ${contest.name} starts now`),
      section(`*${capitalise(metricName(contest))}*, ${dates} (${contest.timezone}), for ${who(contest)}.`),
      section(prizeText(contest, currency)),
      context(method, 'Standings every working day at 09:00; your own progress any time with `/kpi contest`.'),
    ],
  };
}

function line(s: Standing, mode: ScoreMode, def: KpiDefinition | null, currency: string, tag: boolean): string {
  const medal = MEDALS[s.rank - 1] ?? `${s.rank}.`;
  const name = tag ? `<@${s.userId}>` : escapeMrkdwn(s.name);
  const value = mode === 'goal_percent' && def ? ` (${valueText(def, s.value, currency)})` : '';
  return `${medal} ${name}: *${scoreText(mode, def, s.score, currency)}*${value}${tag && s.prize ? ` — wins ${escapeMrkdwn(s.prize)}` : ''}`;
}

/** Daily standings: the top of the field only, plain names, never the bottom. */
export function standingsPost(
  contest: Contest,
  top: readonly Standing[],
  mode: ScoreMode,
  method: string,
  currency: string,
  day: string,
): OutboxPayload {
  const def = defOf(contest);
  const text = `${escapeMrkdwn(contest.name)} standings, ${day}: ${top.map((s) => `${s.rank}. ${escapeMrkdwn(s.name)}`).join(', ')}`;
  return {
    text,
    blocks: [
      header(`:bar_chart: ${contest.name}: standings`),
      section(top.map((s) => line(s, mode, def, currency, false)).join('\n')),
      context(
        `${day}. Ends ${contestDates(contest.startsAt, contest.endsAt, contest.timezone).split(' – ')[1] ?? ''}.`,
        method,
      ),
    ],
  };
}

/** The result: winners tagged with their prizes, or "no winner" when nobody qualified. */
export function resultPost(
  contest: Contest,
  winners: readonly Standing[],
  mode: ScoreMode,
  method: string,
  currency: string,
): OutboxPayload {
  const def = defOf(contest);
  const shown = winners.filter((w) => w.public);
  const hidden = winners.length - shown.length;
  if (winners.length === 0) {
    const text = `${escapeMrkdwn(contest.name)} is over. No winner this time: nobody reached a prize.`;
    return {
      text,
      blocks: [
        header(`:checkered_flag: ${contest.name} is over`),
        section(
          `No winner this time: nobody reached ${contest.minScore ? 'the minimum score' : 'a prize'}. Thanks for playing.`,
        ),
        context(method),
      ],
    };
  }
  const text = `${escapeMrkdwn(contest.name)} is over. Winners: ${shown.map((w) => `<@${w.userId}> (${escapeMrkdwn(w.prize ?? '')})`).join(', ')}`;
  const lines = shown.map((w) => line(w, mode, def, currency, true));
  if (hidden > 0)
    lines.push(`…and ${hidden} more ${hidden === 1 ? 'winner who keeps' : 'winners who keep'} results private.`);
  return {
    text,
    blocks: [header(`:tada: ${contest.name}: the winners`), section(lines.join('\n')), context(method)],
  };
}

export function cancelledPost(contest: Contest): OutboxPayload {
  const text = `The contest ${escapeMrkdwn(contest.name)} has been called off; no prizes will be awarded.`;
  return { text, blocks: [section(`:no_entry: ${text}`)] };
}

/** `/kpi contest`: live and scheduled contests, with the asker's own place and progress. */
export function contestListMessage(lines: readonly ContestLine[], currency: string, canManage: boolean): SlackMessage {
  if (lines.length === 0) {
    const text = canManage
      ? 'No contests are running. Start one with `/kpi contest new`.'
      : 'No contests are running right now.';
    return { text, blocks: [section(text)] };
  }
  const blocks: Block[] = [header('Contests')];
  for (const { contest, mine } of lines.slice(0, 20)) {
    const dates = contestDates(contest.startsAt, contest.endsAt, contest.timezone);
    const state = contest.status === 'live' ? ':large_green_circle: live' : ':calendar: starts soon';
    const def = defOf(contest);
    const you = mine
      ? `\nYou: #${mine.standing.rank} of ${mine.of}, *${scoreText(mine.mode, def, mine.standing.score, currency)}*${mine.standing.prize ? ` — in line for ${escapeMrkdwn(mine.standing.prize)}` : ''}${mine.next ? `\n${mine.next}` : ''}`
      : '';
    blocks.push(
      section(
        `*${escapeMrkdwn(contest.name)}* (#${contest.id}) ${state} · ${metricName(contest)} · ${dates}\n${prizeText(contest, currency)}${you}`,
      ),
    );
  }
  if (canManage) blocks.push(context('`/kpi contest new` starts one; `/kpi contest cancel <id>` calls one off.'));
  const text = lines.map((l) => `${escapeMrkdwn(l.contest.name)} (#${l.contest.id})`).join(', ');
  return { text: `Contests: ${text}`, blocks };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
