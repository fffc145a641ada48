/** The parts of the game whose rules `/kpi explain <topic>` tells, rather than a metric's working. */
export const RULE_TOPICS = ['points', 'streaks', 'badges', 'levels', 'ranking', 'goals', 'contests'] as const;
export type RuleTopic = (typeof RULE_TOPICS)[number];
