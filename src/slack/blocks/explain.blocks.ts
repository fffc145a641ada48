import { ACTIVITY_KIND_KEYS, ACTIVITY_KINDS } from '../../kpi/activity-kinds.js';
import { KPIS, type KpiDefinition, type KpiResult } from '../../kpi/catalogue.js';
import type { ActivityTotals } from '../../kpi/facts.js';
import { describeWindow, type TimeWindow } from '../../kpi/windows.js';
import { formatMoney } from '../../lib/amount.js';
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
      ? `Your figure: *${formatResult(def, e.result, currency)}*`
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
  blocks.push(context('Try `/kpi explain win rate` or `/kpi explain reach rate`.'));
  return { text: 'Metrics /kpi can explain', blocks };
}
