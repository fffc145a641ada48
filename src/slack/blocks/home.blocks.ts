import type { types } from '@slack/bolt';
import type { GoalView } from '../../goals/goal-status.js';
import { progressBar } from '../../goals/progress.js';
import type { HomeSection, TeamSection } from '../../home/home.queries.js';
import { formatKpiValue } from '../../kpi/catalogue.js';
import { contestListMessage } from './contest.blocks.js';
import { gameBlocks } from './game.blocks.js';
import { quickLogBlock } from './log-modal.blocks.js';
import { type Block, context, escapeMrkdwn, header, lowerFirst, section } from './message.js';
import { formatResult, scorecardMessage } from './scorecard.blocks.js';
import { settingsHomeBlocks } from './settings.blocks.js';

/**
 * The App Home: a personal dashboard built from the loaded sections, pure. Slack allows 100 blocks
 * in a Home view, so long lists (goals, a big team) are capped and say how many more there are.
 */

export interface HomeData {
  sections: readonly HomeSection[];
  currency: string;
}

export const MAX_HOME_BLOCKS = 100;
const MAX_GOALS = 10;
const MAX_CONTESTS = 5;
const MAX_TEAM_ROWS = 50;
/** Lines per section block: a section's text holds 3,000 characters. */
const TEAM_LINES_PER_BLOCK = 10;

const STATUS_TEXT: Record<GoalView['progress']['status'], string> = {
  met: ':white_check_mark: Met',
  on_track: 'On track',
  behind: 'Behind pace',
  missed: 'Missed',
  not_started: 'Not started yet',
};

/** The quick-log buttons' block on the Home tab. */
const HOME_LOG_BLOCK = 'home_log';

export function homeView(data: HomeData): types.HomeView {
  const blocks = data.sections.flatMap((s, i) => [
    ...(i > 0 ? [{ type: 'divider' } as Block] : []),
    ...sectionBlocks(s, data.currency),
  ]);
  // Logging first: reps open the tab between calls to add one.
  blocks.unshift(quickLogBlock(HOME_LOG_BLOCK));
  return { type: 'home', blocks: blocks.slice(0, MAX_HOME_BLOCKS) };
}

function sectionBlocks(s: HomeSection, currency: string): Block[] {
  switch (s.kind) {
    case 'scorecard':
      return scorecardMessage(s.card, currency).blocks;
    case 'goals':
      return goalBlocks(s.goals, currency);
    case 'contests':
      return contestListMessage(s.lines.slice(0, MAX_CONTESTS), currency, false).blocks;
    case 'game':
      return [header('Points, streak and badges'), ...gameBlocks(s.profile)];
    case 'team':
      return teamBlocks(s, currency);
    case 'settings':
      return settingsHomeBlocks(s);
  }
}

function goalBlocks(goals: readonly GoalView[], currency: string): Block[] {
  if (goals.length === 0) {
    return [
      header('Your goals'),
      section('No live goals. Agree one with your manager and it shows here, with your pace.'),
    ];
  }
  const blocks: Block[] = [header('Your goals')];
  for (const g of goals.slice(0, MAX_GOALS)) {
    const { progress, def } = g;
    const show = (n: number) => formatKpiValue(def, n, currency);
    const percent = Math.round(progress.fraction * 100);
    blocks.push(
      section(
        `*${def.label}* · ${lowerFirst(g.window.label)}\n${progressBar(progress.fraction)} ${percent}% · ${show(g.value)} of ${show(g.goal.target)} · ${STATUS_TEXT[progress.status]}`,
      ),
    );
    const pace = [
      progress.pacePerDay !== null
        ? `Needs ${show(progress.pacePerDay)} per working day for ${progress.workingDaysLeft} more ${progress.workingDaysLeft === 1 ? 'day' : 'days'}.`
        : '',
      progress.projected !== null && progress.status !== 'met' ? `At this pace: ${show(progress.projected)}.` : '',
    ].filter(Boolean);
    if (pace.length > 0) blocks.push(context(pace.join(' ')));
  }
  if (goals.length > MAX_GOALS)
    blocks.push(context(`And ${goals.length - MAX_GOALS} more: \`/kpi me\` lists them all.`));
  return blocks;
}

function teamBlocks(team: TeamSection, currency: string): Block[] {
  const title = team.scope === 'workspace' ? 'The workspace this week' : 'Your team this week';
  if (team.rows.length === 0) {
    return [
      header(title),
      section(
        team.scope === 'reports'
          ? 'No reps report to you yet. An admin sets who is on your team.'
          : 'Nobody has joined yet.',
      ),
    ];
  }
  const lines = team.rows.slice(0, MAX_TEAM_ROWS).map((row) => {
    const figures = row.figures.map(({ def, result }) => `${def.label} ${formatResult(def, result, currency)}`);
    const goals =
      row.goals === 0
        ? ''
        : row.goalsBehind > 0
          ? ` · :warning: ${row.goalsBehind} of ${row.goals} goals behind pace`
          : ` · goals on track`;
    return `*${escapeMrkdwn(row.name)}*: ${figures.join(' · ')}${goals}`;
  });
  const blocks: Block[] = [header(title)];
  for (let i = 0; i < lines.length; i += TEAM_LINES_PER_BLOCK) {
    blocks.push(section(lines.slice(i, i + TEAM_LINES_PER_BLOCK).join('\n')));
  }
  const more = team.rows.length - MAX_TEAM_ROWS;
  blocks.push(context(`${more > 0 ? `And ${more} more. ` : ''}Only you can see this.`));
  return blocks;
}
