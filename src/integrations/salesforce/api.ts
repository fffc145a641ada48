/**
 * Salesforce's REST API, for what outbound messages leave out.
 *
 * - Deals: `GET /services/data/{v}/composite/sobjects/Opportunity?ids=…&fields=…` (sObject
 *   Collections). The answer lists the records in the order of the ids, with null for an id that
 *   is unknown or not visible to the token's user; those ids are absent from the result.
 * - Owners: the SOQL query `SELECT Id, Email, Name FROM User WHERE Id IN (…)` on `/query`. Ids are
 *   checked to be 15 or 18 letters and digits before they are written into the query.
 *
 * Both take at most MAX_IDS_PER_CALL ids a call. Ids that are not Salesforce ids are never sent,
 * and so are absent from the result.
 *
 * Failures that may pass throw `CrmApiUnavailableError` so the event waits and is retried; a refused
 * token throws `CrmApiAuthError`, which no retry fixes (see rest.ts).
 */
import { z } from 'zod';
import { type CrmApi, CrmApiUnavailableError } from '../adapter.js';
import type { DealFields } from '../crm-event.js';
import { CURRENCY_FIELD, InvalidRecordError, OPPORTUNITY_FIELDS, opportunityFields } from './fields.js';
import { isSalesforceId, shortId } from './ids.js';
import {
  checkApiVersion,
  DEFAULT_API_VERSION,
  jsonRecord,
  NEXT_RECORDS_PATH,
  parseAnswer,
  type SalesforceCredentials,
  salesforceGet,
  sessionOf,
} from './rest.js';

export type SalesforceApiOptions = SalesforceApiSettings & SalesforceCredentials;

interface SalesforceApiSettings {
  /** Default DEFAULT_API_VERSION. */
  apiVersion?: string;
  /** Only organizations with multiple currencies have `CurrencyIsoCode`; asking others for it is refused (400). */
  multiCurrency?: boolean;
  fetch?: typeof fetch;
}

/**
 * Ids per call. A GET fits about 800 ids before the URL is too long (HTTP 414); 200 keeps URLs
 * and SOQL short, and 200 users always come back in one query batch (the smallest batch size).
 */
export const MAX_IDS_PER_CALL = 200;

const RecordsBody = z.array(z.record(z.string(), z.unknown()).nullable());
const QueryBody = z.object({
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.object({ Id: z.string(), Email: z.string().nullish(), Name: z.string().nullish() })),
});
type User = z.infer<typeof QueryBody>['records'][number];

function batches(ids: readonly string[]): string[][] {
  const valid = [...new Set(ids)].filter(isSalesforceId);
  const result: string[][] = [];
  for (let i = 0; i < valid.length; i += MAX_IDS_PER_CALL) result.push(valid.slice(i, i + MAX_IDS_PER_CALL));
  return result;
}

export function createSalesforceApi(options: SalesforceApiOptions): CrmApi {
  const apiVersion = checkApiVersion(options.apiVersion ?? DEFAULT_API_VERSION);
  const base = `/services/data/${apiVersion}`;
  const fetchImpl = options.fetch ?? fetch;
  const dealFieldNames = options.multiCurrency ? [...OPPORTUNITY_FIELDS, CURRENCY_FIELD] : OPPORTUNITY_FIELDS;

  async function get(path: string): Promise<unknown> {
    return (await salesforceGet(fetchImpl, await sessionOf(options), path)).body;
  }

  function dealFields(id: string, json: Record<string, unknown>): DealFields {
    try {
      return opportunityFields(jsonRecord(json));
    } catch (error) {
      if (!(error instanceof InvalidRecordError)) throw error;
      throw new Error(`Salesforce API sent an unreadable Opportunity ${id}: ${error.message}`);
    }
  }

  async function queryUsers(soql: string): Promise<User[]> {
    const users: User[] = [];
    let path: string | null = `${base}/query?${new URLSearchParams({ q: soql })}`;
    while (path !== null) {
      const page: z.infer<typeof QueryBody> = parseAnswer(QueryBody, await get(path));
      users.push(...page.records);
      if (page.done) path = null;
      else if (page.nextRecordsUrl && NEXT_RECORDS_PATH.test(page.nextRecordsUrl)) path = page.nextRecordsUrl;
      else throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer (nextRecordsUrl)');
    }
    return users;
  }

  return {
    async fetchDeals(ids) {
      const deals = new Map<string, DealFields>();
      for (const batch of batches(ids)) {
        const search = new URLSearchParams({ ids: batch.join(','), fields: dealFieldNames.join(',') });
        const records = parseAnswer(RecordsBody, await get(`${base}/composite/sobjects/Opportunity?${search}`));
        if (records.length !== batch.length)
          throw new CrmApiUnavailableError('Salesforce API sent an unreadable answer');
        batch.forEach((id, i) => {
          const json = records[i];
          if (json) deals.set(id, dealFields(id, json));
        });
      }
      return deals;
    },

    async fetchOwners(ids) {
      const owners = new Map<string, { email: string | null; name: string | null }>();
      for (const batch of batches(ids)) {
        const users = await queryUsers(
          `SELECT Id, Email, Name FROM User WHERE Id IN (${batch.map((id) => `'${id}'`).join(', ')})`,
        );
        // Salesforce answers with 18-character ids whichever form was asked for.
        const byShortId = new Map(users.map((user) => [shortId(user.Id), user]));
        for (const id of batch) {
          const user = byShortId.get(shortId(id));
          if (user) owners.set(id, { email: user.Email ?? null, name: user.Name ?? null });
        }
      }
      return owners;
    },
  };
}
