/**
 * What a rep can log, and what CRMs map to. The keys are stored in `activities.kind`, so they never
 * change; labels and aliases may.
 */
export const ACTIVITY_KINDS = {
  call: { label: 'Calls', one: 'call', many: 'calls', aliases: ['call', 'calls', 'dial', 'dials'], money: false },
  conversation: {
    label: 'Conversations',
    one: 'conversation',
    many: 'conversations',
    aliases: ['conversation', 'conversations', 'convo', 'convos', 'connect', 'connects'],
    money: false,
  },
  email: { label: 'Emails', one: 'email', many: 'emails', aliases: ['email', 'emails', 'mail', 'mails'], money: false },
  meeting: {
    label: 'Meetings booked',
    one: 'meeting',
    many: 'meetings',
    aliases: ['meeting', 'meetings', 'mtg', 'mtgs'],
    money: false,
  },
  no_show: {
    label: 'No-shows',
    one: 'no-show',
    many: 'no-shows',
    aliases: ['no-show', 'no-shows', 'noshow', 'noshows', 'no_show'],
    money: false,
  },
  demo: { label: 'Demos', one: 'demo', many: 'demos', aliases: ['demo', 'demos'], money: false },
  follow_up: {
    label: 'Follow-ups',
    one: 'follow-up',
    many: 'follow-ups',
    aliases: ['follow-up', 'follow-ups', 'followup', 'followups', 'follow_up', 'follow_ups'],
    money: false,
  },
  proposal: {
    label: 'Proposals',
    one: 'proposal',
    many: 'proposals',
    aliases: ['proposal', 'proposals', 'quote', 'quotes'],
    money: false,
  },
  lead: { label: 'Leads', one: 'lead', many: 'leads', aliases: ['lead', 'leads'], money: false },
  qualified: {
    label: 'Qualified (passed)',
    one: 'qualified lead',
    many: 'qualified leads',
    aliases: ['qualified', 'sql', 'sqls', 'pass', 'passed'],
    money: false,
  },
  deal_won: {
    label: 'Deals won',
    one: 'deal won',
    many: 'deals won',
    aliases: ['deal won', 'deals won', 'won', 'win', 'wins', 'deal', 'deals', 'closed won', 'sale', 'sales'],
    money: true,
  },
  deal_lost: {
    label: 'Deals lost',
    one: 'deal lost',
    many: 'deals lost',
    aliases: ['deal lost', 'deals lost', 'lost', 'loss', 'losses', 'closed lost'],
    money: true,
  },
} as const satisfies Record<string, ActivityKindInfo>;

export interface ActivityKindInfo {
  label: string;
  one: string;
  many: string;
  /** Lower-case words a rep may type; multi-word aliases are allowed. */
  aliases: readonly string[];
  /** Whether an amount of money belongs with it. */
  money: boolean;
}

export type ActivityKind = keyof typeof ACTIVITY_KINDS;

/** The longest note on an entry, or reason on kudos, in characters: what fits a line of a post. */
export const MAX_NOTE_CHARS = 280;
export const ACTIVITY_KIND_KEYS = Object.keys(ACTIVITY_KINDS) as ActivityKind[];

export function isActivityKind(value: string): value is ActivityKind {
  return Object.hasOwn(ACTIVITY_KINDS, value);
}
