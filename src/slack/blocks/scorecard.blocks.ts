import { formatChange, formatKpiValue, getKpi, type KpiDefinition, type KpiResult } from '../../kpi/catalogue.js';
import { RANK_METRIC, type Scorecard } from '../../scorecard/scorecard.js';
import { gameBlocks } from './game.blocks.js';
import { goalLine } from './goals.blocks.js';
import { context, header, lowerFirst, type SlackMessage, section } from './message.js';

export function formatResult(def: KpiDefinition, result: KpiResult, currency: string): string {
  if (result.status === 'ok') return formatKpiValue(def, result.value, currency);
  return '—';
}

function changeText(def: KpiDefinition, current: KpiResult, previous: KpiResult): string {
  if (current.status !== 'ok' || previous.status !== 'ok') return '';
  return ` (${formatChange(def, current.value, previous.value)})`;
}

export function scorecardMessage(card: Scorecard, currency: string): SlackMessage {
  const fields = card.rows.map(({ def, current, previous }) => ({
    type: 'mrkdwn' as const,
    text: `*${def.label}*\n${formatResult(def, current, currency)}${changeText(def, current, previous)}`,
  }));
  const rankText = card.rank
    ? `You're *#${card.rank.rank} of ${card.rank.of}* by ${card.rank.metric.label.toLowerCase()} in this window (only you can see this).`
    : `No ${getKpi(RANK_METRIC).label.toLowerCase()} yet in this window, so no rank; every logged win counts.`;
  const gaps = card.rows
    .filter(({ current }) => current.status !== 'ok')
    .map(
      ({ def, current }) =>
        `${def.label}: ${current.status === 'missing' ? current.missing : current.status === 'insufficient' ? current.reason : ''}`,
    );
  const notes = card.rows.flatMap(({ def, current }) =>
    current.status === 'ok' && current.note ? [`${def.label}: ${current.note}`] : [],
  );
  const blocks = [
    header(`Your scorecard: ${card.window.label}`),
    { type: 'section' as const, fields: fields.slice(0, 10) },
    context(`Changes compare with ${lowerFirst(card.previous.label)}. Times in ${card.window.timezone}.`),
    section(rankText),
  ];
  if (card.coaching) {
    blocks.push(section(`:bulb: ${card.coaching.text}`));
    if (card.coaching.benchmark)
      blocks.push(context(`${card.coaching.benchmark.text} ${card.coaching.benchmark.source}`));
  }
  if (notes.length > 0) blocks.push(context(notes.join(' · ')));
  if (gaps.length > 0) blocks.push(context(`— means: ${gaps.slice(0, 3).join(' · ')}`));
  if (card.goals && card.goals.length > 0) {
    blocks.push(
      section(
        `*Your goals*\n${card.goals
          .slice(0, 5)
          .map((g) => goalLine(g, currency))
          .join('\n\n')}`,
      ),
    );
  }
  if (card.game) blocks.push(...gameBlocks(card.game));
  blocks.push(context('How is each figure worked out? `/kpi explain &lt;metric&gt;`, e.g. `/kpi explain win rate`.'));
  const summary = card.rows
    .slice(0, 4)
    .map(({ def, current }) => `${def.label} ${formatResult(def, current, currency)}`)
    .join(', ');
  return { text: `Your scorecard (${card.window.label}): ${summary}`, blocks };
}
