/** What every backfill event id starts with: how the inbox tells the backfill's events from webhooks'. */
export const BACKFILL_EVENT_PREFIX = 'backfill:';

/**
 * A backfill event's id, as the contract has it: `backfill:<object type>:<CRM id>:<last modified,
 * ISO>`. The same for an unchanged record however often it is read, new once it changes.
 */
export function backfillEventId(objectType: string, crmId: string, changedAt: Date): string {
  return `${BACKFILL_EVENT_PREFIX}${objectType}:${crmId}:${changedAt.toISOString()}`;
}
