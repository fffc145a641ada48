/** A goal's period: a recurring one by name, or a range of dates. */
export type GoalPeriod =
  | { period: 'week' | 'month' | 'quarter' | 'year' }
  | { period: 'custom'; startsOn: string; endsOn: string };

/** Whose goal: the person typing, a named rep, or a channel's whole team. */
export type GoalSubject = { kind: 'self' } | { kind: 'user'; userId: string } | { kind: 'channel'; channelId: string };
