import { z } from 'zod';
import { ACTIVITY_KIND_KEYS } from '../../kpi/activity-kinds.js';

/**
 * The generic webhook format, for any system that is not HubSpot, Salesforce or Pipedrive (a
 * home-grown CRM, Zapier, a data warehouse). Its JSON Schema is generated from this definition.
 */

const id = z.string().min(1).max(200);
const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 with a timezone, e.g. 2026-11-18T15:00:00Z');
/** Major units, as a JSON number or a decimal string: 12500.5 or "12500.50". */
const money = z.union([z.number().nonnegative().max(1_000_000_000), z.string().regex(/^\d{1,10}(\.\d{1,2})?$/)]);

const rep = z
  .object({
    email: z.email().optional(),
    slack_user_id: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/)
      .optional(),
    crm_owner_id: id.optional(),
  })
  .refine((r) => r.email || r.slack_user_id || r.crm_owner_id, 'rep needs email, slack_user_id or crm_owner_id');

const activityEvent = z.object({
  id,
  type: z.literal('activity'),
  occurred_at: instant,
  rep,
  activity: z.enum(ACTIVITY_KIND_KEYS as [string, ...string[]]),
  count: z.number().int().min(1).max(10_000).default(1),
  amount: money.optional(),
  note: z.string().max(280).optional(),
  deal_id: id.optional(),
  lead_id: id.optional().describe('the lead it was done for; the first one is the lead response'),
});

const dealEvent = z.object({
  id,
  type: z.literal('deal'),
  occurred_at: instant,
  deal: z.object({
    id,
    name: z.string().max(500).nullish(),
    amount: money.nullish(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .nullish(),
    stage: z.string().max(200).nullish(),
    status: z.enum(['open', 'won', 'lost']).nullish(),
    owner_email: z.email().nullish(),
    owner_id: id.nullish(),
    created_at: instant.nullish(),
    closed_at: instant.nullish(),
    lead_source: z.string().max(200).nullish(),
    deal_type: z.enum(['new_business', 'upsell', 'renewal']).nullish(),
    customer_id: id.nullish(),
  }),
});

const dealDeletedEvent = z.object({ id, type: z.literal('deal.deleted'), occurred_at: instant, deal_id: id });

const leadEvent = z.object({
  id,
  type: z.literal('lead'),
  occurred_at: instant,
  lead: z.object({
    id,
    owner_email: z.email().optional(),
    owner_id: id.optional(),
    lead_source: z.string().max(200).optional(),
    mql_at: instant.optional(),
    qualified_at: instant.optional(),
  }),
});

export const genericEvent = z.discriminatedUnion('type', [activityEvent, dealEvent, dealDeletedEvent, leadEvent]);
export type GenericEvent = z.infer<typeof genericEvent>;

/** The envelope: 1 to 100 events. Each is checked on its own, so one bad event does not sink the batch. */
export const genericBatch = z.object({ events: z.array(z.unknown()).min(1).max(100) });

export function genericJsonSchema() {
  return z.toJSONSchema(z.object({ events: z.array(genericEvent).min(1).max(100) }), {
    target: 'draft-2020-12',
    io: 'input',
  });
}
