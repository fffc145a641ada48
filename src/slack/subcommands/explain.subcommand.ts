import { RULE_TOPICS, type RuleTopic } from '../../game/rule-topics.js';
import { loadAllMappings } from '../../integrations/activity-mapping.repository.js';
import { getKpi } from '../../kpi/catalogue.js';
import { loadFacts } from '../../kpi/kpi.queries.js';
import { windowPair } from '../../kpi/scope.js';
import { crmMappingMessage } from '../blocks/crm-mapping.blocks.js';
import { explainListMessage, explainMessage, rulesMessage } from '../blocks/explain.blocks.js';
import type { CoreContext, Subcommand } from './subcommand.js';
import { ok, unknownMetric } from './words.js';

export type ExplainCommand =
  | { type: 'explain'; metric: string | null }
  | { type: 'rules'; topic: RuleTopic }
  | { type: 'crm-mapping' };

/** What `/kpi explain crm` answers to: how CRM activity records count here. */
const CRM_TOPICS = new Set(['crm', 'crm activities', 'crm activity', 'crm mapping']);

const USAGE =
  '`/kpi explain [metric]` — how a number is worked out, e.g. `/kpi explain meetings`; `/kpi explain` lists them; ' +
  '`/kpi explain points|streaks|badges|levels|ranking|goals|contests` — the rules of the game; ' +
  '`/kpi explain crm` — how calls, meetings, emails and tasks from your CRM count';

const RULE_ALIASES = new Map<string, RuleTopic>([
  ...RULE_TOPICS.map((t) => [t, t] as const),
  ['point', 'points'],
  ['streak', 'streaks'],
  ['badge', 'badges'],
  ['level', 'levels'],
  ['ranks', 'ranking'],
  ['rankings', 'ranking'],
  ['leaderboard', 'ranking'],
  ['leaderboards', 'ranking'],
  ['goal', 'goals'],
  ['contest', 'contests'],
]);

/** `/kpi explain [metric|topic]`: how a number is worked out, or the rules of a part of the game. */
export const explainSubcommand: Subcommand<ExplainCommand, ExplainCommand, CoreContext> = {
  name: 'explain',
  aliases: [],
  usage: USAGE,
  runs: ['explain', 'rules', 'crm-mapping'],
  parse({ words }, ctx) {
    if (words.length === 0) return ok({ type: 'explain', metric: null });
    const name = words.join(' ');
    if (CRM_TOPICS.has(name.toLowerCase())) return ok({ type: 'crm-mapping' });
    const topic = RULE_ALIASES.get(name.toLowerCase());
    if (topic) return ok({ type: 'rules', topic });
    const metric = ctx.findMetric(name);
    return metric ? ok({ type: 'explain', metric: metric.key }) : unknownMetric(name, USAGE);
  },
  async run(ctx, command) {
    const { member, timezone, currency, settings } = ctx.actor;
    if (command.type === 'rules') return rulesMessage(command.topic, settings);
    if (command.type === 'crm-mapping')
      return crmMappingMessage(await loadAllMappings(ctx.deps.db, member.workspaceId));
    if (command.metric === null) return explainListMessage();
    const def = getKpi(command.metric);
    const pair = windowPair({ kind: 'week' }, ctx.now, timezone);
    const facts = await loadFacts(ctx.deps.db, { workspaceId: member.workspaceId, userId: member.userId, ...pair });
    return explainMessage(
      { def, window: pair.window, result: def.compute(facts.current), activities: facts.current.activities },
      currency,
    );
  },
};
