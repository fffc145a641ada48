import { z } from 'zod';
import type { ActivityKind } from '../../kpi/activity-kinds.js';
import { parseAmount } from '../../lib/amount.js';
import { type CrmAdapter, jsonReply } from '../adapter.js';
import type { CrmEvent, ParseResult, RejectedEvent } from '../crm-event.js';
import { type GenericEvent, genericBatch, genericEvent } from './format.js';
import { verifyStandardWebhook } from './signature.js';

function cents(amount: number | string | null | undefined): number | null | undefined {
  if (amount === undefined || amount === null) return amount;
  const parsed = parseAmount(String(amount));
  return parsed.ok ? parsed.cents : null;
}

const date = (value: string | null | undefined) => (value === undefined || value === null ? value : new Date(value));

function toCrmEvent(e: GenericEvent): CrmEvent {
  const base = { eventId: e.id, occurredAt: new Date(e.occurred_at) };
  switch (e.type) {
    case 'activity':
      return {
        ...base,
        type: 'activity',
        rep: { email: e.rep.email, slackUserId: e.rep.slack_user_id, ownerId: e.rep.crm_owner_id },
        kind: e.activity as ActivityKind,
        quantity: e.count,
        amountCents: cents(e.amount) ?? 0,
        note: e.note ?? null,
        dealId: e.deal_id ?? null,
        leadId: e.lead_id ?? null,
      };
    case 'deal': {
      const d = e.deal;
      return {
        ...base,
        type: 'deal.upsert',
        dealId: d.id,
        fields: {
          name: d.name,
          amountCents: cents(d.amount),
          currency: d.currency,
          stage: d.stage,
          status: d.status,
          ownerId: d.owner_id,
          ownerEmail: d.owner_email,
          createdAt: date(d.created_at),
          closedAt: date(d.closed_at),
          leadSource: d.lead_source,
          dealType: d.deal_type,
          customerId: d.customer_id,
        },
      };
    }
    case 'deal.deleted':
      return { ...base, type: 'deal.delete', dealId: e.deal_id };
    case 'lead':
      return {
        ...base,
        type: 'lead.create',
        leadId: e.lead.id,
        ownerId: e.lead.owner_id,
        ownerEmail: e.lead.owner_email,
        leadSource: e.lead.lead_source,
        mqlAt: date(e.lead.mql_at),
        qualifiedAt: date(e.lead.qualified_at),
      };
  }
}

export function parseGenericBatch(rawBody: Buffer): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the body is not valid JSON' };
  }
  const batch = genericBatch.safeParse(json);
  if (!batch.success)
    return { ok: false, reason: `expected {"events": [1 to 100 events]}: ${z.prettifyError(batch.error)}` };
  const events: CrmEvent[] = [];
  const rejected: RejectedEvent[] = [];
  batch.data.events.forEach((raw, index) => {
    const parsed = genericEvent.safeParse(raw);
    if (parsed.success) events.push(toCrmEvent(parsed.data));
    else rejected.push({ index, reason: z.prettifyError(parsed.error).replace(/\n/g, '; ') });
  });
  events.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return { ok: true, batch: { events, rejected, accountId: null } };
}

export const genericAdapter: CrmAdapter<{ secret: string }> = {
  verify: (req, secrets, now) => verifyStandardWebhook(req, secrets.secret, now),
  parse: (req) => parseGenericBatch(req.rawBody),
  reply: (outcome) => jsonReply(200, outcome),
  errorReply: (status, reason) => jsonReply(status, { error: reason }),
};
