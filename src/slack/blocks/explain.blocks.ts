import { CONTEST_RULES } from '../../contests/explain.js';
import { BADGE_RULES, type BadgeKey } from '../../game/badges.js';
import { pointsForLevel } from '../../game/levels.js';
import { STREAK_KINDS } from '../../game/profile.js';
import type { RuleTopic } from '../../game/rule-topics.js';
import { DEFAULT_POINTS, pointsFor, type WorkspaceSettings } from '../../game/settings.js';
import { HISTORY_PERIODS, MIN_HISTORY_PERIODS } from '../../goals/suggest.js';
import { ACTIVITY_KIND_KEYS, ACTIVITY_KINDS } from '../../kpi/activity-kinds.js';
import { KPIS, type KpiDefinition, type KpiResult } from '../../kpi/catalogue.js';
import type { ActivityTotals } from '../../kpi/facts.js';
import { describeWindow, type TimeWindow } from '../../kpi/windows.js';
import { formatMoney } from '../../lib/amount.js';
import { day, n } from './game.blocks.js';
import { context, header, type SlackMessage, section } from './message.js';
import { formatResult } from './scorecard.blocks.js';

export interface Explanation {
  def: KpiDefinition;
  window: TimeWindow;
  result: KpiResult;
  activities: ActivityTotals;
}

function countedText(totals: ActivityTotals, currency: string): string {
  const parts = ACTIVITY_KIND_KEYS.flatMap((kind) => {
    const t = totals[kind];
    if (!t) return [];
    const info = ACTIVITY_KINDS[kind];
    const money = t.amountCents !== 0 ? ` (${formatMoney(t.amountCents, currency)})` : '';
    return [`${t.quantity} ${t.quantity === 1 ? info.one : info.many}${money}`];
  });
  return parts.length > 0 ? parts.join(', ') : 'nothing logged yet';
}

export function explainMessage(e: Explanation, currency: string): SlackMessage {
  const { def } = e;
  const value =
    e.result.status === 'ok'
      ? `Your figure: *${formatResult(def, e.result, currency)}*${e.result.note ? `\n${e.result.note}` : ''}`
      : `Your figure: not available. ${e.result.status === 'missing' ? e.result.missing : e.result.reason}`;
  const better = def.direction === 'higher_is_better' ? 'Higher is better.' : 'Lower is better.';
  const blocks = [
    header(`How "${def.label}" is worked out`),
    section(`${def.explanation}\n*Formula:* ${def.formula}\n${better}`),
    section(`*What is counted:* ${def.counts}`),
    section(
      `*Window:* ${describeWindow(e.window)}\n*Your entries in it:* ${countedText(e.activities, currency)}\n${value}`,
    ),
  ];
  if (def.benchmark) blocks.push(section(`*Industry benchmark:* ${def.benchmark.text}`), context(def.benchmark.source));
  blocks.push(
    context(
      'Every figure comes from the stored log of entries: an undo adds a reversing entry, nothing is ever erased. Ranks: ties share a place (1, 2, 2, 4).',
    ),
  );
  return { text: `${def.label}: ${def.formula}`, blocks };
}

export function explainListMessage(): SlackMessage {
  const groups = [
    ['outcome', 'Results'],
    ['activity', 'Activities'],
    ['team', 'Team'],
  ] as const;
  const blocks = [header('What /kpi can explain')];
  for (const [group, title] of groups) {
    const names = KPIS.filter((k) => k.group === group).map((k) => k.label);
    if (names.length > 0) blocks.push(section(`*${title}:* ${names.join(', ')}`));
  }
  blocks.push(section('*The rules of the game:* points, streaks, badges, levels, ranking, goals, contests.'));
  blocks.push(context('Try `/kpi explain win rate`, `/kpi explain reach rate` or `/kpi explain streaks`.'));
  return { text: 'Metrics /kpi can explain', blocks };
}

// ---------------------------------------------------------------------------------------------
// The rules of the game, with the workspace's own weights, gates and holidays

function weightsText(settings: WorkspaceSettings): string {
  return ACTIVITY_KIND_KEYS.filter((k) => pointsFor(settings, k) > 0)
    .map((k) => {
      const changed = pointsFor(settings, k) !== DEFAULT_POINTS[k] ? '*' : '';
      return `${ACTIVITY_KINDS[k].one} ${pointsFor(settings, k)}${changed}`;
    })
    .join(', ');
}

function gatesText(settings: WorkspaceSettings): string {
  const gates = Object.entries(settings.qualityGates).filter(([, g]) => g !== undefined);
  if (gates.length === 0) return 'No quality gates are set: every entry earns its points.';
  const list = gates
    .map(
      ([k, g]) =>
        `a ${ACTIVITY_KINDS[k as keyof typeof ACTIVITY_KINDS].one} needs an outcome note of at least ${g?.minNoteChars} characters`,
    )
    .join('; ');
  return `Quality gates: ${list}. An entry without one is kept but earns nothing (no points, no contest score, no streak day).`;
}

function holidaysText(settings: WorkspaceSettings): string {
  return settings.holidays.length === 0
    ? 'No holidays are configured.'
    : `Holidays: ${settings.holidays.slice(0, 30).map(day).join(', ')}${settings.holidays.length > 30 ? '…' : ''}.`;
}

const LEVELS_SHOWN = [2, 3, 4, 5, 10, 20];

/** The plain-language rules of each part of the game, with this workspace's own settings. */
export function rulesText(topic: RuleTopic, settings: WorkspaceSettings): { title: string; body: string[] } {
  switch (topic) {
    case 'points':
      return {
        title: 'How points work',
        body: [
          `Every entry you log (or your CRM sends) earns points by its kind: ${weightsText(settings)}. Outcomes and effort that moves deals weigh more than volume.`,
          gatesText(settings),
          'Points are added up from the stored log, so an undo or a CRM correction takes back exactly what the entry gave. A starred weight was changed by a manager.',
        ],
      };
    case 'levels':
      return {
        title: 'How levels work',
        body: [
          `Your level comes from all your points: each level costs ${n(pointsForLevel(3) - 2 * pointsForLevel(2))} points more than the one before. ${LEVELS_SHOWN.map((l) => `Level ${l} at ${n(pointsForLevel(l))}`).join(', ')}.`,
          'An undo that takes points back can take a level back too: levels always match the log.',
        ],
      };
    case 'streaks':
      return {
        title: 'How streaks work',
        body: [
          `A streak is working days in a row on which you logged at least *${settings.dailyActivityGoal}* activities (${STREAK_KINDS.map((k) => ACTIVITY_KINDS[k].many).join(', ')}; deals and no-shows are outcomes, not activity). Quality gates apply.`,
          `Days are your own calendar days in your Slack timezone. Weekends and holidays neither count nor break a streak; today counts once you reach the goal, and not reaching it yet doesn't break anything. ${holidaysText(settings)}`,
        ],
      };
    case 'badges':
      return {
        title: 'How badges work',
        body: [
          (Object.keys(BADGE_RULES) as BadgeKey[])
            .map((k) => `${BADGE_RULES[k].emoji} *${BADGE_RULES[k].label}*: ${BADGE_RULES[k].rule}.`)
            .join('\n'),
          'Badges are worked out from the log each time with the date you earned them: if the entry behind one is undone, the badge goes too.',
        ],
      };
    case 'ranking':
      return {
        title: 'How boards rank people',
        body: [
          'Ties share a place and the next place is skipped: 1, 2, 2, 4. Within a tie, names are in alphabetical order, which changes nobody’s place.',
          'Public boards show the top and the most improved on the previous window, never the bottom. People at zero on a count or an amount are left off (nothing done is not “last”), and anyone who chose `/kpi privacy hide` never appears publicly; everyone still sees their own place privately in `/kpi me`.',
          'Ratios (win rate, connect rate…) rank only people with enough data, e.g. three closed deals for win rate, so one lucky deal does not top the board. Names are plain, never @-mentions.',
        ],
      };
    case 'goals':
      return {
        title: 'How goals work',
        body: [
          'A goal is a target on a total — revenue, deals won, or an activity count — for a week, month, quarter or dates. You set your own; a manager can set them for their reps or for a channel’s team, and that is kept in the audit log. Ratios like win rate cannot be goals: doing more can move them either way.',
          `The bot suggests a target from your own history: the 75th percentile of your last ${HISTORY_PERIODS.week} weeks (or ${HISTORY_PERIODS.month} months, ${HISTORY_PERIODS.quarter} quarters), counting only periods since your first entry and needing at least ${MIN_HISTORY_PERIODS}. That is a good period of yours, not your best.`,
          `Progress shows the percent of target, what each remaining working day needs, and where your current pace lands. Working days are Monday to Friday in your timezone, minus holidays. ${holidaysText(settings)}`,
        ],
      };
    case 'contests':
      return {
        title: 'How contests work',
        body: [
          'A manager starts a contest on one metric or a weighted scorecard, for a channel’s members or named people, over set dates, with prizes for the top places (1st, 2nd, 3rd) or for everyone above a threshold, and optionally a minimum score to win.',
          // The contest code's own statement of its rules, so the explanation cannot drift from the scoring.
          CONTEST_RULES.join('\n'),
        ],
      };
  }
}

export function rulesMessage(topic: RuleTopic, settings: WorkspaceSettings): SlackMessage {
  const { title, body } = rulesText(topic, settings);
  return {
    text: `${title}: ${body[0] ?? ''}`.slice(0, 3000),
    blocks: [
      header(title),
      ...body.map((p) => section(p)),
      context('Also: `/kpi explain points`, `streaks`, `badges`, `levels`, `ranking`, `goals`, `contests`.'),
    ],
  };
}
