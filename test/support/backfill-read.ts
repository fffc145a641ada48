import {
  BACKFILL_STAGES,
  type BackfillCursor,
  type BackfillPage,
  type BackfillSource,
  type BackfillStage,
  type BackfillWindow,
} from '../../src/integrations/backfill/contract.js';
import type { CrmEvent } from '../../src/integrations/crm-event.js';

const DAY_MS = 86_400_000;
/** The default backfill: the 90 days before the first of December 2026. */
export const NINETY_DAYS: BackfillWindow = {
  since: new Date(Date.parse('2026-12-01T00:00:00.000Z') - 90 * DAY_MS),
  until: new Date('2026-12-01T00:00:00.000Z'),
};

/** What the engine does with a source, without storing: read a stage's pages until it says done. */
export async function readStage(
  source: BackfillSource,
  stage: BackfillStage,
  window: BackfillWindow,
  from: BackfillCursor | null = null,
  maxPages = Number.POSITIVE_INFINITY,
): Promise<{ pages: BackfillPage[]; next: BackfillCursor | null }> {
  const pages: BackfillPage[] = [];
  let cursor = from;
  do {
    const page = await source.readPage(stage, window, cursor);
    pages.push(page);
    cursor = page.next;
  } while (cursor !== null && pages.length < maxPages);
  return { pages, next: cursor };
}

/** Every stage in the contract's order: the events of all pages, and the pages per stage. */
export async function readAll(
  source: BackfillSource,
  window: BackfillWindow,
): Promise<{ events: CrmEvent[]; pages: Record<BackfillStage, BackfillPage[]> }> {
  const events: CrmEvent[] = [];
  const pages = { deals: [], leads: [], activities: [] } as Record<BackfillStage, BackfillPage[]>;
  for (const stage of BACKFILL_STAGES) {
    pages[stage] = (await readStage(source, stage, window)).pages;
    for (const page of pages[stage]) events.push(...page.events);
  }
  return { events, pages };
}

/** The CRM id each event is about. */
export function objectIdOf(event: CrmEvent): string {
  switch (event.type) {
    case 'deal.upsert':
    case 'deal.delete':
      return event.dealId;
    case 'lead.create':
      return event.leadId;
    case 'activity.upsert':
    case 'activity.delete':
      return event.activityId;
    case 'activity':
      return event.eventId;
  }
}
