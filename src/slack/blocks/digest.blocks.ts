import { type DigestScope, type DigestSummary, describeMove, type RepStanding } from '../../digest/digest.js';
import { formatKpiValue } from '../../kpi/catalogue.js';
import { type Block, context, header, type SlackMessage, section } from './message.js';

/** Names per list; a long team's remainder is counted, not listed, so the DM stays short. */
const MAX_NAMES = 8;

export interface DigestContent {
  weekLabel: string;
  scope: DigestScope;
  summary: DigestSummary;
  currency: string;
}

export const NO_REPS_TEXT =
  'No reps are assigned to you yet, so there is no team digest this week. ' +
  'Add your reps with `/kpi team add @rep` and next week’s digest covers them.';

function standingLine({ name, goal }: RepStanding, currency: string): string {
  const percent = Math.floor(goal.progress.fraction * 100);
  const pace =
    goal.progress.status === 'behind' && goal.progress.pacePerDay !== null
      ? `, needs ${formatKpiValue(goal.def, goal.def.unit === 'count' ? Math.ceil(goal.progress.pacePerDay) : goal.progress.pacePerDay, currency)} a working day`
      : '';
  return `• ${name}: ${goal.def.label} ${percent}% of ${formatKpiValue(goal.def, goal.goal.target, currency)}${pace}`;
}

function list<T>(items: readonly T[], line: (item: T) => string): string {
  const shown = items.slice(0, MAX_NAMES).map(line);
  if (items.length > MAX_NAMES) shown.push(`• and ${items.length - MAX_NAMES} more`);
  return shown.join('\n');
}

/** The manager's weekly digest DM: private by construction, it is only ever sent to the manager. */
export function digestMessage(content: DigestContent): SlackMessage {
  const { summary, currency, weekLabel } = content;
  if (content.scope === 'none') {
    return { text: NO_REPS_TEXT, blocks: [header(`Your team digest · ${weekLabel}`), section(NO_REPS_TEXT)] };
  }
  const who = content.scope === 'workspace' ? 'everyone in the workspace' : 'your reps';
  const blocks: Block[] = [
    header(`Your team digest · ${weekLabel}`),
    context(`${summary.repCount} people: ${who}. Only you see this.`),
  ];
  if (summary.ahead.length > 0)
    blocks.push(section(`*Ahead or on pace*\n${list(summary.ahead, (s) => standingLine(s, currency))}`));
  if (summary.behind.length > 0)
    blocks.push(section(`*Behind pace*\n${list(summary.behind, (s) => standingLine(s, currency))}`));
  if (summary.withoutGoals.length > 0)
    blocks.push(
      context(
        `No goals yet: ${summary.withoutGoals.slice(0, MAX_NAMES).join(', ')}${summary.withoutGoals.length > MAX_NAMES ? ` and ${summary.withoutGoals.length - MAX_NAMES} more` : ''}.`,
      ),
    );
  blocks.push(
    section(
      summary.moved
        ? `*Moved most, week over week*\n${describeMove(summary.moved, currency)}`
        : '*Moved most, week over week*\nNot enough logged in both weeks to compare yet.',
    ),
  );
  if (summary.topics.length > 0)
    blocks.push(section(`*Suggested 1:1 topics*\n${list(summary.topics, (t) => `• ${t.name}: ${t.topic}`)}`));
  blocks.push(context('Week over week: the last 7 days against the 7 before. Goals and pace count working days.'));
  const text = `Your team digest (${weekLabel}): ${summary.ahead.length} ahead, ${summary.behind.length} behind pace.`;
  return { text, blocks };
}
